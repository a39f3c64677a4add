import { EVERY_PART, partWeightFormat } from '../checkpoint.js';
import { ACTIVATION_BYTES, type KvDtype, type WeightFormat, weightBytesPerParam } from '../dtypes.js';
import type { LayerGeometry } from '../geometry.js';
import type { ModelSpec, QuantizedPart } from '../spec.js';

/**
 * One part of a batch: `tokens` new tokens of one sequence whose first `context` tokens are already in
 * the KV cache. A decode is `{ tokens: 1, context: n }`; a prefill chunk is `{ tokens: chunk, context: done }`.
 */
export interface BatchPiece {
  tokens: number;
  context: number;
}

export type OpKind = 'linear' | 'attention' | 'elementwise';

export interface OpCost {
  name: string;
  kind: OpKind;
  flops: number;
  bytes: number;
  /** What the numbers assume, where a reader needs it (experts active, load imbalance). */
  detail?: string;
  /**
   * A linear op's weight format: that of the part of the model it belongs to (a checkpoint may store
   * only its experts quantized), or 16-bit where the engines keep it so (LM head, router, MLA's absorbed
   * projections). Its bytes are priced in it, and a measured GEMM table is read in it.
   */
  weight?: WeightFormat;
  /** A plain matmul's shape (rows × k through k × n): what a measured GEMM table is keyed by. */
  gemm?: { n: number; k: number };
  /**
   * A grouped GEMM's (the routed experts') dense equivalent: `m` rows per active expert through the
   * active experts' weights side by side (n or k the sum of theirs), the same FLOPs and weight bytes
   * as one GEMM: what an engine's dense GEMM table times where its MoE runs that kernel.
   */
  groupedGemm?: { m: number; n: number; k: number };
  /**
   * MLA's absorbed projection as one batched matmul over `heads` heads (`pre`: q_nope into the latent,
   * before attention; `post`: the latent output back out to v, after it): what a measured MLA BMM table
   * is keyed by.
   */
  mlaBmm?: { op: 'pre' | 'post'; heads: number };
}

export interface CostFormats {
  weight: WeightFormat;
  kv: KvDtype;
  /**
   * The linear layers stored in `weight` (WeightLayout.quantized); the others are 16-bit. Absent: every
   * decoder linear layer.
   */
  quantized?: ReadonlySet<QuantizedPart>;
  /**
   * MLA's q up-projection (q_b_proj) where the engine loads it in another format than the rest of
   * attention (SGLang's SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN: fp8 on a checkpoint whose attention is
   * 16-bit). Absent: attention's format.
   */
  qUpProjection?: WeightFormat;
}

/** How one layer is laid out on one GPU, and the assumptions its costs are priced under. */
export interface LayerCostSetup {
  hiddenSize: number;
  layer: LayerGeometry;
  /** Tensor-parallel degree: heads and FFN widths are divided over it. */
  tp: number;
  /** Expert-parallel degree: above 1, whole routed experts are spread over this many GPUs. */
  ep: number;
  /** Each part's linear weight format (the checkpoint's where it quantizes the part, else 16-bit). */
  weights: Readonly<Record<QuantizedPart, WeightFormat>>;
  /** q_b_proj's format where it is not attention's (CostFormats.qUpProjection). */
  qUpProjection?: WeightFormat;
  kvDtype: KvDtype;
  /** RMSNorm of q and k per head (Qwen3, Gemma 3). */
  qkNorm: boolean;
  /** Busiest EP rank's routed tokens over the mean (1: balanced); see DEFAULT_EXPERT_IMBALANCE. */
  expertImbalance: number;
  /**
   * Batches whose tokens meet in one EP group: EP over ep / tp attention-data-parallel ranks (SGLang's
   * --enable-dp-attention, vLLM's DP + EP) routes every rank's tokens to every rank's experts; each rank
   * is assumed to carry the same batch. 1: the EP group is this replica's TP group.
   */
  epGroupBatches: number;
  /**
   * The EP group's GPUs shard every routed expert 1/ep ways and run the group's gathered tokens, instead
   * of holding whole experts (Plan.moeTensorParallel).
   */
  moeTensorParallel: boolean;
}

export interface LayerCostOptions {
  tp?: number;
  ep?: number;
  expertImbalance?: number;
  epGroupBatches?: number;
  moeTensorParallel?: boolean;
}

