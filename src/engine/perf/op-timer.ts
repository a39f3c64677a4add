import type { HardwareSpec } from '../hardware/spec.js';
import type { Plan } from '../memory/plan.js';
import { partWeightFormat, type WeightLayout } from '../model/checkpoint.js';
import type { LayerCostSetup, OpCost } from '../model/cost.js';
import { ACTIVATION_BYTES, type WeightFormat } from '../model/dtypes.js';
import type { ModelSpec } from '../model/spec.js';
import type { Calibration } from './calibration.js';
import { type Curve, interpolateLogX, toSortedArrays } from './interpolate.js';
import { gemmTableDtypeOf, type MeasuredOps, type ResolvedOpTime } from './measured-ops.js';
import { type MeasuredOpTables, measuredLinearSeconds } from './op-tables.js';
import { type DevicePeaks, devicePeaks, speedOfLight } from './roofline.js';
import { type EngineKernels, runsMoeOnDenseKernel, type ServingEngine } from './serving-engine.js';
import type { Bound, BreakdownEntry } from './step-timing.js';

/**
 * Where TensorRT-LLM runs its experts on DeepGEMM (runsMoeOnDenseKernel), the routed rows take two
 * passes each side of the grouped GEMMs (NVIDIA/TensorRT-LLM
 * tensorrt_llm/_torch/modules/fused_moe/fused_moe_deepgemm.py @01738366, DeepGemmFusedMoE.forward_chunk).
 */
const DENSE_KERNEL_MOE_SECOND_PASS: Readonly<Record<string, string>> = {
  experts_permute: "moe_permute_op, then a masked copy with fp8 quantization into the experts' padded rows",
  experts_finalize: 'a masked gather out of the padded rows, then moe_finalize_scale_op',
};

/** What an OpTimer reads of the plan and the engine: fixed for the life of one step model. */
export interface OpTimerSetup {
  model: ModelSpec;
  hardware: HardwareSpec;
  plan: Plan;
  calibration: Calibration;
  /** Imported op tables (Vidur, op CSVs): where they cover an op, they replace everything else. */
  opTables: MeasuredOpTables | undefined;
  /** The engine's measured ops; undefined: roofline defaults. */
  measured: MeasuredOps | undefined;
  engine: ServingEngine | undefined;
  /** The engine's kernels: what it fuses, which fp8 GEMM kernel (PLAIN_KERNELS without an engine). */
  engineKernels: EngineKernels;
  /** The plan's weight format, part by part (a checkpoint may store only its experts quantized). */
  weightLayout: WeightLayout;
  peaks: DevicePeaks;
}

/**
 * One op's time on one GPU, and its breakdown row: an imported table, else the engine's measured
 * kernel (GEMM, MLA BMM, grouped experts on a dense kernel), else speed of light / the calibration's
 * efficiency. The step model times every token-count op through one of these.
 */
export class OpTimer {
  private readonly gemmEfficiency: Curve;
  private readonly elementwiseEfficiency: Curve;

  constructor(private readonly s: OpTimerSetup) {
    this.gemmEfficiency = toSortedArrays(s.calibration.gemm);
    this.elementwiseEfficiency = toSortedArrays(s.calibration.elementwise);
  }

  opEntry(op: OpCost, time: ResolvedOpTime, group: string): BreakdownEntry {
    const peaks = this.s.peaks;
    const peak =
      op.kind === 'linear'
        ? this.gemmPeak(op)
        : op.kind === 'attention'
          ? peaks.attentionFlops
          : peaks.vectorFlops;
    const entry: BreakdownEntry = {
      name: op.name,
      kind: op.kind,
      group,
      bound: this.boundOf(op, peak),
      seconds: time.seconds,
      calls: 1,
      flops: op.flops,
      bytes: op.bytes,
      source: time.source(),
    };
    if (op.detail !== undefined) entry.detail = op.detail;
    return entry;
  }

  boundOf(cost: { flops: number; bytes: number }, peakFlops: number): Bound {
    return cost.flops / peakFlops >= cost.bytes / this.s.peaks.bytesPerSecond ? 'compute' : 'memory';
  }

