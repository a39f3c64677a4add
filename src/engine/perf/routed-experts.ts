import type { LayerCostSetup, OpCost } from '../model/cost.js';
import { ACTIVATION_BYTES } from '../model/dtypes.js';
import { deepEpKernelsFor } from './deepep.js';
import { epGroupBatches } from './expert-parallel.js';
import { gemmTableDtypeOf, type ResolvedOpTime } from './measured-ops.js';
import { moeKernelDegrees } from './moe-tensor-parallel.js';
import type { OpTimer, OpTimerSetup } from './op-timer.js';
import { devicePeaks, speedOfLight } from './roofline.js';
import { paddedDeepGemmRows, runsPaddedDeepGemmMoe } from './vllm-deepgemm-moe.js';

/**
 * A MoE layer's routed-expert ops (model/cost/ffn.ts), which the engines' measured MoE kernels time as
 * one: the top-k routing, the permutation, the grouped GEMMs and activation, the finalize.
 */
export const ROUTED_EXPERT_OPS = new Set([
  'experts_topk',
  'experts_permute',
  'experts_gate_up',
  'silu_and_mul',
  'experts_down',
  'experts_finalize',
]);
/** The routed-expert op a measured MoE kernel's time is shown on; the others are inside it. */
export const MOE_KERNEL_OP = 'experts_gate_up';

/** What the routed experts' timing reads of the plan and the engine. */
export type RoutedExpertsSetup = Pick<OpTimerSetup, 'hardware' | 'plan' | 'measured' | 'engine'>;

/**
 * A MoE layer's routed experts where the engine's fused MoE table alone does not time them: vLLM 0.12's
 * padded DeepGEMM experts, a DeepEP rank's share of the measured kernel (floored at its roofline).
 */
export class RoutedExperts {
  constructor(
    private readonly s: RoutedExpertsSetup,
    private readonly ops: OpTimer,
  ) {}

  /**
   * vLLM 0.12's DeepGEMM experts on Hopper (perf/vllm-deepgemm-moe.ts): both grouped GEMMs over the
   * padded rows, whatever the batch, each timed as the engine's dense DeepGEMM fp8_block GEMM of those
   * rows through one expert (the same FLOPs; the padding rows reuse expert 0's weights), never under the
   * routed experts' weights at the roofline; the gate/up one less the input quantization its table
   * includes (the permuted rows are fp8 already), the down one with it (the activation is quantized over
   * every padded row); SiLU × up over the padded rows. The top-k, permute and finalize keep their own
   * time. Undefined: not that engine, version, GPU or format, or no dense fp8_block table.
   */
  paddedDeepGemm(
    setup: LayerCostSetup,
    groupTokens: number,
    routed: readonly OpCost[],
  ): Map<string, ResolvedOpTime> | undefined {
    const ffn = setup.layer.ffn;
    const measured = this.s.measured;
    if (ffn.kind !== 'moe' || !measured || groupTokens <= 0) return undefined;
    const tableDtype = gemmTableDtypeOf(setup.weights.experts);
    const { tp: kernelTp, ep: kernelEp } = moeKernelDegrees(setup);
    const deepEp = deepEpKernelsFor(this.s.plan.allToAll, 1) !== undefined;
    if (!runsPaddedDeepGemmMoe(this.s.engine, this.s.hardware, tableDtype, kernelTp, deepEp))
      return undefined;
    const h = setup.hiddenSize;
    const width = ffn.width / kernelTp;
    const rows = paddedDeepGemmRows(groupTokens * ffn.topK, ffn.experts / kernelEp);
    const why = `vLLM 0.12 DeepGEMM experts over ${rows} padded rows (${groupTokens * ffn.topK} routed)`;
    const gemm = (
      name: string,
      n: number,
      k: number,
      quantizedInput: boolean,
    ): ResolvedOpTime | undefined => {
      const own = routed.find((op) => op.name === name);
      const flops = 2 * rows * n * k;
      const cost = { flops, bytes: n * k + rows * (k + 2 * n) };
      const table = measured.gemm(rows, n, k, setup.weights.experts.dtype, cost, tableDtype);
      if (!table) return undefined;
      const quantize = quantizedInput
        ? (measured.quantize(rows, k, tableDtype, true) ?? this.ops.rooflineInputQuantization(rows, k))
        : undefined;
      const peaks = devicePeaks(this.s.hardware, setup.weights.experts.dtype);
      const floor = speedOfLight(
        flops,
        Math.max(cost.bytes, own?.bytes ?? 0),
        peaks.gemmFlops,
        peaks.bytesPerSecond,
      );
      const seconds = Math.max(floor, table.seconds - (quantize?.seconds ?? 0));
      const less = quantize
        ? `, less its input quantization (${(quantize.seconds * 1e6).toFixed(1)} µs)`
        : '';
      return { seconds, source: () => `${why}: ${table.source()}${less} (m ${rows}, n ${n}, k ${k})` };
    };
    const gateUp = gemm('experts_gate_up', 2 * width, h, true);
    const down = gemm('experts_down', h, width, false);
    if (!gateUp || !down) return undefined;
    const silu = this.ops.rooflineOp(
      {
        name: 'silu_and_mul',
        kind: 'elementwise',
        flops: 5 * rows * width,
        bytes: 3 * rows * width * ACTIVATION_BYTES,
      },
      rows,
    );
    return new Map([
      ['experts_gate_up', gateUp],
      ['silu_and_mul', { seconds: silu.seconds, source: () => `${why}: ${silu.source()}` }],
      ['experts_down', down],
    ]);
  }

  /**
   * A dispatched rank's share of the measured EP-1 kernel, never faster than its own routed experts on
   * the roofline at the calibration's efficiencies: the EP-1 table's few-token rows read all 256 experts'
   * weights faster than HBM allows (gb300 fp8_block, 128 tokens: 11.3 GB in 1.04 ms), and a rank's share
   * of them would stream its experts' weights above the GPU's peak bandwidth.
   */
  notBelowRoofline(measured: ResolvedOpTime, routed: OpCost[], rows: number): ResolvedOpTime {
    let roofline = 0;
    for (const op of routed) roofline += this.ops.rooflineOp(op, rows).seconds;
    if (roofline <= measured.seconds) return measured;
    return {
      seconds: roofline,
      source: () => `roofline floor of the rank's experts (above ${measured.source()})`,
    };
  }

  /**
   * Whether an all-to-all hands each EP rank only the tokens routed to its experts (DeepEP, over an EP
   * group of attention-DP ranks), so that its MoE kernel runs those alone (measured-layer.ts). Read from
   * the plan: the expert table of a lockstep group is built with the group's tokens on one setup.
   */
  dispatchesRoutedTokens(setup: LayerCostSetup): boolean {
    return (
      moeKernelDegrees(setup).ep > 1 &&
      epGroupBatches(this.s.plan) > 1 &&
      deepEpKernelsFor(this.s.plan.allToAll, 1) !== undefined
    );
  }
}
