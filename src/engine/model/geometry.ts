import { type KvDtype, kvBytesPerElement } from './dtypes.js';
import type { LayerAttentionKind, ModelSpec } from './spec.js';

/**
 * The shapes of a model's decoder layers, one layer at a time: the one place that reads attention and
 * FFN dimensions out of a ModelSpec. The memory model, the cost model and the step model all ask here,
 * so a layer that differs from its neighbours (a sliding-window or linear-attention layer, MLA's latent
 * KV, the dense layers before a MoE stack) needs describing once, in `describeLayers`, and every
 * consumer that sums over layers sees it.
 */

/** Grouped-query attention of one layer, whole (before TP): over all tokens or a sliding window of them. */
export interface GqaAttentionGeometry {
  /** 'full' attends to the whole context; 'sliding' to the last `window` tokens, which is all it keeps. */
  kind: 'full' | 'sliding';
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Biases on the q, k, v projections (Qwen2). */
  qkvBias: boolean;
  /** A bias on the output projection too (gpt-oss). */
  outputBias: boolean;
  /** One learned sink logit per head (gpt-oss). */
  sinks: boolean;
  /** Tokens a sliding layer keeps; Infinity for a full layer. */
  window: number;
  /** A sigmoid gate on the output, per head dimension, projected with q (Qwen3-Next, Qwen3.5). */
  outputGate: boolean;
}

/** Multi-head latent attention of one layer (see MlaSpec): the KV cache holds one latent per token. */
export interface MlaAttentionGeometry {
  kind: 'mla';
  heads: number;
  qLoraRank: number | null;
  kvLoraRank: number;
  qkNopeHeadDim: number;
  qkRopeHeadDim: number;
  vHeadDim: number;
  /** Keys each query attends to at most: DeepSeek Sparse Attention's top-k; Infinity for dense MLA. */
  topK: number;
  /** DeepSeek Sparse Attention's indexer (it scores every cached key per query); null for dense MLA. */
  indexer: { heads: number; headDim: number } | null;
}

/** A linear-attention layer (see LinearAttentionSpec): constant state per sequence, no per-token KV. */
export interface LinearAttentionGeometry {
  kind: 'linear';
  keyHeads: number;
  valueHeads: number;
  keyHeadDim: number;
  valueHeadDim: number;
  convKernel: number;
}

export type AttentionGeometry = GqaAttentionGeometry | MlaAttentionGeometry | LinearAttentionGeometry;

/** A gated-SiLU MLP of one layer. */
export interface DenseFfnGeometry {
  kind: 'dense';
  width: number;
}

/** A router over experts, each a gated-SiLU MLP; each token runs `topK` of them and the shared ones. */
export interface MoeFfnGeometry {
  kind: 'moe';
  /** FFN width of one routed expert. */
  width: number;
  experts: number;
  topK: number;
  /** Total width of the shared experts every token runs (0: none). */
  sharedWidth: number;
  /** Biases on each expert's projections and on the router (gpt-oss). */
  biases: boolean;
}

export type FfnGeometry = DenseFfnGeometry | MoeFfnGeometry;

export interface LayerGeometry {
  attention: AttentionGeometry;
  ffn: FfnGeometry;
}

/** Consecutive layers `first` .. `first + count - 1` that share one geometry. */
export interface LayerRun {
  first: number;
  count: number;
  layer: LayerGeometry;
}

/** The attention kind of layer `i`: `layerAttention` where given, else sliding everywhere if only a window is. */
function attentionKindOf(model: ModelSpec, i: number): LayerAttentionKind {
  return model.layerAttention?.[i] ?? (model.slidingWindow !== undefined ? 'sliding' : 'full');
}

