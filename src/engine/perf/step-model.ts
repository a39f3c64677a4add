import type { HardwareSpec } from '../hardware/spec.js';
import { assertPlanValid, type Plan, planGpus } from '../memory/plan.js';
import { expectedActiveExperts, layerOpCosts, lmHeadCost, type OpCost } from '../model/cost.js';
import { ACTIVATION_BYTES, weightBytesPerParam } from '../model/dtypes.js';
import {
  kvBytesPerTokenPerGpu,
  kvBytesPerTokenPerReplica,
  type LayerGeometry,
  layerKvBytesPerToken,
  shardLayer,
  uniformLayer,
} from '../model/geometry.js';
import type { ModelSpec } from '../model/spec.js';
import { Calibration, defaultCalibrationFor } from './calibration.js';
import { allReduceSeconds, allToAllSeconds, groupLink, type Link, p2pSeconds } from './comm.js';
import { interpolateLogX, lookupTokenTable, tokenGrid, toSortedArrays } from './interpolate.js';
import type { MeasuredOpTables } from './op-tables.js';
import { attentionEfficiencyPoints, measuredAllReduceSeconds, measuredLinearSeconds } from './op-tables.js';
import { type DevicePeaks, devicePeaks, speedOfLight } from './roofline.js';
import type { BatchShape } from './shape.js';

export type BreakdownKind = 'linear' | 'attention' | 'elementwise' | 'communication' | 'overhead';

export interface BreakdownEntry {
  name: string;
  kind: BreakdownKind;
  /** Seconds on the step's critical path, summed over the layers the op runs in. */
  seconds: number;
  /** How many times the op runs in the step (layers, or 1). */
  calls: number;
  /** FLOPs and bytes of one call on one GPU (0 for communication and overhead). */
  flops: number;
  bytes: number;
}

/** The parts of one step's time that the simulator schedules separately (pipeline stages). Reused, never allocated per step. */
export interface StepTiming {
  /** CPU-side scheduling, input preparation and sampling: before the first stage. */
  overheadSeconds: number;
  /** Compute of one pipeline stage (its layers). */
  stageSeconds: number;
  /** Activation send between consecutive stages (0 without PP). */
  stageSendSeconds: number;
  /** LM head and final norm on the last stage. */
  headSeconds: number;
  /** From the step's start to its tokens being sampled. */
  totalSeconds: number;
}

export function createStepTiming(): StepTiming {
  return { overheadSeconds: 0, stageSeconds: 0, stageSendSeconds: 0, headSeconds: 0, totalSeconds: 0 };
}

export interface StepModelOptions {
  calibration?: Calibration;
  /** Measured op times (imported tables): where they cover an op, they replace the roofline. */
  opTables?: MeasuredOpTables;
}

/** Curves as typed arrays, for interpolation without allocation. */
interface Curve {
  xs: Float64Array;
  ys: Float64Array;
}
const curveOf = (points: readonly (readonly [number, number])[]): Curve => toSortedArrays(points);

/**
 * The step-time model of one plan: everything that does not depend on the batch is computed here, once.
 * Every layer has the same geometry (`uniformLayer`). Per layer, the ops whose cost depends only on the
 * batch's token count (linears, norms, activations, collectives) are summed into a table over token
 * counts; attention, which depends on context, is evaluated from aggregated sums. `timeStep` is
 * allocation-free.
 */
export class StepModel {
  readonly calibration: Calibration;
  readonly layersPerStage: number;
  readonly gpusPerReplica: number;
  /** KV bytes one token occupies on one GPU (this stage's layers). */
  readonly kvBytesPerTokenPerGpu: number;
  /** KV bytes one token occupies across the whole replica (all layers, all KV heads). */
  readonly kvBytesPerTokenPerReplica: number;

  private readonly layer: LayerGeometry;
  private readonly peaks: DevicePeaks;
  private readonly grid = tokenGrid();
  private readonly layerTable: Float64Array;
  private readonly headTable: Float64Array;
  private readonly prefillEfficiency: Curve;
  private readonly decodeEfficiency: Curve;
  private readonly gemmEfficiency: Curve;
  private readonly elementwiseEfficiency: Curve;
  private readonly attentionFlopsPerPair: number;
  private readonly perPrefillChunkSeconds: number;
  private readonly attentionBytesPerToken: number;
  private readonly kvBytesPerKey: number;
  private readonly tpLink: Link;
  private readonly ppLink: Link;
  private readonly hostLink: Link;
  private readonly hiddenBytesPerToken: number;

