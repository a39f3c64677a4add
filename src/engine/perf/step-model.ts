import type { HardwareSpec } from '../hardware/spec.js';
import { assertPlanValid, type Plan, planGpus } from '../memory/plan.js';
import { type WeightLayout, weightLayoutOf } from '../model/checkpoint.js';
import { layerTokenOps, lmHeadCost } from '../model/cost.js';
import { ACTIVATION_BYTES } from '../model/dtypes.js';
import { kvBytesPerTokenPerGpu, kvBytesPerTokenPerReplica, largestStageLayers } from '../model/geometry.js';
import type { ModelSpec } from '../model/spec.js';
import type { OpTables } from '../opdb/op-tables.js';
import { AttentionTimer } from './attention-time.js';
import { Calibration, defaultCalibrationFor } from './calibration.js';
import { groupLink, type Link, p2pSeconds } from './comm.js';
import { type CompiledLayerKind, LayerKindCompiler } from './compiled-layer-kind.js';
import { lookupTokenTable, tokenGrid } from './interpolate.js';
import { kvTransferBytesPerGpu } from './kv-transfer.js';
import { LayerBreakdown } from './layer-breakdown.js';
import { LayerCollectives } from './layer-collectives.js';
import { countLayerKinds } from './layer-kinds.js';
import { LayerTokenOps } from './layer-token-ops.js';
import { type MeasuredOps, resolveMeasuredOps } from './measured-ops.js';
import type { MeasuredOpTables } from './op-tables.js';
import { OpTimer, type OpTimerSetup } from './op-timer.js';
import { devicePeaks } from './roofline.js';
import { RoutedExperts } from './routed-experts.js';
import {
  type EngineKernels,
  engineKernelsOf,
  PLAIN_KERNELS,
  ServingEngine,
  type ServingEngineInput,
} from './serving-engine.js';
import type { BatchShape } from './shape.js';
import { StepHostCost } from './step-host-cost.js';
import {
  type Bound,
  type BreakdownEntry,
  type BreakdownKind,
  createStepTiming,
  STEP_GROUP,
  type StepTiming,
} from './step-timing.js';

// The step's result types live in step-timing.ts; callers import them from here, with StepModel.
export * from './step-timing.js';

export interface StepModelOptions {
  calibration?: Calibration;
  /** Measured op times (imported tables): where they cover an op, they replace the roofline. */
  opTables?: MeasuredOpTables;
  /** Busiest EP rank's routed tokens over the mean; default DEFAULT_EXPERT_IMBALANCE (balanced). */
  expertImbalance?: number;
  /**
   * The serving engine predicted: its measured op tables time GEMMs, attention, MoE and all-reduce (on
   * the measured GPU, or transferred to one of its class), its framework overhead replaces the default
   * one (unless a calibration is given). Absent: roofline × default efficiencies.
   */
  engine?: ServingEngineInput;
  /** The engine's measured op tables (a database the user read); default: the shipped ones. */
  measuredTables?: OpTables;
}

/**
 * The step-time model of one plan: everything that does not depend on the batch is computed here, once.
 * Each distinct layer geometry (`countLayerKinds`: one for a uniform model; MLA dense and MoE layers,
 * sliding and full layers, linear and full layers for today's hybrids) is compiled on its own: the
 * ops whose cost depends only on the batch's token count (linears, norms, activations, collectives)
 * are summed into a table over token counts; attention, which depends on context, is evaluated from
 * the shape's aggregated sums. A step's stage time is the most loaded pipeline stage's sum over its
 * layers. `timeStep` is allocation-free.
 */
export class StepModel {
  readonly calibration: Calibration;
  readonly layersPerStage: number;
  readonly gpusPerReplica: number;
  /** Tensor-parallel ranks of a replica (of one attention-DP rank's group where attention is data parallel). */
  readonly tp: number;
  /** KV bytes one token occupies on one GPU (the most loaded stage's layers). */
  readonly kvBytesPerTokenPerGpu: number;
  /** KV bytes one token occupies across the whole replica (all layers, all KV heads). */
  readonly kvBytesPerTokenPerReplica: number;

