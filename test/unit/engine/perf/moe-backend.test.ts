// The MoE backend a launch selects (TensorRT-LLM moe_config.backend, vLLM's MoE environment variables)
// decides which measured kernel times the routed experts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { paddedForTrtllmGen } from '../../../../src/engine/perf/measured-layer.js';
import { describeMoeBackends, engineHasMoeBackend } from '../../../../src/engine/perf/moe-backend.js';
import type { ServingEngineInput } from '../../../../src/engine/perf/serving-engine.js';
import { addPrefillChunk, addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { type BreakdownEntry, compileStepModel } from '../../../../src/engine/perf/step-model.js';

type Fill = (s: ReturnType<typeof createBatchShape>) => void;
const decode =
  (batch: number): Fill =>
  (s) =>
    addUniformDecodes(s, batch, 1500);
const prefill =
  (tokens: number): Fill =>
  (s) =>
    addPrefillChunk(s, tokens, 0, true);

/** The MoE layers' ops of one step, by name. */
function moeOps(
  modelId: string,
  plan: Plan,
  engine: ServingEngineInput,
  fill: Fill,
  hardware = 'b200',
): Map<string, BreakdownEntry> {
  const model = getModel(modelId);
  const step = compileStepModel(model, getHardware(hardware), plan, { engine });
  const shape = createBatchShape(model.slidingWindow);
  fill(shape);
  const ops = new Map<string, BreakdownEntry>();
  for (const e of step.breakdown(shape)) if (e.group.includes('MoE') && !ops.has(e.name)) ops.set(e.name, e);
  return ops;
}

const routedSeconds = (ops: Map<string, BreakdownEntry>) =>
  ['experts_topk', 'experts_permute', 'experts_gate_up', 'silu_and_mul', 'experts_down', 'experts_finalize']
    .map((n) => ops.get(n)?.seconds ?? 0)
    .reduce((a, b) => a + b, 0);

describe('TensorRT-LLM block-scaled fp8 experts on B200: DEEPGEMM against TRTLLM', () => {
  const plan: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
  const trtllm: ServingEngineInput = { id: 'trtllm', version: '1.2.0rc6' };

  it("TRTLLM reads the trtllm-gen fp8 block-scale kernel's measured table, one fused kernel", () => {
    const ops = moeOps('deepseek-v3', plan, { ...trtllm, moeBackend: 'trtllm-gen' }, decode(16));
    const gateUp = ops.get('experts_gate_up');
    assert.ok(gateUp);
    assert.match(
      gateUp.source ?? '',
      /^trtllm measured no trtllm-gen fp8_block MoE on b200_sxm: the trtllm-gen kernel as vllm measured it .*moe \[vllm_fp8moe_flashinfer_trtllm_trtllmfp8expertsmonolithic\]/,
    );
    assert.match(ops.get('experts_down')?.source ?? '', /inside the fused MoE kernel/);
  });

  it('the default, and DEEPGEMM named, price the grouped GEMMs from the DeepGEMM GEMM table', () => {
    for (const engine of [trtllm, { ...trtllm, moeBackend: 'deepgemm' } as const]) {
      const ops = moeOps('deepseek-v3', plan, engine, decode(16));
      assert.match(ops.get('experts_gate_up')?.source ?? '', /dense GEMM kernel: .*gemm \[deepgemm\]/);
    }
    const deepgemm = routedSeconds(moeOps('deepseek-v3', plan, trtllm, decode(16)));
    const fused = routedSeconds(
      moeOps('deepseek-v3', plan, { ...trtllm, moeBackend: 'trtllm-gen' }, decode(16)),
    );
    assert.notEqual(fused, deepgemm);
  });
});

describe('vLLM gpt-oss on B200 with VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8=1', () => {
  const plan: Plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'mxfp4', kvDtype: 'fp8' };
  const vllm: ServingEngineInput = { id: 'vllm', version: '0.15.1' };
  const mxfp8: ServingEngineInput = { ...vllm, moeBackend: 'trtllm-gen-mxfp8' };

  it('reads the w4a8_mxfp4_mxfp8 kernel at the nearest measured expert size, not the bf16-activation one', () => {
    const base = moeOps('gpt-oss-120b', plan, vllm, decode(64)).get('experts_gate_up');
    const fast = moeOps('gpt-oss-120b', plan, mxfp8, decode(64)).get('experts_gate_up');
    assert.ok(base && fast);
    assert.match(base.source ?? '', /mxfp4_bf16/);
    assert.match(
      fast.source ?? '',
      /^trtllm-gen MoE, mxfp8 activations \(w4a8_mxfp4_mxfp8\): its efficiency at 4096×2048 top-6 of 256 .*same tokens per expert.*mxfp4_mxfp8/,
    );
    // Measured on B200: the mxfp8 kernel streams its weights at a higher share of bandwidth.
    assert.ok(fast.seconds < base.seconds, `${fast.seconds} vs ${base.seconds}`);
  });

  it('runs a prefill on fp8 tensor cores: several times the bf16-activation kernel’s throughput', () => {
    const base = moeOps('gpt-oss-120b', plan, vllm, prefill(8192)).get('experts_gate_up');
    const fast = moeOps('gpt-oss-120b', plan, mxfp8, prefill(8192)).get('experts_gate_up');
    assert.ok(base && fast);
    const ratio = base.seconds / fast.seconds;
    assert.ok(ratio > 2 && ratio < 5, `bf16 / mxfp8 activations = ${ratio}`);
  });

  it("pads the expert shape to vLLM's 256 multiples before carrying the efficiency", () => {
    // gpt-oss's 2880 runs as 3072 (mxfp4.py create_weights), each GPU's expert width padded on its own.
    const padded = paddedForTrtllmGen({ hidden: 2880, inter: 2880, tp: 1, ep: 1 });
    assert.deepEqual([padded.hidden, padded.inter], [3072, 3072]);
    assert.equal(paddedForTrtllmGen({ hidden: 2880, inter: 2880, tp: 2, ep: 1 }).inter, 3072);
    assert.equal(paddedForTrtllmGen({ hidden: 2880, inter: 2880, tp: 8, ep: 1 }).inter, 8 * 512);
    assert.equal(paddedForTrtllmGen({ hidden: 4096, inter: 2048, tp: 1, ep: 4 }).inter, 2048);
  });
});