  constructor(
    readonly model: ModelSpec,
    readonly hardware: HardwareSpec,
    readonly plan: Plan,
    private readonly options: StepModelOptions = {},
  ) {
    assertPlanValid(model, plan);
    this.calibration = Calibration.parse(options.calibration ?? defaultCalibrationFor(hardware));
    this.layersPerStage = model.numLayers / plan.pp;
    this.gpusPerReplica = plan.tp * plan.pp;
    this.peaks = devicePeaks(hardware, plan.weightDtype);
    this.layer = uniformLayer(model);
    const shard = shardLayer(this.layer, plan.tp);
    const a = ACTIVATION_BYTES;
    this.kvBytesPerKey = layerKvBytesPerToken(this.layer, plan.tp, plan.kvDtype);
    this.attentionFlopsPerPair = 4 * shard.heads * shard.headDim;
    this.perPrefillChunkSeconds = this.calibration.perPrefillChunkOverheadSeconds ?? 0;
    this.attentionBytesPerToken = 2 * shard.heads * shard.headDim * a + this.kvBytesPerKey;
    this.kvBytesPerTokenPerGpu = kvBytesPerTokenPerGpu(model, plan);
    this.kvBytesPerTokenPerReplica = kvBytesPerTokenPerReplica(model, plan.kvDtype);
    this.hiddenBytesPerToken = model.hiddenSize * a;
    this.tpLink = groupLink(hardware, plan.tp);
    // Stages sit in other nodes once a replica outgrows one node.
    this.ppLink = groupLink(hardware, planGpus({ tp: plan.tp, pp: plan.pp, dp: 1 }));
    this.hostLink = { bytesPerSecond: hardware.hostLinkBytesPerSecond, latencySeconds: 10e-6 };
    const measuredAttention = options.opTables
      ? attentionEfficiencyPoints(options.opTables, {
          tp: plan.tp,
          hiddenSize: model.hiddenSize,
          attentionFlopsPerPair: this.attentionFlopsPerPair,
          attentionBytesPerToken: this.attentionBytesPerToken,
          kvBytesPerKey: this.kvBytesPerKey,
          peaks: this.peaks,
        })
      : { prefill: [], decode: [] };
    this.prefillEfficiency = curveOf(
      measuredAttention.prefill.length > 0 ? measuredAttention.prefill : this.calibration.prefillAttention,
    );
    this.decodeEfficiency = curveOf(
      measuredAttention.decode.length > 0 ? measuredAttention.decode : this.calibration.decodeAttention,
    );
    this.gemmEfficiency = curveOf(this.calibration.gemm);
    this.elementwiseEfficiency = curveOf(this.calibration.elementwise);

    const grid = this.grid;
    this.layerTable = new Float64Array(grid.length);
    this.headTable = new Float64Array(grid.length);
    for (let i = 0; i < grid.length; i++) {
      let seconds = 0;
      for (const entry of this.tokenDependentOps(grid[i])) seconds += entry.seconds;
      this.layerTable[i] = seconds;
      this.headTable[i] = this.headOp(grid[i]).seconds;
    }
  }

  /**
   * The time of one iteration, split as the pipeline needs it; returns the total. Allocation-free: the
   * function the simulator calls once per step.
   */
  timeStep(shape: BatchShape, out: StepTiming): number {
    const tokens = shape.prefillTokens + shape.decodeCount;
    if (tokens === 0) {
      out.overheadSeconds = 0;
      out.stageSeconds = 0;
      out.stageSendSeconds = 0;
      out.headSeconds = 0;
      out.totalSeconds = 0;
      return 0;
    }
    const c = this.calibration;
    const layer =
      lookupTokenTable(this.grid, this.layerTable, tokens) +
      this.prefillAttentionSeconds(shape) +
      this.decodeAttentionSeconds(shape);
    const stage = layer * this.layersPerStage;
    const pp = this.plan.pp;
    const send =
      pp > 1 ? p2pSeconds(tokens * this.hiddenBytesPerToken, this.ppLink, c.collectiveEfficiency) : 0;
    const head = lookupTokenTable(this.grid, this.headTable, shape.sampledTokens);
    const overhead =
      c.stepOverheadSeconds +
      c.perSequenceOverheadSeconds * (shape.prefillSequences + shape.decodeCount) +
      this.perPrefillChunkSeconds * shape.prefillSequences;
    out.overheadSeconds = overhead;
    out.stageSeconds = stage;
    out.stageSendSeconds = send;
    out.headSeconds = head;
    out.totalSeconds = overhead + pp * stage + (pp - 1) * send + head;
    return out.totalSeconds;
  }

  /** Total step time (allocation-free); see `timeStep` for its parts. */
  stepSeconds(shape: BatchShape): number {
    return this.timeStep(shape, this.scratch);
  }
  private readonly scratch = createStepTiming();

