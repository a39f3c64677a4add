// vLLM 0.12 on Hopper runs block-scaled fp8 experts on DeepGEMM's contiguous grouped GEMM at every batch
// size, over rows padded for every local expert: the MoE's decode time does not shrink with the batch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import type { ServingEngineInput } from '../../../../src/engine/perf/serving-engine.js';
import { addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';
import { paddedDeepGemmRows, runsPaddedDeepGemmMoe } from '../../../../src/engine/perf/vllm-deepgemm-moe.js';

const qwen = getModel('qwen3-235b-a22b-fp8');
const tp4: Plan = { tp: 4, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
const v012: ServingEngineInput = { id: 'vllm', version: '0.12.0' };
const h200 = getHardware('h200');

function expertsSeconds(engine: ServingEngineInput, decodes: number, plan = tp4): number {
  const shape = createBatchShape(qwen.slidingWindow);
  addUniformDecodes(shape, decodes, 1050);
  const model = compileStepModel(qwen, h200, plan, { engine });
  return model
    .breakdown(shape)
    .filter((e) => e.name.startsWith('experts_') || e.name === 'silu_and_mul')
    .reduce((sum, e) => sum + e.seconds, 0);
}

describe("vLLM 0.12's padded DeepGEMM MoE on Hopper", () => {
  it('pads the routed rows by an alignment less one row for each local expert (compute_aligned_M)', () => {
    // 28 decodes × top-8 = 224 routed rows, plus 128 × 127, rounded up to 128.
    assert.equal(paddedDeepGemmRows(224, 128), 16512);
    assert.equal(paddedDeepGemmRows(0, 64), 8192);
  });

  it('applies to vLLM 0.12 on Hopper with block-scaled fp8 experts under an MoE TP of less than 8 only', () => {
    const hopper = (e: ServingEngineInput, dtype = 'fp8_block', moeTp = 4, deepEp = false) =>
      runsPaddedDeepGemmMoe(e as never, h200, dtype, moeTp, deepEp);
    assert.equal(hopper(v012), true);
    assert.equal(hopper({ id: 'vllm', version: '0.24.0' }), false);
    assert.equal(hopper({ id: 'vllm' }), false, 'the newest measured version is not 0.12');
    assert.equal(hopper({ id: 'sglang', version: '0.5.6' }), false);
    assert.equal(hopper({ ...v012, moeBackend: 'triton' }), false, 'VLLM_MOE_USE_DEEP_GEMM=0 keeps Triton');
    assert.equal(hopper(v012, 'fp8'), false, 'per-tensor fp8 experts');
    assert.equal(hopper(v012, 'fp8_block', 8), false, 'PR #29346: Triton from MoE TP 8');
    assert.equal(hopper(v012, 'fp8_block', 4, true), false, 'DeepEP runs the masked layout');
    assert.equal(runsPaddedDeepGemmMoe(v012 as never, getHardware('b200'), 'fp8_block', 4, false), false);
  });

  it('prices the experts from the padded rows, so that 4 and 48 decodes take about the same time', () => {
    const few = expertsSeconds(v012, 4);
    const many = expertsSeconds(v012, 48);
    assert.ok(many / few < 1.1, `48 / 4 decodes: ${many / few}`);
    // The Triton kernel's table (what vLLM 0.24 runs) reads only the routed experts' weights: 4 decodes
    // touch 32 of 128, so it is far faster there; the padded GEMMs cost ~0.3 ms a layer at TP 4.
    const triton = expertsSeconds({ ...v012, moeBackend: 'triton' }, 4);
    assert.ok(few / triton > 2, `padded / Triton at 4 decodes: ${few / triton}`);
    const perLayer = few / 94;
    assert.ok(perLayer > 2.5e-4 && perLayer < 3.5e-4, `${perLayer * 1e6} µs a layer`);
  });

  it('names the padded rows and the dense DeepGEMM table in the step breakdown', () => {
    const shape = createBatchShape(qwen.slidingWindow);
    addUniformDecodes(shape, 28, 1050);
    const entries = compileStepModel(qwen, h200, tp4, { engine: v012 }).breakdown(shape);
    const gateUp = entries.find((e) => e.name === 'experts_gate_up');
    assert.match(gateUp?.source ?? '', /16512 padded rows \(224 routed\).*DeepGemmFp8BlockScaledMMKernel/);
    assert.match(entries.find((e) => e.name === 'experts_down')?.source ?? '', /16512 padded rows/);
  });
});
