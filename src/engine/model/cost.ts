import { SIXTEEN_BIT } from './checkpoint.js';
import {
  attentionCoefficients,
  attentionInputOps,
  attentionOutputOps,
  attentionPathCost,
  decodeOnlyOps,
  prefillKeyOps,
} from './cost/attention.js';
import {
  type BatchPiece,
  type CostFormats,
  type LayerCostOptions,
  type LayerCostSetup,
  layerCostSetup,
  type OpCost,
  rmsNormOp,
  windowedKeys,
  windowedPairs,
} from './cost/common.js';
import { ffnOps } from './cost/ffn.js';
import { ACTIVATION_BYTES } from './dtypes.js';
import { type LayerGeometry, layerGeometry } from './geometry.js';
import type { ModelSpec } from './spec.js';

/**
 * FLOPs and bytes of a decoder layer's ops on one GPU, for any layer geometry (model/geometry.ts):
 * GQA over everything or a sliding window, MLA, linear attention; a dense FFN or routed experts with
 * shared ones. The attention half is in cost/attention.ts, the FFN in cost/ffn.ts; this file puts a
 * layer together in order.
 */

export {
  type AttentionCoefficients,
  type AttentionPathCoefficients,
  attentionCoefficients,
  attentionPathCost,
  decodeOnlyOps,
  prefillKeyOps,
} from './cost/attention.js';
export {
  attendedPairs,
  type BatchPiece,
  type CostFormats,
  DEFAULT_EXPERT_IMBALANCE,
  type LayerCostOptions,
  type LayerCostSetup,
  layerCostSetup,
  type OpCost,
  type OpKind,
  sumCosts,
  windowedKeys,
  windowedPairs,
} from './cost/common.js';
export { busiestRankActiveExperts, expectedActiveExperts } from './cost/ffn.js';

/** A layer's ops that depend only on the step's token count, before and after the attention core. */
export interface LayerTokenOps {
  beforeCore: OpCost[];
  afterCore: OpCost[];
}

/**
 * The ops of one layer whose cost depends only on the token count: norms, projections, the FFN and
 * the residual add. The attention core, and MLA's decode-only and per-key ops, come separately.
 */
export function layerTokenOps(s: LayerCostSetup, tokens: number): LayerTokenOps {
  const h = s.hiddenSize;
  const a = ACTIVATION_BYTES;
  return {
    beforeCore: [rmsNormOp('input_norm', tokens, h), ...attentionInputOps(s, tokens)],
    afterCore: [
      ...attentionOutputOps(s, tokens),
      // Residual add fused with the norm: read both, write the sum and the normed copy.
      { name: 'post_attention_norm', kind: 'elementwise', flops: 6 * tokens * h, bytes: 3 * tokens * h * a },
      ...ffnOps(s, tokens),
      { name: 'residual_add', kind: 'elementwise', flops: tokens * h, bytes: 3 * tokens * h * a },
    ],
  };
}

/**
 * The attention core over `pieces` as one op. A piece of one token runs the decode path, longer ones
 * the prefill path (vLLM's MLA and linear-attention backends split a batch by query length so); for
 * GQA both are the same. Sliding layers see at most their window of keys, sparse (DSA) layers their
 * top-k, after an indexer op that scores every key.
 */
function attentionCoreOp(s: LayerCostSetup, pieces: readonly BatchPiece[]): OpCost[] {
  const c = attentionCoefficients(s);
  let flops = 0;
  let bytes = 0;
  const indexer = { flops: 0, bytes: 0 };
  for (const { tokens, context } of pieces) {
    const path = tokens === 1 ? c.decode : c.prefill;
    const cost = attentionPathCost(
      path,
      tokens,
      windowedPairs(tokens, context, c.window),
      windowedKeys(tokens, context, c.window),
      1,
    );
    flops += cost.flops;
    bytes += cost.bytes;
    if (c.indexer) {
      // The indexer scores every visible key, sliding or not (an unbounded span).
      const all = Number.POSITIVE_INFINITY;
      const scored = attentionPathCost(
        c.indexer,
        tokens,
        windowedPairs(tokens, context, all),
        windowedKeys(tokens, context, all),
        1,
      );
      indexer.flops += scored.flops;
      indexer.bytes += scored.bytes;
    }
  }
  const core: OpCost = { name: 'attention', kind: 'attention', flops, bytes };
  return c.indexer ? [{ name: 'indexer', kind: 'attention', ...indexer }, core] : [core];
}

/**
 * FLOPs and bytes moved by one layer of geometry `layer` on one GPU for one engine step over
 * `pieces`, in execution order. Linear FLOPs are 2 × rows × weights; attention FLOPs count QKᵀ and PV
 * over the causal pairs. Weights are read once per step; KV is read once per piece over all the keys
 * it attends to and written for its new tokens.
 */
export function layerCosts(
  model: ModelSpec,
  layer: LayerGeometry,
  formats: CostFormats,
  pieces: readonly BatchPiece[],
  options: LayerCostOptions = {},
): OpCost[] {
  const s = layerCostSetup(model, layer, formats, options);
  let tokens = 0;
  let decodes = 0;
  let prefillKeys = 0;
  for (const piece of pieces) {
    tokens += piece.tokens;
    if (piece.tokens === 1) decodes++;
    else prefillKeys += piece.context + piece.tokens;
  }
  const { beforeCore, afterCore } = layerTokenOps(s, tokens);
  const perKey = prefillKeys > 0 ? prefillKeyOps(s, prefillKeys) : [];
  const decodeOnly = decodes > 0 ? decodeOnlyOps(s, decodes) : [];
  const [qAbsorb, vAbsorb] = decodeOnly;
  return [
    ...beforeCore,
    ...perKey,
    ...(qAbsorb ? [qAbsorb] : []),
    ...attentionCoreOp(s, pieces),
    ...(vAbsorb ? [vAbsorb] : []),
    ...afterCore,
  ];
}

/**
 * FLOPs and bytes moved by decoder layer `layerIndex` on one GPU (of a TP group of `tp`) for one engine
 * step over `pieces`; see layerCosts.
 */
export function layerOpCosts(
  model: ModelSpec,
  formats: CostFormats,
  pieces: readonly BatchPiece[],
  tp = 1,
  layerIndex = 0,
): OpCost[] {
  return layerCosts(model, layerGeometry(model, layerIndex), formats, pieces, { tp });
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
    weight: SIXTEEN_BIT,
    gemm: { n: model.vocabSize / tp, k: model.hiddenSize },
  };
}