describe('TensorRT-LLM gpt-oss on B200: mxfp4 experts its table measured at other shapes only', () => {
  const trtllm: ServingEngineInput = { id: 'trtllm', version: '1.2.0rc2' };
  const tp1: Plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'mxfp4', kvDtype: 'fp8' };
  const dep2: Plan = { tp: 1, pp: 1, dp: 2, ep: 2, weightDtype: 'mxfp4', kvDtype: 'fp8' };

  it('carries the nearest measured shape’s efficiency at the same tokens per expert', () => {
    const gateUp = moeOps('gpt-oss-120b', tp1, trtllm, decode(32)).get('experts_gate_up');
    assert.match(
      gateUp?.source ?? '',
      /^MoE \(moe_torch_flow\): its efficiency at 4096×2048 top-6 of 256 at 43 tokens \(same tokens per expert\)/,
    );
  });

  it('halves the experts each GPU streams under EP 2: two ranks’ tokens cost less than one rank’s alone', () => {
    // 32 decodes on one GPU touch ~82 of 128 experts; 2 × 32 over EP 2 touch ~111, 56 on each GPU: the
    // weight bytes a memory-bound step streams fall to ~0.68. The generic axis extrapolation carried the
    // neighbour shape's growth in tokens (256 experts, top-6) and gave 0.93.
    const one = routedSeconds(moeOps('gpt-oss-120b', tp1, trtllm, decode(32)));
    const two = routedSeconds(moeOps('gpt-oss-120b', dep2, trtllm, decode(32)));
    const ratio = two / one;
    assert.ok(ratio > 0.6 && ratio < 0.8, `EP 2 over TP 1 = ${ratio}`);
  });
});

