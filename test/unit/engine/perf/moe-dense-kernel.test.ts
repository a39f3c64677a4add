import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import type { WeightDtype } from '../../../../src/engine/model/dtypes.js';
import { runsMoeOnDenseKernel } from '../../../../src/engine/perf/serving-engine.js';
import { addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { type BreakdownEntry, compileStepModel } from '../../../../src/engine/perf/step-model.js';

const deepseek = getModel('deepseek-v3');

/** One MoE layer's op `name` of a DeepSeek-V3 decode step of `sequences` sequences. */
function moeOp(
  hardware: string,
  plan: Pick<Plan, 'tp' | 'ep' | 'weightDtype'>,
  engine: 'trtllm' | 'vllm',
  name: string,
  sequences = 4,
): BreakdownEntry {
  const full: Plan = { pp: 1, dp: 1, kvDtype: 'fp8', ...plan };
  const model = compileStepModel(deepseek, getHardware(hardware), full, { engine: { id: engine } });
  const shape = createBatchShape(deepseek.slidingWindow);
  addUniformDecodes(shape, sequences, 1500);
  const found = model.breakdown(shape).find((e) => e.name === name && e.group.includes('MoE'));
  assert.ok(found, `no ${name}`);
  return found;
}

const plan = (tp: number, ep: number, weightDtype: WeightDtype) => ({ tp, ep, weightDtype });

describe("TensorRT-LLM's block-scaled fp8 experts on Blackwell (its DeepGEMM MoE backend)", () => {
  it('only TensorRT-LLM, only block-scaled fp8, only datacenter Blackwell', () => {
    const trtllm = { id: 'trtllm' } as const;
    assert.equal(runsMoeOnDenseKernel(trtllm, getHardware('b200'), 'fp8_block'), true);
    assert.equal(runsMoeOnDenseKernel(trtllm, getHardware('gb200'), 'fp8_block'), true);
    assert.equal(runsMoeOnDenseKernel(trtllm, getHardware('h200'), 'fp8_block'), false);
    assert.equal(runsMoeOnDenseKernel(trtllm, getHardware('b200'), 'nvfp4'), false);
    assert.equal(runsMoeOnDenseKernel({ id: 'vllm' }, getHardware('b200'), 'fp8_block'), false);
    // The launch's MoE backend decides where it says: DEEPGEMM is the default, TRTLLM the fused kernel.
    const b200 = getHardware('b200');
    assert.equal(runsMoeOnDenseKernel({ ...trtllm, moeBackend: 'deepgemm' }, b200, 'fp8_block'), true);
    assert.equal(runsMoeOnDenseKernel({ ...trtllm, moeBackend: 'trtllm-gen' }, b200, 'fp8_block'), false);
  });

  it("times the grouped GEMMs from its measured DeepGEMM GEMM, not the roofline nor another engine's kernel", () => {
    for (const p of [plan(8, 8, 'fp8'), plan(8, 1, 'fp8')]) {
      for (const name of ['experts_gate_up', 'experts_down']) {
        const op = moeOp('b200', p, 'trtllm', name);
        assert.match(op.source ?? '', /dense GEMM kernel: .*b200_sxm trtllm .*gemm \[deepgemm\]/, name);
      }
    }
    // nvfp4 experts keep the fused kernel vLLM measured (TensorRT-LLM's own, through FlashInfer) under TP.
    assert.match(
      moeOp('b200', plan(8, 1, 'nvfp4'), 'trtllm', 'experts_gate_up').source ?? '',
      /vllm's kernel/,
    );
    // Hopper: TensorRT-LLM's own measured (CUTLASS) MoE table.
    assert.match(
      moeOp('h200', plan(8, 8, 'fp8'), 'trtllm', 'experts_gate_up').source ?? '',
      /h200_sxm trtllm .* moe/,
    );
  });

  it('the dense equivalent reads the busiest rank’s experts: more of them, more time', () => {
    const one = moeOp('gb200', plan(8, 8, 'fp8'), 'trtllm', 'experts_gate_up', 1).seconds;
    const eight = moeOp('gb200', plan(8, 8, 'fp8'), 'trtllm', 'experts_gate_up', 8).seconds;
    assert.ok(eight > 1.5 * one, `${eight} vs ${one}`);
  });

  it('gathers the rows into padded expert slots and back: the permute and finalize take two kernels each', () => {
    for (const name of ['experts_permute', 'experts_finalize']) {
      const fp8 = moeOp('b200', plan(8, 8, 'fp8'), 'trtllm', name);
      // The same rows under nvfp4 (the CUTLASS / TRT-LLM-gen backends): one kernel.
      const nvfp4 = moeOp('b200', plan(8, 8, 'nvfp4'), 'trtllm', name);
      assert.equal(fp8.bytes, nvfp4.bytes);
      assert.ok(Math.abs(fp8.seconds / nvfp4.seconds - 2) < 1e-9, name);
      assert.match(fp8.source ?? '', /^two kernels/);
    }
  });
});
