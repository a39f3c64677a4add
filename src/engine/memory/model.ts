import { z } from 'zod';
import type { HardwareSpec } from '../hardware/spec.js';
import {
  describeWeightLayout,
  partBytesPerParam,
  partWeightFormat,
  type WeightLayout,
  weightLayoutOf,
} from '../model/checkpoint.js';
import { ACTIVATION_BYTES } from '../model/dtypes.js';
import {
  distinctLayers,
  type KvBlockShape,
  type KvFootprint,
  kvBlockShape,
  kvBlocksForSequence,
  kvFootprintPerGpu,
  type LayerGeometry,
  layerRuns,
  shardLayer,
  stageLayerRange,
} from '../model/geometry.js';
import { layerParams } from '../model/params.js';
import type { ModelSpec } from '../model/spec.js';
import { describeExpertLayout, ExpertWeightLayout, rankExpertBytes } from './expert-layout.js';
import { type Plan, planProblems } from './plan.js';

const GiB = 1024 ** 3;

/** The engine settings that decide how device memory is split (vLLM's names and defaults). */
export const MemorySettings = z.object({
  gpuMemoryUtilization: z.number().gt(0).lte(1).default(0.9),
  blockSize: z.number().int().positive().default(16),
  /** Tokens in the largest step; the activation peak is profiled at this size. */
  maxNumBatchedTokens: z.number().int().positive().default(8192),
  /** Sequences in the largest step; the sampler's logits scale with it. */
  maxNumSeqs: z.number().int().positive().default(256),
  /** Context length at which to count how many sequences fit at once. */
  contextLength: z.number().int().positive().optional(),
  /**
   * Memory outside the engine's tensors: CUDA context, allocator slack, and for TP > 1 the collective
   * communication buffers. Measured defaults: vLLM logs about 0.6 GiB non-torch memory at TP1 and about
   * 2.2 GiB at TP8 on H100.
   */
  runtimeReserveBytes: z.number().nonnegative().optional(),
  /**
   * How the serving engine lays out the routed experts where it holds more than the checkpoint's bytes
   * (perf/expert-weight-layout.ts picks it for an engine, GPU and MoE kernel); absent: the checkpoint's.
   */
  expertLayout: ExpertWeightLayout.optional(),
});
export type MemorySettings = z.input<typeof MemorySettings>;
type ResolvedSettings = z.output<typeof MemorySettings>;

export const MemoryReport = z.object({
  model: z.string(),
  hardware: z.string(),
  plan: z.object({
    tp: z.number(),
    pp: z.number(),
    dp: z.number(),
    ep: z.number(),
    weightDtype: z.string(),
    kvDtype: z.string(),
  }),
  gpus: z.number().int(),
  /** How the weights are stored where not all in `plan.weightDtype` (`mxfp4 experts, bf16 rest`). */
  weightFormat: z.string().optional(),
  /**
   * Where the serving engine holds more weight bytes per GPU than the checkpoint (MemorySettings.
   * expertLayout): whose layout, what it changes, and the bytes it adds to `perGpu.weightBytes`.
   */
  engineWeights: z
    .object({ layout: z.string(), changes: z.string(), extraBytesPerGpu: z.number() })
    .optional(),
  settings: z.object({
    gpuMemoryUtilization: z.number(),
    blockSize: z.number(),
    maxNumBatchedTokens: z.number(),
    maxNumSeqs: z.number(),
    contextLength: z.number(),
  }),
  perGpu: z.object({
    totalBytes: z.number(),
    budgetBytes: z.number(),
    weightBytes: z.number(),
    activationPeakBytes: z.number(),
    runtimeReserveBytes: z.number(),
    kvCacheBytes: z.number(),
    /**
     * KV bytes one token takes in the layers that keep every token (full attention, MLA): the unit the
     * cache's blocks are counted in. A model without such layers counts its sliding layers'.
     */
    kvBytesPerToken: z.number(),
    /** Sliding-window layers' bytes per token, kept for the last `slidingWindow` tokens; only where the model has them. */
    slidingKvBytesPerToken: z.number().optional(),
    slidingWindow: z.number().int().optional(),
    /** Linear-attention layers' state per sequence; only where the model has them. */
    kvStateBytesPerSequence: z.number().optional(),
  }),
  perReplica: z.object({
    kvBlocks: z.number().int(),
    kvCapacityTokens: z.number().int(),
    maxConcurrentSequences: z.number().int(),
  }),
  cluster: z.object({
    replicas: z.number().int(),
    kvCapacityTokens: z.number().int(),
    maxConcurrentSequences: z.number().int(),
  }),
  fits: z.boolean(),
  problems: z.array(z.string()),
});
export type MemoryReport = z.infer<typeof MemoryReport>;