  private readonly kinds: CompiledLayerKind[];
  /** Seconds of one layer of each kind in the step being timed (scratch, reused). */
  private readonly kindSeconds: Float64Array;
  /** Each layer kind's attention core in a step. */
  private readonly attention: AttentionTimer;
  private readonly grid = tokenGrid();
  private readonly headTable: Float64Array;
  private readonly ppLink: Link;
  private readonly hostLink: Link;
  private readonly hiddenBytesPerToken: number;
  /** The engine's measured ops; undefined: roofline defaults. */
  readonly measured: MeasuredOps | undefined;
  private readonly engine: ServingEngine | undefined;
  /** The host's part of a step: fitted overhead, eager launches, the prompt step's host floor. */
  private readonly host: StepHostCost;
  /** The engine's kernels: what it fuses, which fp8 GEMM kernel (PLAIN_KERNELS without an engine). */
  private readonly engineKernels: EngineKernels;
  /** The plan's weight format, part by part (a checkpoint may store only its experts quantized). */
  private readonly weightLayout: WeightLayout;
  /** Times each op of a layer: imported table, engine's measured kernel, or roofline. */
  private readonly ops: OpTimer;
  /** A layer's TP all-reduces and EP all-to-alls. */
  private readonly comm: LayerCollectives;
  /** A layer's token-count ops, timed: breakdown rows and token-table points. */
  private readonly tokenOps: LayerTokenOps;
  /** A layer kind's breakdown rows. */
  private readonly layerBreakdown: LayerBreakdown;

  constructor(
    readonly model: ModelSpec,
    readonly hardware: HardwareSpec,
    readonly plan: Plan,
    options: StepModelOptions = {},
  ) {
    assertPlanValid(model, plan);
    this.engine = options.engine ? ServingEngine.parse(options.engine) : undefined;
    this.calibration = Calibration.parse(options.calibration ?? defaultCalibrationFor(hardware));
    this.measured = this.engine && resolveMeasuredOps(hardware, this.engine, options.measuredTables);
    this.engineKernels = this.engine ? engineKernelsOf(this.engine) : PLAIN_KERNELS;
    this.weightLayout = weightLayoutOf(model, plan.weightDtype);
    this.layersPerStage = largestStageLayers(model.numLayers, plan.pp);
    this.gpusPerReplica = plan.tp * plan.pp;
    this.tp = plan.tp;
    const peaks = devicePeaks(hardware, plan.weightDtype);
    this.attention = new AttentionTimer(this.calibration, peaks, devicePeaks(hardware, 'fp8').gemmFlops);
    this.kvBytesPerTokenPerGpu = kvBytesPerTokenPerGpu(model, plan);
    this.kvBytesPerTokenPerReplica = kvBytesPerTokenPerReplica(model, plan.kvDtype);
    this.hiddenBytesPerToken = model.hiddenSize * ACTIVATION_BYTES;
    // Stages sit in other nodes once a replica outgrows one node.
    this.ppLink = groupLink(hardware, planGpus({ tp: plan.tp, pp: plan.pp, dp: 1 }));
    this.hostLink = { bytesPerSecond: hardware.hostLinkBytesPerSecond, latencySeconds: 10e-6 };
    const timing: OpTimerSetup = {
      model,
      hardware,
      plan,
      calibration: this.calibration,
      opTables: options.opTables,
      measured: this.measured,
      engine: this.engine,
      engineKernels: this.engineKernels,
      weightLayout: this.weightLayout,
      peaks: peaks,
    };
    this.ops = new OpTimer(timing);
    this.comm = new LayerCollectives(timing);
    const experts = new RoutedExperts(timing, this.ops);
    this.tokenOps = new LayerTokenOps(timing, this.ops, this.comm, experts);
    const compiler = new LayerKindCompiler(
      timing,
      options.expertImbalance,
      this.grid,
      this.ops,
      this.tokenOps,
    );
    this.layerBreakdown = new LayerBreakdown(this.ops, this.attention, this.tokenOps, peaks.attentionFlops);
    this.kinds = countLayerKinds(model, plan.pp).map((count) => compiler.compile(count));
    this.host = new StepHostCost({
      model,
      pp: plan.pp,
      calibration: this.calibration,
      calibrated: Boolean(options.calibration),
      engine: this.engine,
      engineKernels: this.engineKernels,
      kernelsPerStep: () => this.kernelsPerStep(),
    });
    this.kindSeconds = new Float64Array(this.kinds.length);
    this.headTable = new Float64Array(this.grid.length);
    for (let i = 0; i < this.grid.length; i++) this.headTable[i] = this.headOp(this.grid[i]).seconds;
  }

