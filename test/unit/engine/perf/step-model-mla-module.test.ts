// vLLM's measured tables hold MLA only as the whole attention module (mla_context_module), not the
// prefill kernel alone: the step model times a dense MLA layer's prefill core as the module less the
// projections it prices as GEMMs, so the layer's module ops add up to the measured module.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { loadShippedOpTables } from '../../../../src/engine/opdb/shipped.js';
import { addPrefillChunk, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compileStepModel, type StepModelOptions } from '../../../../src/engine/perf/step-model.js';

const b200 = getHardware('b200');
const plan: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
const deepseek = getModel('deepseek-v3');
const MOE_GROUP = 'MLA · MoE top-8 of 256 + shared';
/** The ops of one DeepSeek-V3 layer inside vLLM's DeepseekV2MLAAttention module, prefill. */
const MODULE_OPS = new Set([
  'qkv_a_proj',
  'q_a_kv_a_norm',
  'q_b_proj',
  'rope',
  'kv_b_proj',
  'attention_prefill',
  'o_proj',
]);
const vllmTables = loadShippedOpTables('b200_sxm', 'vllm');
/** DeepSeek-V3's block-scaled fp8 GEMMs, 128 / 8 heads, 16-bit attention compute over an fp8 cache. */
const module = {
  model: 'deepseek-ai/DeepSeek-V3',
  gemmDtype: 'fp8_block',
  mlaDtype: 'bfloat16',
  kvCacheDtype: 'fp8',
  heads: 16,
};

function perLayerModule(tokens: number, options: StepModelOptions) {
  const shape = createBatchShape();
  addPrefillChunk(shape, tokens, 0, true);
  const entries = compileStepModel(deepseek, b200, plan, options)
    .breakdown(shape)
    .filter((e) => e.group === MOE_GROUP && MODULE_OPS.has(e.name));
  const core = entries.find((e) => e.name === 'attention_prefill');
  return { seconds: entries.reduce((s, e) => s + e.seconds / e.calls, 0), source: core?.source ?? '' };
}

describe('step model: vLLM MLA prefill from the measured whole module (DeepSeek-V3 on B200)', () => {
  for (const tokens of [1024, 8192]) {
    it(`times a ${tokens}-token prompt's attention module as the measured module`, () => {
      const measured = vllmTables.mlaContextModule({ ...module, batch: 1, isl: tokens });
      assert.ok(measured && measured.source.how === 'measured');
      const { seconds, source } = perLayerModule(tokens, { engine: { id: 'vllm' } });
      assert.match(source, /mlaContextModule/);
      assert.ok(
        Math.abs(seconds / measured.seconds - 1) < 0.03,
        `${seconds} s vs measured ${measured.seconds} s`,
      );
    });
  }

  it('keeps an engine that measured the MLA prefill kernel alone on that kernel (SGLang)', () => {
    const { source } = perLayerModule(4096, { engine: { id: 'sglang' } });
    assert.doesNotMatch(source, /mlaContextModule/);
    assert.match(source, /contextMla/);
  });

  it('leaves a plan without measured tables (no engine) on the roofline', () => {
    const { source } = perLayerModule(4096, {});
    assert.doesNotMatch(source, /mlaContextModule/);
  });

  it('does not read the module for an MLA geometry it did not measure (DeepSeek-V2-Lite)', () => {
    const lite = getModel('deepseek-v2-lite');
    const shape = createBatchShape();
    addPrefillChunk(shape, 4096, 0, true);
    const step = compileStepModel(
      lite,
      b200,
      { ...plan, tp: 1, weightDtype: 'bf16' },
      { engine: { id: 'vllm' } },
    );
    const core = step.breakdown(shape).find((e) => e.name === 'attention_prefill');
    assert.ok(core);
    assert.doesNotMatch(core.source ?? '', /mlaContextModule/);
  });
});