describe("TensorRT-LLM's CUTLASS MoE backend (moe_config.backend: CUTLASS)", () => {
  const trtllm: ServingEngineInput = { id: 'trtllm', version: '1.2.0rc6' };
  const cutlass: ServingEngineInput = { ...trtllm, moeBackend: 'cutlass' };

  it("reads its own table's CUTLASS kernel where it measured one (H200 block-scaled fp8)", () => {
    const plan: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
    const ops = moeOps('deepseek-v3', plan, cutlass, decode(64), 'h200');
    const gateUp = ops.get('experts_gate_up');
    assert.ok(gateUp);
    assert.match(gateUp.source ?? '', /^measured from h200_sxm trtllm .*moe \[moe_torch_flow_cutlass\]/);
    // Hopper's tables measured CUTLASS only: the same time as the default.
    const base = routedSeconds(moeOps('deepseek-v3', plan, trtllm, decode(64), 'h200'));
    assert.ok(Math.abs(routedSeconds(ops) - base) < 1e-12);
  });

  it('carries its efficiency from the nearest expert shape the table measured it at', () => {
    // GLM-4.5's 5120 × 1536 experts, 160 top-8: not among the H200 table's CUTLASS shapes.
    const plan: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' };
    const gateUp = moeOps('glm-4.5', plan, cutlass, decode(64), 'h200').get('experts_gate_up');
    assert.ok(gateUp);
    assert.match(
      gateUp.source ?? '',
      /^cutlass MoE \(moe_torch_flow_cutlass\): its efficiency at \d+×\d+ top-\d+ of \d+/,
    );
  });

  it("keeps the default kernel's time where TensorRT-LLM measured no CUTLASS, not another engine's", () => {
    // B200 nvfp4: TensorRT-LLM's tables hold no nvfp4 MoE; vLLM's FlashInfer CUTLASS does not stand in.
    const plan: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'nvfp4', kvDtype: 'fp8' };
    const ops = moeOps('deepseek-v3', plan, cutlass, decode(64));
    const gateUp = ops.get('experts_gate_up');
    assert.ok(gateUp);
    assert.match(
      gateUp.source ?? '',
      /^trtllm measured no cutlass nvfp4 MoE on b200_sxm or its class: the default kernel's time; .*trtllm/,
    );
    assert.doesNotMatch(gateUp.source ?? '', /flashinfer_cutlass/);
    const base = routedSeconds(moeOps('deepseek-v3', plan, trtllm, decode(64)));
    assert.ok(Math.abs(routedSeconds(ops) - base) < 1e-12);
  });
});

