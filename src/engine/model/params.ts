import { ffnCopies, type LayerGeometry, layerRuns } from './geometry.js';
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
  /** Number of FFN copies: 1 for a dense layer, the expert count for MoE. */
  ffnCopies: number;
  router: number;
  /** Two RMSNorm weight vectors. */
  norms: number;
  total: number;
}

export interface ModelParams {
  /** All decoder layers together. */
  layers: number;
  embedding: number;
  /** Zero when the LM head is tied to the embedding. */
  lmHead: number;
  finalNorm: number;
  total: number;
  /** Parameters one token uses: all but the experts it is not routed to (MoE: top-k of them). */
  activePerToken: number;
}

/** Parameters of one decoder layer of `layer`'s geometry in a model of hidden size `hiddenSize`. */
export function layerParams(hiddenSize: number, layer: LayerGeometry): LayerParams {
  const h = hiddenSize;
  const { heads, kvHeads, headDim } = layer.attention;
  const qDim = heads * headDim;
  const kvDim = kvHeads * headDim;
  const ffn = layer.ffn.width;
  const qkv = h * (qDim + 2 * kvDim);
  const qkvBias = layer.attention.qkvBias ? qDim + 2 * kvDim : 0;
  const oProj = qDim * h;
  const gateUp = 2 * h * ffn;
  const down = ffn * h;
  const copies = ffnCopies(layer.ffn).held;
  const router = layer.ffn.kind === 'moe' ? h * layer.ffn.experts : 0;
  const norms = 2 * h;
  const total = qkv + qkvBias + oProj + copies * (gateUp + down) + router + norms;
  return { qkv, qkvBias, oProj, gateUp, down, ffnCopies: copies, router, norms, total };
}

export function modelParams(model: ModelSpec): ModelParams {
  let layers = 0;
  let inactive = 0;
  for (const run of layerRuns(model)) {
    const p = layerParams(model.hiddenSize, run.layer);
    const copies = ffnCopies(run.layer.ffn);
    layers += run.count * p.total;
    inactive += run.count * (copies.held - copies.active) * (p.gateUp + p.down);
  }
  const embedding = model.vocabSize * model.hiddenSize;
  const lmHead = model.tiedEmbeddings ? 0 : model.vocabSize * model.hiddenSize;
  const finalNorm = model.hiddenSize;
  const total = layers + embedding + lmHead + finalNorm;
  return { layers, embedding, lmHead, finalNorm, total, activePerToken: total - inactive };
}
