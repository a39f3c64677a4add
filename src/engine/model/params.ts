import {
  type AttentionGeometry,
  ffnCopies,
  type LayerGeometry,
  layerRuns,
  type MlaAttentionGeometry,
  sharedWidthOf,
} from './geometry.js';
import type { ModelSpec } from './spec.js';

/** Parameter counts of one decoder layer, by the linear layers a serving engine runs. */
export interface LayerParams {
  /** q, k and v projections, fused as engines run them (weights only). */
  qkv: number;
  /**
   * The part of `qkv` every TP rank holds whole: MLA's down-projections to the query and KV latents
   * (q_a_proj, kv_a_proj_with_mqa), which vLLM and SGLang replicate rather than shard.
   */
  qkvReplicated: number;
  qkvBias: number;
  oProj: number;
  /** The output projection's bias (gpt-oss): whole on every TP rank, as a row-parallel layer's bias is. */
  oProjBias: number;
  /** Attention sinks, one per head (gpt-oss): sharded over TP with the heads. */
  sinks: number;
  /** Gate and up projections of one dense MLP or one expert, fused. */
  gateUp: number;
  down: number;
  /** Biases of one expert's gate/up and down projections (gpt-oss); 0 where the experts have none. */
  gateUpBias: number;
  downBias: number;
  /** Number of FFN copies: 1 for a dense layer, the expert count for MoE. */
  ffnCopies: number;
  /** Shared experts' gate, up and down projections (run by every token). */
  shared: number;
  /** The router's weight, and its bias where it has one (gpt-oss). */
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

/**
 * DeepSeek Sparse Attention's indexer (vLLM's and SGLang's Indexer): its query from the q latent (wq_b),
 * one key from the hidden state (wk) with a LayerNorm (weight and bias), and a weight per indexer head
 * (weights_proj). Engines replicate it on every TP rank.
 */
function indexerParams(h: number, attention: MlaAttentionGeometry): { weights: number; norms: number } {
  const indexer = attention.indexer;
  if (!indexer) return { weights: 0, norms: 0 };
  const qRank = attention.qLoraRank ?? h;
  const weights = qRank * indexer.heads * indexer.headDim + h * indexer.headDim + h * indexer.heads;
  return { weights, norms: 2 * indexer.headDim };
}

/** Attention projection weights of one layer: the fused input projections (q, k, v or their MLA/linear forms) and the output one. */
function attentionParams(
  h: number,
  attention: AttentionGeometry,
): Pick<LayerParams, 'qkv' | 'qkvReplicated' | 'qkvBias' | 'oProj' | 'oProjBias' | 'sinks'> & {
  norms: number;
} {
  if (attention.kind === 'mla') {
    const qkHead = attention.qkNopeHeadDim + attention.qkRopeHeadDim;
    const q =
      attention.qLoraRank === null
        ? h * attention.heads * qkHead
        : h * attention.qLoraRank + attention.qLoraRank * attention.heads * qkHead;
    const kvA = h * (attention.kvLoraRank + attention.qkRopeHeadDim);
    const kvB = attention.kvLoraRank * attention.heads * (attention.qkNopeHeadDim + attention.vHeadDim);
    const qA = attention.qLoraRank === null ? 0 : h * attention.qLoraRank;
    const indexer = indexerParams(h, attention);
    const norms = attention.kvLoraRank + (attention.qLoraRank ?? 0) + indexer.norms;
    return {
      qkv: q + kvA + kvB + indexer.weights,
      qkvReplicated: qA + kvA + indexer.weights,
      qkvBias: 0,
      oProj: attention.heads * attention.vHeadDim * h,
      oProjBias: 0,
      sinks: 0,
      norms,
    };
  }
  if (attention.kind === 'linear') {
    const keyDim = attention.keyHeads * attention.keyHeadDim;
    const valueDim = attention.valueHeads * attention.valueHeadDim;
    // q, k, v and the output gate z, plus the decay and beta gates per value head; the causal conv's weights.
    const inProj = h * (2 * keyDim + 2 * valueDim + 2 * attention.valueHeads);
    const conv = attention.convKernel * (2 * keyDim + valueDim);
    return {
      qkv: inProj + conv,
      qkvReplicated: 0,
      qkvBias: 0,
      oProj: valueDim * h,
      oProjBias: 0,
      sinks: 0,
      norms: attention.valueHeadDim,
    };
  }
  const qDim = attention.heads * attention.headDim;
  const kvDim = attention.kvHeads * attention.headDim;
  // An output gate is projected with q: one gate per q dimension.
  const gate = attention.outputGate ? qDim : 0;
  return {
    qkv: h * (qDim + gate + 2 * kvDim),
    qkvReplicated: 0,
    qkvBias: attention.qkvBias ? qDim + 2 * kvDim : 0,
    oProj: qDim * h,
    oProjBias: attention.outputBias ? h : 0,
    sinks: attention.sinks ? attention.heads : 0,
    norms: 0,
  };
}

/** Parameters of one decoder layer of `layer`'s geometry in a model of hidden size `hiddenSize`. */
export function layerParams(hiddenSize: number, layer: LayerGeometry): LayerParams {
  const h = hiddenSize;
  const attention = attentionParams(h, layer.attention);
  const ffn = layer.ffn.width;
  const gateUp = 2 * h * ffn;
  const down = ffn * h;
  const copies = ffnCopies(layer.ffn).held;
  const biased = layer.ffn.kind === 'moe' && layer.ffn.biases;
  const gateUpBias = biased ? 2 * ffn : 0;
  const downBias = biased ? h : 0;
  const router = layer.ffn.kind === 'moe' ? (h + (biased ? 1 : 0)) * layer.ffn.experts : 0;
  const shared = 3 * h * sharedWidthOf(layer.ffn);
  const norms = 2 * h + attention.norms;
  const attentionTotal =
    attention.qkv + attention.qkvBias + attention.oProj + attention.oProjBias + attention.sinks;
  const total = attentionTotal + copies * (gateUp + down + gateUpBias + downBias) + shared + router + norms;
  return {
    ...attention,
    gateUp,
    down,
    gateUpBias,
    downBias,
    ffnCopies: copies,
    shared,
    router,
    norms,
    total,
  };
}

export function modelParams(model: ModelSpec): ModelParams {
  let layers = 0;
  let inactive = 0;
  for (const run of layerRuns(model)) {
    const p = layerParams(model.hiddenSize, run.layer);
    const copies = ffnCopies(run.layer.ffn);
    layers += run.count * p.total;
    inactive += run.count * (copies.held - copies.active) * (p.gateUp + p.down + p.gateUpBias + p.downBias);
  }
  const embedding = model.vocabSize * model.hiddenSize;
  const lmHead = model.tiedEmbeddings ? 0 : model.vocabSize * model.hiddenSize;
  const finalNorm = model.hiddenSize;
  const total = layers + embedding + lmHead + finalNorm;
  return { layers, embedding, lmHead, finalNorm, total, activePerToken: total - inactive };
}
