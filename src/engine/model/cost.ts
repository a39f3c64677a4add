import { ACTIVATION_BYTES, type KvDtype, type WeightFormat, weightBytesPerParam } from './dtypes.js';
import { layerGeometry, layerKvBytesPerToken, shardLayer } from './geometry.js';
import type { ModelSpec } from './spec.js';

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
}

export interface CostFormats {
  weight: WeightFormat;
  kv: KvDtype;
}

/**
 * (query, key) pairs a causal attention computes for `tokens` new queries after `context` cached keys:
 * query i (0-based) sees the context and itself and the queries before it, so context + i + 1 keys.
 */
export function attendedPairs(tokens: number, context: number): number {
  return tokens * context + (tokens * (tokens + 1)) / 2;
}

/**
 * Expected number of distinct experts that `tokens` tokens route to when each picks `topK` of
 * `experts` uniformly: the experts whose weights one MoE layer must read.
 */
export function expectedActiveExperts(experts: number, topK: number, tokens: number): number {
  if (tokens <= 0) return 0;
  return experts * (1 - (1 - topK / experts) ** tokens);
}

/**
 * FLOPs and bytes moved by decoder layer `layerIndex` on one GPU (of a TP group of `tp`) for one engine
 * step over `pieces`. Linear FLOPs are 2 × tokens × weights (bias adds are not counted); attention
 * FLOPs are QKᵀ and PV over the causal pairs, 4 × heads × headDim per pair. Weights are read once per
 * step; KV is read once per piece over all the keys it attends to and written for its new tokens.
 */
export function layerOpCosts(
  model: ModelSpec,
  formats: CostFormats,
  pieces: readonly BatchPiece[],
  tp = 1,
  layerIndex = 0,
): OpCost[] {
  const h = model.hiddenSize;
  const layer = layerGeometry(model, layerIndex);
  const shard = shardLayer(layer, tp);
  const d = shard.headDim;
  const wBytes = weightBytesPerParam(formats.weight);
  const a = ACTIVATION_BYTES;

  let tokens = 0;
  let pairs = 0;
  let keysRead = 0;
  for (const piece of pieces) {
    tokens += piece.tokens;
    pairs += attendedPairs(piece.tokens, piece.context);
    keysRead += piece.context + piece.tokens;
  }

  const qkvOut = shard.qkvWidth;
  const qkvWeights = h * qkvOut;
  const oWeights = shard.heads * d * h;
  const linear = (
    name: string,
    weights: number,
    inDim: number,
    outDim: number,
    weightBytes = wBytes,
  ): OpCost => ({
    name,
    kind: 'linear',
    flops: 2 * tokens * weights,
    bytes: weights * weightBytes + tokens * (inDim + outDim) * a,
  });

  const ops: OpCost[] = [];
  ops.push({
    name: 'input_norm',
    kind: 'elementwise',
    flops: 4 * tokens * h,
    bytes: 2 * tokens * h * a + h * a,
  });
  ops.push(linear('qkv_proj', qkvWeights, h, qkvOut));
  ops.push({
    name: 'rope',
    kind: 'elementwise',
    flops: 3 * tokens * (shard.heads + shard.kvHeads) * d,
    bytes: 2 * tokens * (shard.heads + shard.kvHeads) * d * a,
  });
  const kvBytesPerKey = layerKvBytesPerToken(layer, tp, formats.kv);
  ops.push({
    name: 'attention',
    kind: 'attention',
    flops: 4 * shard.heads * d * pairs,
    // Read q, write o, read every attended key's K and V, write the new tokens' K and V.
    bytes: 2 * tokens * shard.heads * d * a + keysRead * kvBytesPerKey + tokens * kvBytesPerKey,
  });
  ops.push(linear('o_proj', oWeights, shard.heads * d, h));
  ops.push({
    name: 'post_attention_norm',
    kind: 'elementwise',
    flops: 6 * tokens * h,
    bytes: 3 * tokens * h * a,
  });

  if (layer.ffn.kind === 'moe') {
    const { experts: numExperts, topK } = layer.ffn;
    const router = h * numExperts;
    ops.push({
      name: 'router',
      kind: 'linear',
      flops: 2 * tokens * router,
      bytes: router * a + tokens * (h + numExperts) * a,
    });
    const touched = expectedActiveExperts(numExperts, topK, tokens);
    const gateUpOne = 2 * h * shard.ffn;
    const downOne = shard.ffn * h;
    const routedTokens = tokens * topK;
    ops.push({
      name: 'experts_gate_up',
      kind: 'linear',
      flops: 2 * routedTokens * gateUpOne,
      bytes: touched * gateUpOne * wBytes + routedTokens * (h + 2 * shard.ffn) * a,
    });
    ops.push({
      name: 'silu_and_mul',
      kind: 'elementwise',
      flops: 5 * routedTokens * shard.ffn,
      bytes: 3 * routedTokens * shard.ffn * a,
    });
    ops.push({
      name: 'experts_down',
      kind: 'linear',
      flops: 2 * routedTokens * downOne,
      bytes: touched * downOne * wBytes + routedTokens * (shard.ffn + h) * a,
    });
  } else {
    ops.push(linear('gate_up_proj', 2 * h * shard.ffn, h, 2 * shard.ffn));
    ops.push({
      name: 'silu_and_mul',
      kind: 'elementwise',
      flops: 5 * tokens * shard.ffn,
      bytes: 3 * tokens * shard.ffn * a,
    });
    ops.push(linear('down_proj', shard.ffn * h, shard.ffn, h));
  }
  ops.push({ name: 'residual_add', kind: 'elementwise', flops: tokens * h, bytes: 3 * tokens * h * a });
  return ops;
}

/**
 * The LM head on one GPU: logits only for the tokens that sample (the last token of each piece that
 * completes a prompt, and every decode), vocabulary split over TP. Embedding and LM head stay 16-bit.
 */
export function lmHeadCost(model: ModelSpec, sampledTokens: number, tp = 1): OpCost {
  const weights = (model.vocabSize / tp) * model.hiddenSize;
  return {
    name: 'lm_head',
    kind: 'linear',
    flops: 2 * sampledTokens * weights,
    bytes:
      weights * ACTIVATION_BYTES +
      sampledTokens * (model.hiddenSize + model.vocabSize / tp) * ACTIVATION_BYTES,
  };
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