function describeAttention(model: ModelSpec, kind: LayerAttentionKind): AttentionGeometry {
  if (kind === 'linear') {
    const l = model.linearAttention;
    if (!l) throw new Error(`${model.name}: a linear-attention layer without linearAttention`);
    return { kind: 'linear', ...l };
  }
  if (model.mla) {
    const sparse = model.sparseAttention;
    return {
      kind: 'mla',
      heads: model.numHeads,
      ...model.mla,
      topK: sparse?.topK ?? Number.POSITIVE_INFINITY,
      indexer: sparse ? { heads: sparse.indexHeads, headDim: sparse.indexHeadDim } : null,
    };
  }
  return {
    kind,
    heads: model.numHeads,
    kvHeads: model.numKvHeads,
    headDim: model.headDim,
    qkvBias: model.qkvBias,
    outputBias: model.outputProjBias ?? false,
    sinks: model.attentionSinks ?? false,
    window: kind === 'sliding' ? (model.slidingWindow ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY,
    outputGate: model.attentionOutputGate ?? false,
  };
}

/**
 * Every layer of the model, in order. Layers with the same shape share one object, so that runs of
 * equal layers are found by reference.
 */
function describeLayers(model: ModelSpec): LayerGeometry[] {
  const attention = new Map<LayerAttentionKind, AttentionGeometry>();
  const dense: DenseFfnGeometry = { kind: 'dense', width: model.intermediateSize };
  const moe: MoeFfnGeometry | undefined = model.moe && {
    kind: 'moe',
    width: model.moe.expertIntermediateSize,
    experts: model.moe.numExperts,
    topK: model.moe.topK,
    sharedWidth: model.moe.sharedIntermediateSize ?? 0,
    biases: model.moe.biases ?? false,
  };
  const denseLayers = new Set(model.moe?.denseLayers ?? []);
  const shapes = new Map<string, LayerGeometry>();
  const layers: LayerGeometry[] = [];
  for (let i = 0; i < model.numLayers; i++) {
    const kind = attentionKindOf(model, i);
    if (!attention.has(kind)) attention.set(kind, describeAttention(model, kind));
    const ffn = moe && !denseLayers.has(i) ? moe : dense;
    const key = `${kind}/${ffn.kind}`;
    let layer = shapes.get(key);
    if (!layer) {
      layer = { attention: attention.get(kind)!, ffn };
      shapes.set(key, layer);
    }
    layers.push(layer);
  }
  return layers;
}

// ModelSpecs are parsed once and never changed, so their layers are described once.
const described = new WeakMap<ModelSpec, readonly LayerGeometry[]>();

/** Every layer's geometry, index = layer number. */
export function modelLayers(model: ModelSpec): readonly LayerGeometry[] {
  let layers = described.get(model);
  if (!layers) {
    layers = describeLayers(model);
    described.set(model, layers);
  }
  return layers;
}

export function layerGeometry(model: ModelSpec, layerIndex: number): LayerGeometry {
  const layer = modelLayers(model)[layerIndex];
  if (!layer) {
    throw new RangeError(`layer ${layerIndex} is outside the ${model.numLayers} layers of ${model.name}`);
  }
  return layer;
}

/** Layers `first` (inclusive) to `end` (exclusive) as runs of equal geometry, in order. */
export function layerRuns(model: ModelSpec, first = 0, end = model.numLayers): LayerRun[] {
  const layers = modelLayers(model);
  const runs: LayerRun[] = [];
  for (let i = first; i < end; i++) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.layer === layers[i]) last.count++;
    else runs.push({ first: i, count: 1, layer: layers[i]! });
  }
  return runs;
}

/** The distinct layer geometries of the model (one for every catalog model today). */
export function distinctLayers(model: ModelSpec): LayerGeometry[] {
  return [...new Set(modelLayers(model))];
}

/** The distinct MoE FFNs of the model; empty for a dense model. */
export function moeLayers(model: ModelSpec): MoeFfnGeometry[] {
  return distinctLayers(model).flatMap(({ ffn }) => (ffn.kind === 'moe' ? [ffn] : []));
}

/**
 * The one geometry of a model whose layers are all alike. For the models that treat every layer as the
 * same (the step model's per-layer table); it throws once a family has layers that differ, which is
 * where such a consumer must learn to sum over `layerRuns`.
 */
export function uniformLayer(model: ModelSpec): LayerGeometry {
  const [layer, ...others] = distinctLayers(model);
  if (!layer || others.length > 0) {
    throw new Error(
      `${model.name} has layers of ${others.length + 1} shapes; this model treats every layer alike`,
    );
  }
  return layer;
}

/**
 * Layers pipeline stage `stage` of `pp` runs, as vLLM partitions them (`get_pp_indices`, SGLang alike):
 * ⌊layers / pp⌋ each, and the remainder one apiece to the stages just before the last, which already
 * holds the LM head. DeepSeek-V3's 61 layers on PP 4 run as 15, 15, 16, 15.
 */
export function stageLayerCount(numLayers: number, pp: number, stage: number): number {
  const base = Math.floor(numLayers / pp);
  const extra = numLayers % pp;
  // Stages pp-1-extra … pp-2 take one more.
  return stage >= pp - 1 - extra && stage < pp - 1 ? base + 1 : base;
}