  opSeconds(op: OpCost, rows: number): number {
    return this.resolveOp(op, rows).seconds;
  }

  /** A linear op's tensor FLOP/s: its own weights' compute type (16-bit attention beside fp4 experts). */
  gemmPeak(op: OpCost): number {
    return op.weight ? devicePeaks(this.s.hardware, op.weight.dtype).gemmFlops : this.s.peaks.gemmFlops;
  }

  /**
   * One op's time on one GPU: an imported table where it has the op, else the engine's measured GEMM
   * (a plain matmul of `rows` rows), else speed of light / efficiency.
   */
  resolveOp(op: OpCost, rows: number): ResolvedOpTime {
    const { opTables: tables, measured, plan, model } = this.s;
    if (tables) {
      const imported = measuredLinearSeconds(tables, op.name, rows, plan.tp, model.hiddenSize);
      if (imported !== undefined)
        return { seconds: imported, source: () => `imported table ${tables.source}` };
    }
    // The op's own weight format: a checkpoint's 16-bit attention runs 16-bit GEMMs beside its fp4 experts.
    const weight = op.weight ?? this.s.weightLayout.format;
    const grouped = this.groupedOnDenseKernel(op, weight);
    if (grouped) return grouped;
    const bmm = op.mlaBmm && measured?.mlaBmm(op.mlaBmm.op, rows, op.mlaBmm.heads, op);
    if (bmm) return bmm;
    if (measured && op.gemm && op.kind === 'linear') {
      const tableDtype = gemmTableDtypeOf(
        this.s.engineKernels.blockScaledFp8 ? weight : { dtype: weight.dtype },
      );
      const gemm = measured.gemm(rows, op.gemm.n, op.gemm.k, weight.dtype, op, tableDtype);
      if (gemm) return this.withoutInputQuantization(gemm, op, rows, tableDtype);
    }
    return this.rooflineOp(op, rows);
  }

  /** Speed of light / the calibration's efficiency, plus a launch. */
  rooflineOp(op: OpCost, rows: number): ResolvedOpTime {
    const linear = op.kind === 'linear';
    const peak = linear ? this.gemmPeak(op) : this.s.peaks.vectorFlops;
    const sol = speedOfLight(op.flops, op.bytes, peak, this.s.peaks.bytesPerSecond);
    const e = linear ? this.gemmEfficiency : this.elementwiseEfficiency;
    const efficiency = interpolateLogX(e.xs, e.ys, linear ? rows : op.bytes);
    const launch = this.s.calibration.kernelLaunchSeconds;
    return { seconds: sol / efficiency + launch, source: () => this.rooflineSource() };
  }

  /** The kernel the engine runs op `name` inside, or undefined where it runs on its own. */
  fusedInto(name: string, setup: LayerCostSetup): string | undefined {
    const f = this.s.engineKernels;
    const into = f.fusedOps[name];
    if (into !== undefined || !f.normsInAllReduce || this.s.plan.tp <= 1) return into;
    if (name === 'post_attention_norm') return 'tp_all_reduce_attention';
    // Under EP across attention-DP ranks the FFN ends in the combine, not an all-reduce: the next norm
    // runs on its own (layer-collectives.ts draws the same line).
    const ffnAllReduce = !(setup.layer.ffn.kind === 'moe' && setup.ep > 1 && setup.epGroupBatches > 1);
    return name === 'input_norm' && ffnAllReduce ? "the previous layer's tp_all_reduce_mlp" : undefined;
  }

  /** The GEMM table format a weight format reads with the engine's kernels (EngineKernels.blockScaledFp8). */
  private tableDtypeOf(weight: WeightFormat): string {
    return gemmTableDtypeOf(this.s.engineKernels.blockScaledFp8 ? weight : { dtype: weight.dtype });
  }