  prefillAttentionSeconds(shape: BatchShape): number {
    if (shape.prefillTokens === 0) return 0;
    const flops = this.attentionFlopsPerPair * shape.prefillPairs;
    const bytes = this.attentionBytesPerToken * shape.prefillTokens + this.kvBytesPerKey * shape.prefillKeys;
    const sol = speedOfLight(flops, bytes, this.peaks.attentionFlops, this.peaks.bytesPerSecond);
    const efficiency = interpolateLogX(this.prefillEfficiency.xs, this.prefillEfficiency.ys, flops);
    return sol / efficiency + this.calibration.kernelLaunchSeconds;
  }

  decodeAttentionSeconds(shape: BatchShape): number {
    const count = shape.decodeCount;
    if (count === 0) return 0;
    const keys = shape.decodeContextSum + count;
    const flops = this.attentionFlopsPerPair * keys;
    const bytes = this.attentionBytesPerToken * count + this.kvBytesPerKey * keys;
    const sol = speedOfLight(flops, bytes, this.peaks.attentionFlops, this.peaks.bytesPerSecond);
    const efficiency = interpolateLogX(this.decodeEfficiency.xs, this.decodeEfficiency.ys, bytes);
    const whole = sol / efficiency;
    // The longest sequence cannot spread its KV read over the whole chip.
    const longest =
      ((shape.decodeMaxContext + 1) * this.kvBytesPerKey) /
      (this.peaks.bytesPerSecond * this.calibration.singleSequenceBandwidthShare);
    return Math.max(whole, longest) + this.calibration.kernelLaunchSeconds;
  }

  /** Time to move `tokens` tokens of KV cache between replicas over `link` (disaggregated prefill → decode). */
  kvTransferSeconds(tokens: number, link: Link): number {
    // Each GPU of the sending TP group ships its own shard in parallel.
    const bytesPerGpu = (tokens * this.kvBytesPerTokenPerReplica) / this.gpusPerReplica;
    return p2pSeconds(bytesPerGpu, link, this.calibration.collectiveEfficiency);
  }

  /** Time to copy `tokens` tokens of KV cache between GPU and host memory (swap out or in), each GPU in parallel. */
  swapSeconds(tokens: number): number {
    return p2pSeconds(tokens * this.kvBytesPerTokenPerGpu, this.hostLink, 1);
  }

  /** Op-by-op time of one step on the critical path (all pipeline stages), for display. Allocates. */
  breakdown(shape: BatchShape): BreakdownEntry[] {
    const tokens = shape.prefillTokens + shape.decodeCount;
    const layers = this.model.numLayers;
    const entries: BreakdownEntry[] = [];
    if (tokens === 0) return entries;
    for (const op of this.tokenDependentOps(tokens)) {
      entries.push({ ...op, seconds: op.seconds * layers, calls: layers });
    }
    const perGpuAttention = (tokensPart: number, pairs: number, keys: number) => ({
      flops: this.attentionFlopsPerPair * pairs,
      bytes: this.attentionBytesPerToken * tokensPart + this.kvBytesPerKey * keys,
    });
    if (shape.prefillTokens > 0) {
      entries.push({
        name: 'attention_prefill',
        kind: 'attention',
        seconds: this.prefillAttentionSeconds(shape) * layers,
        calls: layers,
        ...perGpuAttention(shape.prefillTokens, shape.prefillPairs, shape.prefillKeys),
      });
    }
    if (shape.decodeCount > 0) {
      const keys = shape.decodeContextSum + shape.decodeCount;
      entries.push({
        name: 'attention_decode',
        kind: 'attention',
        seconds: this.decodeAttentionSeconds(shape) * layers,
        calls: layers,
        ...perGpuAttention(shape.decodeCount, keys, keys),
      });
    }
    if (shape.sampledTokens > 0) entries.push({ ...this.headOp(shape.sampledTokens), calls: 1 });
    const timing = createStepTiming();
    this.timeStep(shape, timing);
    if (this.plan.pp > 1) {
      entries.push({
        name: 'pp_send',
        kind: 'communication',
        seconds: timing.stageSendSeconds * (this.plan.pp - 1),
        calls: this.plan.pp - 1,
        flops: 0,
        bytes: tokens * this.hiddenBytesPerToken,
      });
    }
    entries.push({
      name: 'step_overhead',
      kind: 'overhead',
      seconds: timing.overheadSeconds,
      calls: 1,
      flops: 0,
      bytes: 0,
    });
    return entries;
  }