/** The layers of the largest pipeline stage, the one that bounds the pipeline's pace and memory. */
export function largestStageLayers(numLayers: number, pp: number): number {
  return Math.ceil(numLayers / pp);
}

/** The layers pipeline stage `stage` of `pp` runs: [first, end) (see stageLayerCount). */
export function stageLayerRange(model: ModelSpec, pp: number, stage: number): { first: number; end: number } {
  let first = 0;
  for (let s = 0; s < stage; s++) first += stageLayerCount(model.numLayers, pp, s);
  return { first, end: first + stageLayerCount(model.numLayers, pp, stage) };
}

/** The FFN copies one layer holds (experts, or 1) and the copies one token runs (top-k, or 1). */
export function ffnCopies(ffn: FfnGeometry): { held: number; active: number } {
  return ffn.kind === 'moe' ? { held: ffn.experts, active: ffn.topK } : { held: 1, active: 1 };
}

/** How one GPU's slice of a layer looks under tensor parallelism of degree `tp`. */
export interface LayerShard {
  heads: number;
  /** KV heads held on one GPU: replicated when TP exceeds the KV head count, as vLLM does. */
  kvHeads: number;
  headDim: number;
  /** Output width of the fused q, k, v projection on one GPU. */
  qkvWidth: number;
  /** FFN width of the dense MLP, or of one expert, on one GPU. */
  ffn: number;
  /** FFN width one token runs on one GPU: the MLP's, or top-k experts' together. */
  activeFfn: number;
}

export function shardLayer(layer: LayerGeometry, tp: number): LayerShard {
  const ffn = {
    ffn: layer.ffn.width / tp,
    activeFfn: (layer.ffn.width * ffnCopies(layer.ffn).active + sharedWidthOf(layer.ffn)) / tp,
  };
  const attention = layer.attention;
  if (attention.kind === 'mla') {
    // Heads split over TP; the latent (one "KV head" of kvLoraRank + qkRopeHeadDim) is on every rank.
    const heads = attention.heads / tp;
    const qkHeadDim = attention.qkNopeHeadDim + attention.qkRopeHeadDim;
    return {
      heads,
      kvHeads: 1,
      headDim: qkHeadDim,
      qkvWidth: heads * qkHeadDim + attention.kvLoraRank + attention.qkRopeHeadDim,
      ...ffn,
    };
  }
  if (attention.kind === 'linear') {
    const heads = attention.valueHeads / tp;
    const keyHeads = Math.max(1, attention.keyHeads / tp);
    const width = 2 * keyHeads * attention.keyHeadDim + heads * attention.valueHeadDim;
    return { heads, kvHeads: keyHeads, headDim: attention.valueHeadDim, qkvWidth: width, ...ffn };
  }
  const shardHeads = attention.heads / tp;
  const shardKvHeads = Math.max(1, attention.kvHeads / tp);
  return {
    heads: shardHeads,
    kvHeads: shardKvHeads,
    headDim: attention.headDim,
    qkvWidth: (shardHeads + 2 * shardKvHeads) * attention.headDim,
    ...ffn,
  };
}

/** The shared experts' total width of an FFN (0 for a dense one or a MoE without them). */
export function sharedWidthOf(ffn: FfnGeometry): number {
  return ffn.kind === 'moe' ? ffn.sharedWidth : 0;
}

/**
 * KV cache bytes one token adds in one layer on one GPU of a TP group of `tp`. GQA: its K and V for the
 * KV heads this GPU holds (divided over TP up to their count, replicated beyond). MLA: the latent and
 * the rotary key (and a sparse-attention indexer's key), which every TP rank holds whole (as vLLM and SGLang store it; only attention data
 * parallelism divides it, by giving each rank its own sequences). Linear attention: nothing per token.
 * A sliding layer adds this only for the last `window` tokens of a sequence (layerKvBytesPerSequence).
 */
export function layerKvBytesPerToken(layer: LayerGeometry, tp: number, kvDtype: KvDtype): number {
  const attention = layer.attention;
  const element = kvBytesPerElement(kvDtype);
  if (attention.kind === 'mla') return mlaLatentBytes(attention, element) + indexerKeyBytes(attention);
  if (attention.kind === 'linear') return 0;
  return 2 * Math.max(1, attention.kvHeads / tp) * attention.headDim * element;
}

/**
 * Bytes of one token's MLA latent and rotary key at `element` bytes per value. Sparse (DSA) layers in an
 * 8-bit cache use the layout FlashMLA's sparse kernels read (vLLM's `fp8_ds_mla`): the latent in fp8
 * with one fp32 scale per 128 values, the rotary key kept in bf16 (656 bytes for a 512 + 64 latent).
 */