  /** Kernels one step launches: every op of every layer on the busiest stage, and the LM head. */
  private kernelsPerStep(): number {
    let kernels = 1;
    for (const kind of this.kinds) {
      const ops = layerTokenOps(kind.setup, 1);
      const perLayer =
        ops.beforeCore.length + ops.afterCore.length + 1 + this.comm.entries(kind.setup, 1, '').length;
      kernels += (kind.layers / this.plan.pp) * perLayer;
    }
    return kernels;
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
    const pp = this.plan.pp;
    // A uniform model's largest stage (one layer more than others where PP does not divide) sets the pace.
    const stage =
      this.kinds.length === 1
        ? this.layersPerStage * this.layerSeconds(this.kinds[0], shape, tokens)
        : this.mostLoadedStageSeconds(shape, tokens);
    const send =
      pp > 1 ? p2pSeconds(tokens * this.hiddenBytesPerToken, this.ppLink, c.collectiveEfficiency) : 0;
    const head = lookupTokenTable(this.grid, this.headTable, shape.sampledTokens);
    const overhead = this.host.seconds(shape, tokens);
    const kernels = pp * stage + (pp - 1) * send + head;
    // A context step launched from the host lasts at least its launches (eager-prompt-steps.ts).
    const launched = kernels + this.host.eagerStepSeconds(shape, tokens);
    const hostWait = this.host.hostWaitSeconds(shape, launched);
    out.overheadSeconds = overhead + hostWait;
    out.stageSeconds = stage;
    out.stageSendSeconds = send;
    out.headSeconds = head;
    out.totalSeconds = overhead + hostWait + kernels;
    return out.totalSeconds;
  }

  /** The most loaded pipeline stage's seconds, of a model whose layers differ. */
  private mostLoadedStageSeconds(shape: BatchShape, tokens: number): number {
    const kinds = this.kinds;
    for (let k = 0; k < kinds.length; k++) this.kindSeconds[k] = this.layerSeconds(kinds[k], shape, tokens);
    let stage = 0;
    for (let s = 0; s < this.plan.pp; s++) {
      let seconds = 0;
      for (let k = 0; k < kinds.length; k++) seconds += kinds[k].perStage[s] * this.kindSeconds[k];
      if (seconds > stage) stage = seconds;
    }
    return stage;
  }

  /** Seconds of one layer of `kind` in the step. */
  private layerSeconds(kind: CompiledLayerKind, shape: BatchShape, tokens: number): number {
    const table = this.rankOnly && kind.rankTable !== null ? kind.rankTable : kind.tokenTable;
    let seconds = lookupTokenTable(this.grid, table, tokens);
    if (shape.prefillTokens > 0) seconds += this.attention.prefillSeconds(kind, shape);
    if (shape.decodeCount > 0) seconds += this.attention.decodeSeconds(kind, shape);
    if (kind.hasMlaTables) seconds += this.mlaTableSeconds(kind, shape);
    return seconds;
  }

  /** MLA's decode-only and per-prefill-key ops of one layer. */
  private mlaTableSeconds(kind: CompiledLayerKind, shape: BatchShape): number {
    let seconds = 0;
    if (kind.prefillKeyTable !== null && shape.prefillTokens > 0) {
      seconds += lookupTokenTable(this.grid, kind.prefillKeyTable, shape.prefillKeys);
    }
    if (kind.decodeTable !== null && shape.decodeCount > 0) {
      seconds += lookupTokenTable(this.grid, kind.decodeTable, shape.decodeCount);
    }
    return seconds;
  }

  /** Whether `timeStep` is timing one rank's part of a lockstep group step (`timeRankStep`). */
  private rankOnly = false;

  /**
   * Whether the plan's EP group spans attention-DP ranks whose steps must run together: each MoE
   * layer's dispatch and combine join every rank, so the group steps in lockstep and its experts run
   * the tokens of every rank at once (`timeRankStep` + `groupExpertSeconds`).
   */
  get lockstepGroup(): boolean {
    return this.kinds.some((kind) => kind.expertTable !== null);
  }

  /**
   * One attention-DP rank's part of a lockstep EP-group step, split as `timeStep` splits a step
   * (allocation-free): its overhead, attention, dense ops and its share of the all-to-all, for its own
   * batch, without the routed experts, which run once for the whole group (`groupExpertSeconds`). The
   * group's step takes the slowest rank's part plus the experts. Without such a group: `timeStep`.
   */
  timeRankStep(shape: BatchShape, out: StepTiming): number {
    this.rankOnly = true;
    const seconds = this.timeStep(shape, out);
    this.rankOnly = false;
    return seconds;
  }