  /**
   * Per-layer ops whose cost depends only on the batch's token count, with their time on one GPU: the
   * linears, norms and activations of cost.ts (attention excluded), and the collectives.
   */
  private tokenDependentOps(tokens: number): BreakdownEntry[] {
    const { model, plan } = this;
    const c = this.calibration;
    const entries: BreakdownEntry[] = [];
    const ffn = this.layer.ffn;
    const useEp = ffn.kind === 'moe' && plan.ep > 1;
    const ops = layerOpCosts(
      model,
      { weight: { dtype: plan.weightDtype }, kv: plan.kvDtype },
      [{ tokens, context: 0 }],
      plan.tp,
    );
    for (const op of ops) {
      if (op.kind === 'attention') continue;
      const cost = useEp && op.name.startsWith('experts_') ? this.expertParallelCost(op, tokens) : op;
      entries.push({ ...cost, kind: cost.kind, seconds: this.opSeconds(cost, tokens), calls: 1 });
    }
    const hiddenBytes = tokens * this.hiddenBytesPerToken;
    if (plan.tp > 1) {
      const allReduce = (name: string) => ({
        name,
        kind: 'communication' as const,
        seconds: this.allReduce(hiddenBytes, plan.tp),
        calls: 1,
        flops: 0,
        bytes: hiddenBytes,
      });
      entries.push(allReduce('tp_all_reduce_attention'));
      if (!useEp) entries.push(allReduce('tp_all_reduce_mlp'));
    }
    if (useEp && ffn.kind === 'moe') {
      const link = groupLink(this.hardware, plan.ep);
      const routed = (hiddenBytes * ffn.topK * (plan.ep - 1)) / plan.ep;
      const seconds = allToAllSeconds(routed, plan.ep, link, c.collectiveEfficiency);
      for (const name of ['ep_dispatch', 'ep_combine']) {
        entries.push({ name, kind: 'communication', seconds, calls: 1, flops: 0, bytes: routed });
      }
    }
    return entries;
  }

  /** Expert FFN on one GPU when whole experts are spread over EP ranks (unsharded width, a share of the routed tokens). */
  private expertParallelCost(op: OpCost, tokens: number): OpCost {
    const moe = this.layer.ffn;
    if (moe.kind !== 'moe') throw new Error('expert parallelism needs a mixture-of-experts layer');
    const ep = this.plan.ep;
    const h = this.model.hiddenSize;
    const ffn = moe.width;
    const routed = (tokens * moe.topK) / ep;
    const localTouched = expectedActiveExperts(moe.experts, moe.topK, tokens) / ep;
    const wBytes = weightBytesPerParam(this.plan.weightDtype);
    const a = ACTIVATION_BYTES;
    const weights = op.name === 'experts_gate_up' ? 2 * h * ffn : ffn * h;
    const io = op.name === 'experts_gate_up' ? h + 2 * ffn : ffn + h;
    return {
      name: op.name,
      kind: 'linear',
      flops: 2 * routed * weights,
      bytes: localTouched * weights * wBytes + routed * io * a,
    };
  }

  private allReduce(bytes: number, workers: number): number {
    const measured = this.options.opTables
      ? measuredAllReduceSeconds(this.options.opTables, bytes, workers)
      : undefined;
    return measured ?? allReduceSeconds(bytes, workers, this.tpLink, this.calibration.collectiveEfficiency);
  }

  private headOp(sampled: number): BreakdownEntry {
    const op = lmHeadCost(this.model, sampled, this.plan.tp);
    const seconds = sampled > 0 ? this.opSeconds(op, sampled) : 0;
    return { ...op, kind: 'linear', seconds, calls: 1 };
  }

  /** One op's time on one GPU: a measured table where it has the op, else speed of light / efficiency. */
  private opSeconds(op: OpCost, tokens: number): number {
    const c = this.calibration;
    if (this.options.opTables) {
      const measured = measuredLinearSeconds(
        this.options.opTables,
        op.name,
        tokens,
        this.plan.tp,
        this.model.hiddenSize,
      );
      if (measured !== undefined) return measured;
    }
    if (op.kind === 'linear') {
      const sol = speedOfLight(op.flops, op.bytes, this.peaks.gemmFlops, this.peaks.bytesPerSecond);
      const e = this.gemmEfficiency;
      return sol / interpolateLogX(e.xs, e.ys, tokens) + c.kernelLaunchSeconds;
    }
    const sol = speedOfLight(op.flops, op.bytes, this.peaks.vectorFlops, this.peaks.bytesPerSecond);
    const e = this.elementwiseEfficiency;
    return sol / interpolateLogX(e.xs, e.ys, op.bytes) + c.kernelLaunchSeconds;
  }
}

export function compileStepModel(
  model: ModelSpec,
  hardware: HardwareSpec,
  plan: Plan,
  options: StepModelOptions = {},
): StepModel {
  return new StepModel(model, hardware, plan, options);
}