function mlaLatentBytes(attention: MlaAttentionGeometry, element: number): number {
  if (attention.indexer && element === 1) {
    return attention.kvLoraRank + 4 * Math.ceil(attention.kvLoraRank / 128) + 2 * attention.qkRopeHeadDim;
  }
  return (attention.kvLoraRank + attention.qkRopeHeadDim) * element;
}

/**
 * Bytes the DeepSeek Sparse Attention indexer caches per token beside the latent: its key in fp8 with one
 * fp32 scale per 128 values (vLLM's DeepseekV32IndexerCache, SGLang's NSA index-K buffer), whatever the
 * KV cache's dtype. 0 for dense MLA.
 */
export function indexerKeyBytes(attention: MlaAttentionGeometry): number {
  const d = attention.indexer?.headDim ?? 0;
  return d === 0 ? 0 : d + 4 * Math.ceil(d / 128);
}

/** Bytes of a linear-attention layer's recurrent and convolution state for one sequence, in 16-bit. */
export function layerStateBytesPerSequence(layer: LayerGeometry, tp: number): number {
  const attention = layer.attention;
  if (attention.kind !== 'linear') return 0;
  const valueHeads = attention.valueHeads / tp;
  const keyHeads = Math.max(1, attention.keyHeads / tp);
  const recurrent = valueHeads * attention.keyHeadDim * attention.valueHeadDim;
  const conv =
    (attention.convKernel - 1) * (2 * keyHeads * attention.keyHeadDim + valueHeads * attention.valueHeadDim);
  return (recurrent + conv) * 2;
}

/** Tokens of a `tokens`-long sequence whose KV one layer keeps: all, or the last `window` for a sliding layer. */
export function layerKeptTokens(layer: LayerGeometry, tokens: number): number {
  return layer.attention.kind === 'full' || layer.attention.kind === 'sliding'
    ? Math.min(tokens, layer.attention.window)
    : layer.attention.kind === 'mla'
      ? tokens
      : 0;
}

/** KV cache and state bytes one sequence of `tokens` tokens holds in one layer on one GPU. */
export function layerKvBytesPerSequence(
  layer: LayerGeometry,
  tp: number,
  kvDtype: KvDtype,
  tokens: number,
): number {
  return (
    layerKeptTokens(layer, tokens) * layerKvBytesPerToken(layer, tp, kvDtype) +
    layerStateBytesPerSequence(layer, tp)
  );
}

/** How a replica lays out the KV cache: the Plan fields it depends on. */
export interface KvLayout {
  tp: number;
  pp: number;
  kvDtype: KvDtype;
  /**
   * Attention data parallelism within a TP group (SGLang's --enable-dp-attention, vLLM's data-parallel
   * attention for MLA models): each of the group's ranks attends for its own share of the sequences and
   * holds only their MLA latents, so a latent costs 1/attentionDp of a token's bytes per GPU on
   * average. Plans have no attention DP yet (their DP is whole replicas): absent means 1.
   */
  attentionDp?: number;
}

/** KV bytes one token occupies in layers [first, end) on one GPU of a TP group of `tp`. */
function kvBytesPerTokenOfLayers(
  model: ModelSpec,
  first: number,
  end: number,
  tp: number,
  kvDtype: KvDtype,
): number {
  let bytes = 0;
  for (const run of layerRuns(model, first, end)) {
    bytes += run.count * layerKvBytesPerToken(run.layer, tp, kvDtype);
  }
  return bytes;
}

/**
 * KV cache bytes one token occupies on one GPU: K and V of its stage's layers and its share of the KV
 * heads (KV heads divide over TP up to their count and are replicated beyond). With pipeline stages
 * the most loaded stage's, since every stage must hold every token.
 */
export function kvBytesPerTokenPerGpu(model: ModelSpec, layout: KvLayout): number {
  let most = 0;
  for (let stage = 0; stage < layout.pp; stage++) {
    const { first, end } = stageLayerRange(model, layout.pp, stage);
    most = Math.max(most, kvBytesPerTokenOfLayers(model, first, end, layout.tp, layout.kvDtype));
  }
  return most;
}

/** KV cache bytes one token occupies across a whole replica: all layers, each KV head once. */
export function kvBytesPerTokenPerReplica(model: ModelSpec, kvDtype: KvDtype): number {
  return kvBytesPerTokenOfLayers(model, 0, model.numLayers, 1, kvDtype);
}