/**
 * Max-over-mean routed-token load of the busiest expert-parallel rank, by default: 1, balanced.
 * Engines that serve DeepSeek-V3 with wide EP replicate hot experts (EPLB, in vLLM and SGLang) to
 * approach 1; without it real routing is skewed, but no published max/mean measurement of DeepSeek-V3
 * serving traffic was found to default to, so the default assumes balance and callers may raise it.
 * It only matters with EP: under TP every GPU runs a slice of every expert, so every GPU's load is equal.
 */
export const DEFAULT_EXPERT_IMBALANCE = 1;

export function layerCostSetup(
  model: ModelSpec,
  layer: LayerGeometry,
  formats: CostFormats,
  options: LayerCostOptions = {},
): LayerCostSetup {
  return {
    hiddenSize: model.hiddenSize,
    layer,
    tp: options.tp ?? 1,
    ep: layer.ffn.kind === 'moe' ? (options.ep ?? 1) : 1,
    weights: partFormats(formats),
    ...(formats.qUpProjection ? { qUpProjection: formats.qUpProjection } : {}),
    kvDtype: formats.kv,
    qkNorm: model.qkNorm ?? false,
    expertImbalance: options.expertImbalance ?? DEFAULT_EXPERT_IMBALANCE,
    epGroupBatches: options.epGroupBatches ?? 1,
    moeTensorParallel: (options.moeTensorParallel ?? false) && (options.ep ?? 1) > 1,
  };
}

function partFormats(formats: CostFormats): Record<QuantizedPart, WeightFormat> {
  const layout = { format: formats.weight, quantized: formats.quantized ?? EVERY_PART };
  return {
    attention: partWeightFormat(layout, 'attention'),
    attention_output: partWeightFormat(layout, 'attention_output'),
    dense: partWeightFormat(layout, 'dense'),
    experts: partWeightFormat(layout, 'experts'),
    shared: partWeightFormat(layout, 'shared'),
  };
}

/**
 * A matmul of `rows` rows through `weights` weights (inDim × outDim) stored in `weight`: 2 FLOPs per
 * multiply-add (bias adds are not counted); the weights are read once, the rows' inputs read and
 * outputs written.
 */
export function linearOp(
  name: string,
  rows: number,
  weights: number,
  inDim: number,
  outDim: number,
  weight: WeightFormat,
): OpCost {
  return {
    name,
    kind: 'linear',
    flops: 2 * rows * weights,
    bytes: weights * weightBytesPerParam(weight) + rows * (inDim + outDim) * ACTIVATION_BYTES,
    weight,
    // Only a dense matmul is one GEMM; a batched one (weights ≠ in × out, MLA's absorbs) is not.
    ...(weights === inDim * outDim ? { gemm: { n: outDim, k: inDim } } : {}),
  };
}

/** RMSNorm over `width` elements of `rows` rows: read, write, and the weight vector. */
export function rmsNormOp(name: string, rows: number, width: number): OpCost {
  const a = ACTIVATION_BYTES;
  return { name, kind: 'elementwise', flops: 4 * rows * width, bytes: 2 * rows * width * a + width * a };
}

/**
 * (query, key) pairs a causal attention computes for `tokens` new queries after `context` cached keys:
 * query i (0-based) sees the context and itself and the queries before it, so context + i + 1 keys.
 */
export function attendedPairs(tokens: number, context: number): number {
  return tokens * context + (tokens * (tokens + 1)) / 2;
}

/**
 * Pairs as attendedPairs, when each query sees at most `window` keys (itself included, as vLLM's and
 * FlashAttention's sliding window of `window - 1` left keys does). Queries at positions below the
 * window see all before them; the rest see `window`.
 */
export function windowedPairs(tokens: number, context: number, window: number): number {
  if (!(window < context + tokens)) return attendedPairs(tokens, context);
  // Query i sees min(context + i + 1, window) keys; the first `open` are not yet capped.
  const open = Math.min(tokens, Math.max(0, window - context));
  return open * context + (open * (open + 1)) / 2 + (tokens - open) * window;
}

/**
 * Cached and new keys whose K and V a chunk reads: from the first key its first query sees to its last
 * token, `context + tokens` for full attention, at most `tokens + window - 1` for a sliding layer.
 */
export function windowedKeys(tokens: number, context: number, window: number): number {
  return Math.min(context + tokens, tokens + window - 1);
}

export function sumCosts(ops: readonly OpCost[]): { flops: number; bytes: number } {
  let flops = 0;
  let bytes = 0;
  for (const op of ops) {
    flops += op.flops;
    bytes += op.bytes;
  }
  return { flops, bytes };
}
