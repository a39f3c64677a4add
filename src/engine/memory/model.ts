import { z } from 'zod';
import type { HardwareSpec } from '../hardware/spec.js';
import { ACTIVATION_BYTES, weightBytesPerParam } from '../model/dtypes.js';
import {
  distinctLayers,
  kvBytesPerTokenPerGpu,
  type LayerGeometry,
  layerRuns,
  shardLayer,
  stageLayerRange,
} from '../model/geometry.js';
import { layerParams } from '../model/params.js';
import type { ModelSpec } from '../model/spec.js';
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
    kvBytesPerToken: z.number(),
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
 * Weight bytes of one decoder layer of `layer`'s geometry on one GPU. Linear layers are sharded over TP
 * (or, for MoE experts with EP > 1, whole experts over EP ranks) and quantized; norms and the router are
 * replicated and stay 16-bit.
 */
function layerWeightBytes(model: ModelSpec, layer: LayerGeometry, plan: Plan): number {
  const p = layerParams(model.hiddenSize, layer);
  const wBytes = weightBytesPerParam(plan.weightDtype);
  const attention = (p.qkv + p.oProj) / plan.tp;
  const expertShards = layer.ffn.kind === 'moe' && plan.ep > 1 ? plan.ep : plan.tp;
  const ffn = (p.ffnCopies * (p.gateUp + p.down)) / expertShards;
  return (attention + ffn) * wBytes + (p.qkvBias / plan.tp + p.router + p.norms) * ACTIVATION_BYTES;
}

/**
 * Weight bytes on the most loaded GPU of a replica: each stage's decoder layers (see layerWeightBytes);
 * embedding and LM head are vocabulary-parallel over TP and stay 16-bit; the first pipeline stage holds
 * the embedding and the last the LM head and final norm.
 */
export function weightBytesPerGpu(model: ModelSpec, plan: Plan): number {
  const vocabShard = (model.vocabSize * model.hiddenSize) / plan.tp;
  const embedding = vocabShard * ACTIVATION_BYTES;
  const head =
    (model.tiedEmbeddings ? 0 : vocabShard) * ACTIVATION_BYTES + model.hiddenSize * ACTIVATION_BYTES;
  let most = 0;
  for (let stage = 0; stage < plan.pp; stage++) {
    const { first, end } = stageLayerRange(model, plan.pp, stage);
    let bytes = 0;
    for (const run of layerRuns(model, first, end))
      bytes += run.count * layerWeightBytes(model, run.layer, plan);
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
  const weightBytes = divisible ? weightBytesPerGpu(model, plan) : 0;
  const activation = divisible ? activationPeakBytes(model, plan, settings) : 0;
  const reserve = settings.runtimeReserveBytes ?? defaultRuntimeReserveBytes(plan);
  const kvCacheBytes = Math.max(0, budgetBytes - weightBytes - activation - reserve);
  const kvBytesPerToken = divisible ? kvBytesPerTokenPerGpu(model, plan) : 0;
  const kvBlocks = divisible ? Math.floor(kvCacheBytes / (kvBytesPerToken * settings.blockSize)) : 0;
  const kvCapacityTokens = kvBlocks * settings.blockSize;
  const blocksPerSequence = Math.ceil(contextLength / settings.blockSize);
  const maxConcurrentSequences = Math.floor(kvBlocks / blocksPerSequence);

  if (divisible) {
    if (weightBytes > budgetBytes) {
      problems.push(
        `weights need ${formatGiB(weightBytes)} per GPU but only ${formatGiB(budgetBytes)} is allowed (${formatGiB(totalBytes)} × gpu-memory-utilization ${settings.gpuMemoryUtilization})`,
      );
    } else if (kvBlocks === 0) {
      problems.push(
        `no memory left for the KV cache: weights ${formatGiB(weightBytes)} + activations ${formatGiB(activation)} + runtime ${formatGiB(reserve)} fill the ${formatGiB(budgetBytes)} allowed`,
      );
    } else if (maxConcurrentSequences === 0) {
      problems.push(
        `the KV cache holds ${kvCapacityTokens} tokens, fewer than one sequence of ${contextLength} tokens (lower max-model-len or add GPUs)`,
      );
    }
  }

  return MemoryReport.parse({
    model: model.id,
    hardware: hardware.id,
    plan,
    gpus: plan.tp * plan.pp * plan.dp,
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

export function formatGiB(bytes: number): string {
  return `${(bytes / GiB).toFixed(2)} GiB`;
}