  /**
   * The routed experts' grouped GEMM where the engine runs it on the kernel of its dense GEMM table
   * (runsMoeOnDenseKernel) and no MoE table timed the layer: that table's time for the dense
   * equivalent (the same FLOPs and weight bytes, OpCost.groupedGemm), its small-row efficiency rather
   * than the roofline default's. Undefined: not such an op or engine.
   */
  private groupedOnDenseKernel(op: OpCost, weight: WeightFormat): ResolvedOpTime | undefined {
    const { measured, engine } = this.s;
    if (!measured || !engine) return undefined;
    const tableDtype = this.tableDtypeOf(weight);
    const experts = this.tableDtypeOf(partWeightFormat(this.s.weightLayout, 'experts'));
    if (!runsMoeOnDenseKernel(engine, this.s.hardware, experts)) return undefined;
    const twice = DENSE_KERNEL_MOE_SECOND_PASS[op.name];
    if (twice !== undefined) {
      const once = this.rooflineOp(op, op.bytes);
      return { seconds: 2 * once.seconds, source: () => `two kernels: ${twice}; each ${once.source()}` };
    }
    const shape = op.groupedGemm;
    if (!shape || shape.m <= 0) return undefined;
    const gemm = measured.gemm(shape.m, shape.n, shape.k, weight.dtype, op, tableDtype);
    if (!gemm) return undefined;
    const id = engine.id;
    return {
      seconds: gemm.seconds,
      source: () =>
        `${id} runs ${tableDtype} experts on its dense GEMM kernel: ${gemm.source()} (m ${shape.m.toFixed(1)} rows an expert, n ${Math.round(shape.n)}, k ${Math.round(shape.k)})`,
    };
  }

  /**
   * A measured GEMM less the input quantization its table includes, where the engine quantizes the
   * input in the kernel that produces it. That quantization is the measured one where the table's
   * Linear computed its scale dynamically (EngineKernels.dynamicallyQuantizedTables: an amax reduction,
   * then the scaling, which a checkpoint's static scale spares), else the scaling kernel on the
   * elementwise roofline (a read of the 16-bit rows, a write of the quantized ones). Never below the
   * GEMM's speed of light.
   */
  private withoutInputQuantization(
    measured: ResolvedOpTime,
    op: OpCost,
    rows: number,
    tableDtype: string | undefined,
  ): ResolvedOpTime {
    const kernels = this.s.engineKernels;
    if (tableDtype === undefined || !kernels.quantizedInputs.includes(tableDtype) || !op.gemm)
      return measured;
    const dynamicScale = kernels.dynamicallyQuantizedTables.includes(tableDtype);
    const measuredQuantize = dynamicScale
      ? this.s.measured?.quantize(rows, op.gemm.k, tableDtype, true)
      : undefined;
    const quantize = measuredQuantize ?? this.rooflineInputQuantization(rows, op.gemm.k);
    const floor = speedOfLight(op.flops, op.bytes, this.gemmPeak(op), this.s.peaks.bytesPerSecond);
    const seconds = Math.max(floor, measured.seconds - quantize.seconds);
    const what = measuredQuantize
      ? `its dynamic input quantization, ${measuredQuantize.source()}`
      : 'its input quantization';
    return {
      seconds,
      source: () =>
        `${measured.source()}, less ${what} (${((measured.seconds - seconds) * 1e6).toFixed(1)} µs: fused into the producing kernel)`,
    };
  }

  /** Quantizing `rows` × `k` 16-bit activations on the elementwise roofline. */
  rooflineInputQuantization(rows: number, k: number): ResolvedOpTime {
    const elements = rows * k;
    // A 16-bit read and an at most one-byte write per element (fp8; nvfp4 writes half a byte and scales).
    const bytes = elements * (ACTIVATION_BYTES + 1);
    return this.resolveOp({ name: 'quantize_input', kind: 'elementwise', flops: 2 * elements, bytes }, rows);
  }

  rooflineSource(): string {
    const measuredElsewhere = this.s.measured ? ' (no measured table for this op)' : '';
    return `roofline × ${this.s.calibration.source} efficiency${measuredElsewhere}`;
  }
}