/**
 * What one sequence holds on one GPU in a run of layers, by how it grows: per token in the layers that
 * keep every token (full attention, MLA), per token up to `window` tokens in sliding-window layers, and
 * a constant state in linear-attention layers.
 */
export interface KvFootprint {
  fullBytesPerToken: number;
  slidingBytesPerToken: number;
  /** Tokens a sliding layer keeps; Infinity where there are none. */
  window: number;
  stateBytesPerSequence: number;
}

function kvFootprintOfLayers(model: ModelSpec, first: number, end: number, layout: KvLayout): KvFootprint {
  const footprint: KvFootprint = {
    fullBytesPerToken: 0,
    slidingBytesPerToken: 0,
    window: Number.POSITIVE_INFINITY,
    stateBytesPerSequence: 0,
  };
  for (const { count, layer } of layerRuns(model, first, end)) {
    const attention = layer.attention;
    const perToken = count * layerKvBytesPerToken(layer, layout.tp, layout.kvDtype);
    if (attention.kind === 'mla') footprint.fullBytesPerToken += perToken / (layout.attentionDp ?? 1);
    else if (attention.kind === 'full') footprint.fullBytesPerToken += perToken;
    else if (attention.kind === 'sliding') {
      footprint.slidingBytesPerToken += perToken;
      footprint.window = Math.min(footprint.window, attention.window);
    } else footprint.stateBytesPerSequence += count * layerStateBytesPerSequence(layer, layout.tp);
  }
  return footprint;
}

/** Bytes one sequence of `tokens` tokens holds under `footprint`. */
export function kvFootprintBytes(footprint: KvFootprint, tokens: number): number {
  return (
    footprint.fullBytesPerToken * tokens +
    footprint.slidingBytesPerToken * Math.min(tokens, footprint.window) +
    footprint.stateBytesPerSequence
  );
}

/**
 * The KV footprint on one GPU of the pipeline stage that holds the most for a sequence of `tokens`
 * tokens (every stage holds every sequence, so that stage fills first).
 */
export function kvFootprintPerGpu(model: ModelSpec, layout: KvLayout, tokens: number): KvFootprint {
  let most: KvFootprint | undefined;
  for (let stage = 0; stage < layout.pp; stage++) {
    const { first, end } = stageLayerRange(model, layout.pp, stage);
    const footprint = kvFootprintOfLayers(model, first, end, layout);
    if (!most || kvFootprintBytes(footprint, tokens) > kvFootprintBytes(most, tokens)) most = footprint;
  }
  return most!;
}

/**
 * How a paged KV cache counts a footprint in blocks: a block is `blockSize` tokens of `bytesPerToken`
 * (the full layers' bytes per token; a model without full layers uses its sliding layers'). A
 * sequence of t tokens takes ceil(fullShare·t / B) + ceil(slidingShare·min(t, window) / B) +
 * stateBlocks blocks (kvBlocksForSequence); a model whose layers all keep every token takes ceil(t / B).
 */
export interface KvBlockShape {
  bytesPerToken: number;
  /** 1 where the block unit is the full layers' bytes, 0 where the model has none. */
  fullShare: number;
  /** Sliding layers' bytes per token over the unit. */
  slidingShare: number;
  window: number;
  /** Blocks of linear-attention state per sequence. */
  stateBlocks: number;
}

export function kvBlockShape(footprint: KvFootprint, blockSize: number): KvBlockShape {
  const full = footprint.fullBytesPerToken;
  const unit = full > 0 ? full : footprint.slidingBytesPerToken;
  if (unit === 0) {
    // Only linear layers: a sequence is its state, one block of it.
    return {
      bytesPerToken: footprint.stateBytesPerSequence / blockSize,
      fullShare: 0,
      slidingShare: 0,
      window: 0,
      stateBlocks: 1,
    };
  }
  return {
    bytesPerToken: unit,
    fullShare: full > 0 ? 1 : 0,
    slidingShare: footprint.slidingBytesPerToken / unit,
    window: footprint.window,
    stateBlocks: Math.ceil(footprint.stateBytesPerSequence / (unit * blockSize)),
  };
}

/** Blocks a sequence of `tokens` tokens holds (see KvBlockShape); 0 for none. */
export function kvBlocksForSequence(shape: KvBlockShape, tokens: number, blockSize: number): number {
  if (tokens <= 0) return 0;
  return (
    Math.ceil((shape.fullShare * tokens) / blockSize) +
    Math.ceil((shape.slidingShare * Math.min(tokens, shape.window)) / blockSize) +
    shape.stateBlocks
  );
}