describe("vLLM's Triton fused MoE (VLLM_USE_FLASHINFER_MOE_FP8=0 VLLM_MOE_USE_DEEP_GEMM=0)", () => {
  const plan: Plan = { tp: 4, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
  const vllm: ServingEngineInput = { id: 'vllm', version: '0.17.0' };
  const triton: ServingEngineInput = { ...vllm, moeBackend: 'triton' };

  it("reads SGLang's Triton kernel on a Blackwell sibling where no vLLM table measured it on B200", () => {
    const gateUp = moeOps('minimax-m2.5', plan, triton, decode(32)).get('experts_gate_up');
    assert.match(
      gateUp?.source ?? '',
      /^transferred from \S+ \(efficiency [\d.]+\): vllm measured no triton fp8_block MoE on b200_sxm: the triton kernel as sglang measured it on (b300_sxm|gb200)\b.*moe \[sglang_fused_moe_triton\]/,
    );
    const defaultGateUp = moeOps('minimax-m2.5', plan, vllm, decode(32)).get('experts_gate_up');
    assert.match(defaultGateUp?.source ?? '', /vllm_fp8moe_flashinfer_trtllm/);
  });

  it('takes longer than the default trtllm-gen kernel at decode sizes, as the tables measured them', () => {
    for (const batch of [4, 32]) {
      const fused = routedSeconds(moeOps('minimax-m2.5', plan, vllm, decode(batch)));
      const tritonSeconds = routedSeconds(moeOps('minimax-m2.5', plan, triton, decode(batch)));
      assert.ok(tritonSeconds > 1.1 * fused, `batch ${batch}: ${tritonSeconds} against ${fused}`);
    }
  });

  it("reads vLLM's own Triton kernel by name where its table measured it (H200)", () => {
    const gateUp = moeOps('minimax-m2.5', plan, triton, decode(8), 'h200-sxm').get('experts_gate_up');
    assert.match(
      gateUp?.source ?? '',
      /^measured from h200_sxm vllm \S+ moe \[vllm_fp8moe_triton_tritonexperts\]/,
    );
  });
});

describe("SGLang's --moe-runner-backend", () => {
  const sglang: ServingEngineInput = { id: 'sglang', version: '0.5.9' };
  const plan: Plan = { tp: 4, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };

  it('flashinfer_trtllm reads the trtllm-gen rows the Blackwell tables measured, as the default does', () => {
    const chosen = moeOps('deepseek-v3', plan, { ...sglang, moeBackend: 'trtllm-gen' }, decode(32), 'gb200');
    assert.match(chosen.get('experts_gate_up')?.source ?? '', /moe \[sglang_flashinfer_trtllm_moe\]/);
    const base = routedSeconds(moeOps('deepseek-v3', plan, sglang, decode(32), 'gb200'));
    assert.ok(Math.abs(routedSeconds(chosen) - base) < 1e-12);
  });

  it("triton reads the fused Triton kernel's rows, not the table's trtllm-gen ones at the model's shape", () => {
    // GB200 measured Triton at 7168 × 3072, top-6 of 384 only: its efficiency carried to DeepSeek's shape.
    const triton = moeOps('deepseek-v3', plan, { ...sglang, moeBackend: 'triton' }, decode(32), 'gb200');
    const gateUp = triton.get('experts_gate_up');
    assert.match(
      gateUp?.source ?? '',
      /^triton MoE \(sglang_fused_moe_triton\): its efficiency at 7168×3072 top-6 of 384/,
    );
    const base = routedSeconds(moeOps('deepseek-v3', plan, sglang, decode(32), 'gb200'));
    assert.ok(routedSeconds(triton) > base * 1.2, `${routedSeconds(triton)} against ${base}`);
  });

  it("flashinfer_cutlass keeps the default kernel's time where SGLang measured no CUTLASS MoE, saying so", () => {
    const cutlass = moeOps('deepseek-v3', plan, { ...sglang, moeBackend: 'cutlass' }, decode(32), 'gb200');
    assert.match(
      cutlass.get('experts_gate_up')?.source ?? '',
      /^sglang measured no cutlass fp8_block MoE on gb200 or its class: the default kernel's time/,
    );
  });
});

describe('the MoE backend as an engine setting', () => {
  it('each engine takes only the backends it has', () => {
    assert.equal(engineHasMoeBackend('trtllm', 'cutlass'), true);
    assert.equal(engineHasMoeBackend('vllm', 'cutlass'), false);
    assert.match(describeMoeBackends(), /cutlass: .*trtllm: moe_config: \{backend: CUTLASS\}/);
    assert.equal(engineHasMoeBackend('trtllm', 'deepgemm'), true);
    assert.equal(engineHasMoeBackend('trtllm', 'trtllm-gen'), true);
    assert.equal(engineHasMoeBackend('vllm', 'trtllm-gen-mxfp8'), true);
    assert.equal(engineHasMoeBackend('vllm', 'deepgemm'), false);
    assert.equal(engineHasMoeBackend('sglang', 'marlin'), false);
    assert.equal(engineHasMoeBackend('sglang', 'triton'), true);
    assert.equal(engineHasMoeBackend('trtllm', 'triton'), false);
    assert.match(describeMoeBackends(), /cutlass: .*sglang: --moe-runner-backend flashinfer_cutlass/);
    assert.match(describeMoeBackends(), /trtllm-gen-mxfp8: .*VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8=1/);
    assert.equal(engineHasMoeBackend('vllm', 'triton'), true);
  });
});
