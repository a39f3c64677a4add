import type { ModelSpec } from './spec.js';

/** Parameter counts of one decoder layer, by the linear layers a serving engine runs. */
export interface LayerParams {
  /** q, k and v projections, fused as engines run them (weights only). */
  qkv: number;
  qkvBias: number;
  oProj: number;
  /** Gate and up projections of one dense MLP or one expert, fused. */
  gateUp: number;
  down: number;
  /** Number of FFN copies: 1 for a dense model, the expert count for MoE. */
  ffnCopies: number;
  router: number;
  /** Two RMSNorm weight vectors. */
  norms: number;
  total: number;
}

export interface ModelParams {
  layer: LayerParams;
  layers: number;
  embedding: number;
  /** Zero when the LM head is tied to the embedding. */
  lmHead: number;
  finalNorm: number;
  total: number;
  /** Parameters one token uses: all but the experts it is not routed to (MoE: top-k of them). */
  activePerToken: number;
}

export function ffnWidth(model: ModelSpec): number {
  return model.moe ? model.moe.expertIntermediateSize : model.intermediateSize;
}

export function layerParams(model: ModelSpec): LayerParams {
  const h = model.hiddenSize;
  const qDim = model.numHeads * model.headDim;
  const kvDim = model.numKvHeads * model.headDim;
  const ffn = ffnWidth(model);
  const qkv = h * (qDim + 2 * kvDim);
  const qkvBias = model.qkvBias ? qDim + 2 * kvDim : 0;
  const oProj = qDim * h;
  const gateUp = 2 * h * ffn;
  const down = ffn * h;
  const ffnCopies = model.moe ? model.moe.numExperts : 1;
  const router = model.moe ? h * model.moe.numExperts : 0;
  const norms = 2 * h;
  const total = qkv + qkvBias + oProj + ffnCopies * (gateUp + down) + router + norms;
  return { qkv, qkvBias, oProj, gateUp, down, ffnCopies, router, norms, total };
}

export function modelParams(model: ModelSpec): ModelParams {
  const layer = layerParams(model);
  const embedding = model.vocabSize * model.hiddenSize;
  const lmHead = model.tiedEmbeddings ? 0 : model.vocabSize * model.hiddenSize;
  const finalNorm = model.hiddenSize;
  const total = model.numLayers * layer.total + embedding + lmHead + finalNorm;
  const inactiveCopies = model.moe ? model.moe.numExperts - model.moe.topK : 0;
  const activePerToken = total - model.numLayers * inactiveCopies * (layer.gateUp + layer.down);
  return { layer, layers: model.numLayers, embedding, lmHead, finalNorm, total, activePerToken };
}