export function defaultRuntimeReserveBytes(plan: Pick<Plan, 'tp' | 'pp'>): number {
  return 0.75 * GiB + (plan.tp > 1 ? 1.5 * GiB : 0) + (plan.pp > 1 ? 0.25 * GiB : 0);
}

/**
 * Weight bytes of one decoder layer of `layer`'s geometry on one GPU, each part in its format (see
 * WeightLayout: a checkpoint may quantize only its experts). Attention and dense MLPs are sharded over
 * TP, but for MLA's latent down-projections, which every rank holds whole. Routed experts are split
 * over EP ranks whole, and each expert's width over the TP ranks left (vLLM without
 * --enable-expert-parallel: EP 1, every expert over TP; SGLang's --ep-size below TP: moe-tp = TP / EP),
 * so a GPU holds 1/max(EP, TP) of them (and of EPLB's redundant copies); under MoE TP over an EP group
 * (Plan.moeTensorParallel: vLLM's DP without --enable-expert-parallel) a 1/EP slice of every expert, so each
 * GPU holds every expert's biases and per-expert padding. Shared experts are on every rank, sharded over TP. Biases,
 * norms and the router stay 16-bit. An engine's own layout of the routed experts (ExpertWeightLayout:
 * padding, scale copies, fp32 biases) applies where given.
 */
function layerWeightBytes(
  model: ModelSpec,
  layer: LayerGeometry,
  plan: Plan,
  weights: WeightLayout,
  expertLayout: ExpertWeightLayout | undefined,
): number {
  const p = layerParams(model.hiddenSize, layer);
  const { tp } = plan;
  const attention =
    ((p.qkv - p.qkvReplicated) / tp + p.qkvReplicated) * partBytesPerParam(weights, 'attention') +
    (p.oProj / tp) * partBytesPerParam(weights, 'attention_output');
  let ffn: number;
  if (layer.ffn.kind === 'moe') {
    // EPLB's redundant slots hold whole copies of experts: more expert weights on every EP rank.
    const slots = p.ffnCopies + (plan.ep > 1 ? (plan.redundantExperts ?? 0) : 0);
    // The gate/up bias is split with its expert's width; the down bias spans the hidden size, so a rank
    // holds it whole for each expert it holds any of (vLLM's Mxfp4MoEMethod.create_weights: w13_bias
    // [experts, 2 × intermediate per partition], w2_bias [experts, hidden_size]).
    // MoE TP over an EP group (Plan.moeTensorParallel): every expert on every GPU, a 1/ep slice of each.
    const shards = plan.moeTensorParallel ? { experts: slots, width: layer.ffn.width / plan.ep } : undefined;
    const routed = rankExpertBytes(
      {
        experts: shards?.experts ?? slots / plan.ep,
        hidden: model.hiddenSize,
        width: shards?.width ?? layer.ffn.width / (Math.max(plan.ep, tp) / plan.ep),
        format: partWeightFormat(weights, 'experts'),
        biases: layer.ffn.biases,
      },
      expertLayout,
    );
    ffn = routed + (p.shared / tp) * partBytesPerParam(weights, 'shared');
  } else {
    ffn = ((p.gateUp + p.down) / tp) * partBytesPerParam(weights, 'dense');
  }
  // Biases and sinks in 16-bit, as the checkpoints store them; the o_proj bias whole on every rank.
  const biases = p.qkvBias / tp + p.oProjBias + p.sinks / tp;
  return attention + ffn + (biases + p.router + p.norms) * ACTIVATION_BYTES;
}

/**
 * Weight bytes on the most loaded GPU of a replica: each stage's decoder layers (see layerWeightBytes);
 * embedding and LM head are vocabulary-parallel over TP and stay 16-bit; the first pipeline stage holds
 * the embedding and the last the LM head and final norm. `expertLayout`: the serving engine's layout of
 * the routed experts (MemorySettings.expertLayout); absent, the checkpoint's bytes.
 */
