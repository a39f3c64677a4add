// vLLM's Marlin MoE kernel (VLLM_MXFP4_USE_MARLIN=1) for mxfp4 experts: its measured efficiency carried
// from the one expert shape the tables measured it at, where it is the slower kernel.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { loadShippedOpTables } from '../../../../src/engine/opdb/shipped.js';
import { marlinShapeOf } from '../../../../src/engine/perf/marlin-moe.js';
import {
  describeServingEngine,
  type ServingEngineInput,
  servingEngineFor,
} from '../../../../src/engine/perf/serving-engine.js';
import { addPrefillChunk, addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';

const gptOss = getModel('gpt-oss-120b');
const plan = (tp: number): Plan => ({ tp, pp: 1, dp: 1, ep: 1, weightDtype: 'mxfp4', kvDtype: 'bf16' });
const triton: ServingEngineInput = { id: 'vllm', version: '0.18' };
const marlin: ServingEngineInput = { ...triton, moeBackend: 'marlin' };

function experts(
  engine: ServingEngineInput,
  tp: number,
  fill: (s: ReturnType<typeof createBatchShape>) => void,
) {
  const shape = createBatchShape(gptOss.slidingWindow);
  fill(shape);
  const model = compileStepModel(gptOss, getHardware('h200'), plan(tp), { engine });
  const found = model.breakdown(shape).find((e) => e.name === 'experts_gate_up');
  assert.ok(found);
  return found;
}

const prefill = (tokens: number) => (s: ReturnType<typeof createBatchShape>) =>
  addPrefillChunk(s, tokens, 0, true);
const decode = (batch: number) => (s: ReturnType<typeof createBatchShape>) =>
  addUniformDecodes(s, batch, 2048);

describe('Marlin MoE (VLLM_MXFP4_USE_MARLIN=1)', () => {
  it("finds the expert shape the H200 vLLM table measured Marlin's w4a16_mxfp4 kernel at", () => {
    const table = loadShippedOpTables('h200_sxm', 'vllm').tables.moe;
    assert.ok(table);
    const shape = marlinShapeOf(table, 'w4a16_mxfp4');
    assert.ok(shape);
    assert.match(shape.kernel, /marlin/i);
    assert.notEqual(shape.hidden, gptOss.hiddenSize, 'not measured at the model’s own shape');
    assert.equal(marlinShapeOf(table, 'no_such_dtype'), undefined);
  });

  it("prices an 8k-token prefill's experts well above the default Triton kernel, naming the Marlin table", () => {
    for (const tp of [1, 8]) {
      const base = experts(triton, tp, prefill(8192));
      const slow = experts(marlin, tp, prefill(8192));
      assert.match(base.source ?? '', /oaitriton/);
      assert.match(slow.source ?? '', /^Marlin MoE .*same tokens per expert.*marlin/);
      // Measured: Marlin ≈ 205 TFLOP/s where Triton reaches ≈ 420 at prefill sizes on H200.
      const ratio = slow.seconds / base.seconds;
      assert.ok(ratio > 1.4 && ratio < 2.5, `TP${tp}: Marlin / Triton = ${ratio}`);
    }
  });

  it("keeps the default kernel's own-shape time for a few decodes, where both stream the same weights", () => {
    const base = experts(triton, 1, decode(4));
    const slow = experts(marlin, 1, decode(4));
    assert.equal(slow.seconds, base.seconds);
    assert.match(slow.source ?? '', /^memory-bound: the default MoE kernel/);
  });

  it('changes nothing for a format Marlin was not asked for', () => {
    const bf16: Plan = { ...plan(8), weightDtype: 'bf16' };
    const shape = createBatchShape(gptOss.slidingWindow);
    addPrefillChunk(shape, 8192, 0, true);
    const time = (engine: ServingEngineInput) =>
      compileStepModel(gptOss, getHardware('h200'), bf16, { engine }).stepSeconds(shape);
    assert.equal(time(marlin), time(triton));
  });

  it('is an engine setting: the MoE backend marlin, named in the engine description, vLLM only', () => {
    const engine = servingEngineFor({ id: 'vllm', version: '0.18' }, { moeBackend: 'marlin' });
    assert.equal(engine?.moeBackend, 'marlin');
    assert.equal(servingEngineFor({ id: 'vllm' })?.moeBackend, undefined);
    assert.equal(describeServingEngine(marlin), 'vllm@0.18 (MoE marlin)');
    assert.throws(
      () => servingEngineFor({ id: 'trtllm' }, { moeBackend: 'marlin' }),
      /--moe-backend marlin: trtllm has no such MoE backend/,
    );
    // TGI has no step model, so no engine description; the kernel it cannot select is still an error.
    assert.throws(
      () => servingEngineFor({ id: 'tgi' }, { moeBackend: 'marlin' }),
      /--moe-backend marlin: tgi has no such MoE backend/,
    );
    assert.equal(servingEngineFor({ id: 'tgi' }), undefined);
  });
});
