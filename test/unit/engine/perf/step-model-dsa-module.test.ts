import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { loadShippedOpTables } from '../../../../src/engine/opdb/shipped.js';
import { addPrefillChunk, addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';

const b200 = getHardware('b200');
const plan: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
const glm5 = getModel('glm-5');
const SPARSE_GROUP = 'sparse MLA top-2048 · MoE top-8 of 256 + shared';
/** The ops of one GLM-5 layer that aiconfigurator's DSA module measures together. */
const MODULE_OPS = new Set([
  'qkv_a_proj',
  'q_a_kv_a_norm',
  'q_b_proj',
  'rope',
  'indexer_q_proj',
  'indexer_k_proj',
  'indexer_weights_proj',
  'mla_q_absorb',
  'attention_decode',
  'attention_prefill',
  'mla_v_absorb',
  'o_proj',
]);
const tables = loadShippedOpTables('b200_sxm', 'sglang');
const module = {
  architecture: 'GlmMoeDsaForCausalLM',
  gemmDtype: 'fp8_block',
  kvCacheDtype: 'fp8',
  heads: 8,
};

function perLayerModule(shape: ReturnType<typeof createBatchShape>) {
  const model = compileStepModel(glm5, b200, plan, { engine: { id: 'sglang' } });
  const entries = model.breakdown(shape).filter((e) => e.group === SPARSE_GROUP && MODULE_OPS.has(e.name));
  const core = entries.find((e) => e.name.startsWith('attention_'));
  return { seconds: entries.reduce((s, e) => s + e.seconds / e.calls, 0), source: core?.source ?? '' };
}

describe('step model: the measured DeepSeek Sparse Attention module (SGLang, GLM-5 on B200)', () => {
  it('times a decode step’s attention module as the measured module, indexer included once', () => {
    const shape = createBatchShape();
    addUniformDecodes(shape, 4, 1024);
    const measured = tables.dsaGenerationModule({ ...module, batch: 4, context: 1025 });
    assert.ok(measured);
    const { seconds, source } = perLayerModule(shape);
    assert.match(source, /dsaGenerationModule/);
    assert.ok(
      Math.abs(seconds / measured.seconds - 1) < 0.02,
      `${seconds} s vs measured ${measured.seconds} s`,
    );
  });

  it('times a long prompt’s prefill as the measured module', () => {
    const shape = createBatchShape();
    addPrefillChunk(shape, 8192, 0, true);
    const measured = tables.dsaContextModule({ ...module, batch: 1, isl: 8192 });
    assert.ok(measured);
    const { seconds, source } = perLayerModule(shape);
    assert.match(source, /dsaContextModule/);
    assert.ok(
      Math.abs(seconds / measured.seconds - 1) < 0.02,
      `${seconds} s vs measured ${measured.seconds} s`,
    );
  });

  it('keeps the roofline for prompts within twice the top-k (the module rows there are the loop’s floor)', () => {
    const shape = createBatchShape();
    addPrefillChunk(shape, 1024, 0, true);
    const { seconds, source } = perLayerModule(shape);
    assert.doesNotMatch(source, /dsaContextModule/);
    const floor = tables.dsaContextModule({ ...module, batch: 1, isl: 1024 });
    assert.ok(floor && seconds < floor.seconds / 2, `${seconds} s`);
  });

  it('leaves a plan without the measured tables (no engine) on the roofline', () => {
    const shape = createBatchShape();
    addUniformDecodes(shape, 4, 1024);
    const entries = compileStepModel(glm5, b200, plan).breakdown(shape);
    const core = entries.find((e) => e.group === SPARSE_GROUP && e.name === 'attention_decode');
    assert.doesNotMatch(core?.source ?? '', /dsa/);
  });
});