export function weightBytesPerGpu(model: ModelSpec, plan: Plan, expertLayout?: ExpertWeightLayout): number {
  const weights = weightLayoutOf(model, plan.weightDtype);
  const vocabShard = (model.vocabSize * model.hiddenSize) / plan.tp;
  const embedding = vocabShard * ACTIVATION_BYTES;
  const head =
    (model.tiedEmbeddings ? 0 : vocabShard) * ACTIVATION_BYTES + model.hiddenSize * ACTIVATION_BYTES;
  let most = 0;
  for (let stage = 0; stage < plan.pp; stage++) {
    const { first, end } = stageLayerRange(model, plan.pp, stage);
    let bytes = 0;
    for (const run of layerRuns(model, first, end))
      bytes += run.count * layerWeightBytes(model, run.layer, plan, weights, expertLayout);
    if (stage === 0) bytes += embedding;
    if (stage === plan.pp - 1) bytes += head;
    most = Math.max(most, bytes);
  }
  return most;
}

/**
 * Peak activation memory of the profiling step at `maxNumBatchedTokens`: the tensors alive at once in
 * the widest layer (hidden states, residual, qkv, attention output, gate/up and activated FFN) plus fp32
 * logits for `maxNumSeqs` sampled tokens over the full vocabulary.
 */
export function activationPeakBytes(model: ModelSpec, plan: Plan, settings: ResolvedSettings): number {
  let perToken = 0;
  for (const layer of distinctLayers(model)) {
    const shard = shardLayer(layer, plan.tp);
    const ffn = shard.activeFfn;
    perToken = Math.max(
      perToken,
      3 * model.hiddenSize + shard.qkvWidth + shard.heads * shard.headDim + 3 * ffn,
    );
  }
  const logits = settings.maxNumSeqs * model.vocabSize * 4;
  return settings.maxNumBatchedTokens * perToken * ACTIVATION_BYTES + logits;
}

/**
 * The longest sequence, below `limit`, whose blocks fit in `kvBlocks` (as vLLM estimates the largest
 * max-model-len it could serve when the model's own does not fit). Blocks grow with length: bisect.
 */
function longestFittingSequence(
  shape: KvBlockShape,
  kvBlocks: number,
  blockSize: number,
  limit: number,
): number {
  let low = 0;
  let high = limit;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (kvBlocksForSequence(shape, mid, blockSize) <= kvBlocks) low = mid;
    else high = mid;
  }
  return low;
}

/** How memory splits on each GPU of a plan, and how much KV cache is left: the foundation's core question. */
export function memoryReport(
  model: ModelSpec,
  hardware: HardwareSpec,
  plan: Plan,
  input: MemorySettings = {},
): MemoryReport {
  const settings = MemorySettings.parse(input);
  const contextLength = settings.contextLength ?? model.maxContextLength;
  const problems = planProblems(model, plan);
  const divisible = problems.length === 0;

  const totalBytes = hardware.memoryBytes;
  const budgetBytes = totalBytes * settings.gpuMemoryUtilization;
  const weightBytes = divisible ? weightBytesPerGpu(model, plan, settings.expertLayout) : 0;
  const engineWeights =
    divisible && settings.expertLayout
      ? engineWeightsOf(model, plan, settings.expertLayout, weightBytes)
      : undefined;
  const activation = divisible ? activationPeakBytes(model, plan, settings) : 0;
  const reserve = settings.runtimeReserveBytes ?? defaultRuntimeReserveBytes(plan);
  const kvCacheBytes = Math.max(0, budgetBytes - weightBytes - activation - reserve);
  const footprint = kvFootprintPerGpu(model, plan, contextLength);
  const shape = kvBlockShape(footprint, settings.blockSize);
  const kvBytesPerToken = divisible ? shape.bytesPerToken : 0;
  const kvBlocks = divisible ? Math.floor(kvCacheBytes / (kvBytesPerToken * settings.blockSize)) : 0;
  const kvCapacityTokens = kvBlocks * settings.blockSize;
  const blocksPerSequence = kvBlocksForSequence(shape, contextLength, settings.blockSize);
  const maxConcurrentSequences = Math.floor(kvBlocks / blocksPerSequence);
  const weightFormat = describeWeightLayout(weightLayoutOf(model, plan.weightDtype));

  if (divisible) {
    const problem = capacityProblem(
      { weightBytes, activation, reserve, budgetBytes, totalBytes, kvBlocks, maxConcurrentSequences },
      settings,
      shape,
      contextLength,
    );
    if (problem) problems.push(problem);
  }

  return MemoryReport.parse({
    model: model.id,
    hardware: hardware.id,
    plan,
    gpus: plan.tp * plan.pp * plan.dp,
    ...(weightFormat !== plan.weightDtype ? { weightFormat } : {}),
    ...(engineWeights && engineWeights.extraBytesPerGpu !== 0 ? { engineWeights } : {}),
    settings: {
      gpuMemoryUtilization: settings.gpuMemoryUtilization,
      blockSize: settings.blockSize,
      maxNumBatchedTokens: settings.maxNumBatchedTokens,
      maxNumSeqs: settings.maxNumSeqs,
      contextLength,
    },
    perGpu: {
      totalBytes,
      budgetBytes,
      weightBytes,
      activationPeakBytes: activation,
      runtimeReserveBytes: reserve,
      kvCacheBytes: divisible ? kvCacheBytes : 0,
      kvBytesPerToken,
      ...(divisible ? windowAndStateFields(footprint, shape) : {}),
    },
    perReplica: { kvBlocks, kvCapacityTokens, maxConcurrentSequences },
    cluster: {
      replicas: plan.dp,
      kvCapacityTokens: kvCapacityTokens * plan.dp,
      maxConcurrentSequences: maxConcurrentSequences * plan.dp,
    },
    fits: problems.length === 0,
    problems,
  });
}