  /**
   * The routed experts of one lockstep group step whose ranks carry `tokens` tokens in all (prefill
   * and decode): every MoE layer's grouped expert GEMMs over the group's routed tokens, on the busiest
   * EP rank. Single-stage plans (the simulator groups only those).
   */
  groupExpertSeconds(tokens: number): number {
    if (tokens <= 0) return 0;
    let seconds = 0;
    for (const kind of this.kinds) {
      if (kind.expertTable !== null)
        seconds += kind.layers * lookupTokenTable(this.grid, kind.expertTable, tokens);
    }
    return seconds;
  }

  /** Total step time (allocation-free); see `timeStep` for its parts. */
  stepSeconds(shape: BatchShape): number {
    return this.timeStep(shape, this.scratch);
  }
  private readonly scratch = createStepTiming();

  /** Prefill attention of one layer, averaged over the model's layers (each kind's own where they differ). */
  prefillAttentionSeconds(shape: BatchShape): number {
    if (shape.prefillTokens === 0) return 0;
    return this.meanOverLayers((kind) => this.attention.prefillSeconds(kind, shape));
  }

  /** Decode attention of one layer, averaged over the model's layers. */
  decodeAttentionSeconds(shape: BatchShape): number {
    if (shape.decodeCount === 0) return 0;
    return this.meanOverLayers((kind) => this.attention.decodeSeconds(kind, shape));
  }

  private meanOverLayers(secondsOf: (kind: CompiledLayerKind) => number): number {
    let sum = 0;
    for (const kind of this.kinds) sum += kind.layers * secondsOf(kind);
    return sum / this.model.numLayers;
  }

  /**
   * Seconds to ship `tokens` tokens of this (prefill) replica's KV to a decode replica (`receiver`'s step
   * model) over `link` (disaggregated prefill → decode): the busiest sending GPU's bytes
   * (kv-transfer.ts) over the link.
   */
  kvTransferSeconds(
    tokens: number,
    link: Link,
    receiver?: Pick<StepModel, 'tp' | 'kvBytesPerTokenPerGpu'>,
  ): number {
    const bytesPerGpu = kvTransferBytesPerGpu(this, tokens, receiver);
    return p2pSeconds(bytesPerGpu, link, this.calibration.collectiveEfficiency);
  }

  /** Time to copy `tokens` tokens of KV cache between GPU and host memory (swap out or in), each GPU in parallel. */
  swapSeconds(tokens: number): number {
    return p2pSeconds(tokens * this.kvBytesPerTokenPerGpu, this.hostLink, 1);
  }

  /**
   * Op-by-op time of one step on the critical path, for display: per kind of layer, its ops summed over
   * that kind's layers; then the step's own (LM head, pipeline sends, overhead). With pipeline stages
   * that are not alike, `pipeline_imbalance` is the time the less loaded stages wait. Allocates.
   */
  breakdown(shape: BatchShape): BreakdownEntry[] {
    const tokens = shape.prefillTokens + shape.decodeCount;
    const entries: BreakdownEntry[] = [];
    if (tokens === 0) return entries;
    for (const kind of this.kinds) entries.push(...this.layerBreakdown.entries(kind, shape, tokens));
    if (shape.sampledTokens > 0) entries.push(this.headOp(shape.sampledTokens));
    const timing = createStepTiming();
    this.timeStep(shape, timing);
    const pp = this.plan.pp;
    const step = (name: string, kind: BreakdownKind, seconds: number, calls: number, bytes: number) => {
      const bound: Bound = kind === 'communication' ? 'communication' : 'overhead';
      entries.push({ name, kind, group: STEP_GROUP, bound, seconds, calls, flops: 0, bytes });
    };
    if (pp > 1) {
      step(
        'pp_send',
        'communication',
        timing.stageSendSeconds * (pp - 1),
        pp - 1,
        tokens * this.hiddenBytesPerToken,
      );
      let layers = 0;
      for (const kind of this.kinds) layers += kind.layers * this.layerSeconds(kind, shape, tokens);
      const waiting = pp * timing.stageSeconds - layers;
      if (waiting > 1e-12 * layers) step('pipeline_imbalance', 'overhead', waiting, 1, 0);
    }
    step('step_overhead', 'overhead', timing.overheadSeconds, 1, 0);
    entries[entries.length - 1].source = this.host.source(shape, timing);
    return entries;
  }

  private headOp(sampled: number): BreakdownEntry {
    const op = lmHeadCost(this.model, sampled, this.plan.tp);
    const entry = this.ops.opEntry(op, this.ops.resolveOp(op, sampled), STEP_GROUP);
    return sampled > 0 ? entry : { ...entry, seconds: 0 };
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