/** What the serving engine's expert layout changes, and the bytes per GPU it adds to the checkpoint's. */
function engineWeightsOf(model: ModelSpec, plan: Plan, layout: ExpertWeightLayout, weightBytes: number) {
  return {
    layout: layout.label,
    changes: describeExpertLayout(layout),
    extraBytesPerGpu: weightBytes - weightBytesPerGpu(model, plan),
  };
}

/** One GPU's memory split, in bytes, and what it leaves for the KV cache: what capacityProblem judges. */
interface GpuMemorySplit {
  weightBytes: number;
  activation: number;
  reserve: number;
  budgetBytes: number;
  totalBytes: number;
  kvBlocks: number;
  maxConcurrentSequences: number;
}

/**
 * Why a divisible plan does not fit, the first that applies: weights over the budget, no memory left for
 * the KV cache, or a KV cache smaller than one sequence of `contextLength` (with the longest that fits).
 */
function capacityProblem(
  split: GpuMemorySplit,
  settings: ResolvedSettings,
  shape: KvBlockShape,
  contextLength: number,
): string | undefined {
  const { weightBytes, activation, reserve, budgetBytes, totalBytes, kvBlocks } = split;
  if (weightBytes > budgetBytes)
    return `weights need ${formatGiB(weightBytes)} per GPU but only ${formatGiB(budgetBytes)} is allowed (${formatGiB(totalBytes)} × gpu-memory-utilization ${settings.gpuMemoryUtilization})`;
  if (kvBlocks === 0)
    return `no memory left for the KV cache: weights ${formatGiB(weightBytes)} + activations ${formatGiB(activation)} + runtime ${formatGiB(reserve)} fill the ${formatGiB(budgetBytes)} allowed`;
  if (split.maxConcurrentSequences === 0) {
    const kvCapacityTokens = kvBlocks * settings.blockSize;
    const longest = longestFittingSequence(shape, kvBlocks, settings.blockSize, contextLength);
    return `the KV cache holds ${kvCapacityTokens.toLocaleString('en-US')} tokens, fewer than one sequence of ${contextLength.toLocaleString('en-US')} tokens (lower max-model-len to at most ${longest}, or add GPUs)`;
  }
  return undefined;
}

/**
 * The per-GPU report's optional KV fields: the sliding-window layers' bytes per token and window where
 * full-attention layers share the cache, the window alone where every layer slides, and the recurrent
 * state per sequence.
 */
function windowAndStateFields(
  footprint: KvFootprint,
  shape: KvBlockShape,
): { slidingKvBytesPerToken?: number; slidingWindow?: number; kvStateBytesPerSequence?: number } {
  return {
    ...(footprint.slidingBytesPerToken > 0 && shape.fullShare > 0
      ? { slidingKvBytesPerToken: footprint.slidingBytesPerToken, slidingWindow: footprint.window }
      : {}),
    ...(shape.fullShare === 0 && footprint.slidingBytesPerToken > 0
      ? { slidingWindow: footprint.window }
      : {}),
    ...(footprint.stateBytesPerSequence > 0
      ? { kvStateBytesPerSequence: footprint.stateBytesPerSequence }
      : {}),
  };
}

export function formatGiB(bytes: number): string {
  return `${(bytes / GiB).toFixed(2)} GiB`;
}

/**
 * How the KV cache of `plan` counts a sequence in blocks (see KvBlockShape), for sequences up to
 * `contextLength` tokens: what the simulator's block manager charges.
 */
export function kvBlockShapeOf(
  model: ModelSpec,
  plan: Plan,
  contextLength: number,
  blockSize: number,
): KvBlockShape {
  return kvBlockShape(kvFootprintPerGpu(model, plan, contextLength), blockSize);
}
