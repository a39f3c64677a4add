import { SIXTEEN_BIT } from '../checkpoint.js';
import { ACTIVATION_BYTES } from '../dtypes.js';
import {
  type GqaAttentionGeometry,
  indexerKeyBytes,
  type LinearAttentionGeometry,
  layerKvBytesPerToken,
  layerStateBytesPerSequence,
  type MlaAttentionGeometry,
} from '../geometry.js';
import { type LayerCostSetup, linearOp, type OpCost, rmsNormOp } from './common.js';

/**
 * The attention half of a layer on one GPU, by what its cost grows with: the projections (per new
 * token), the attention core (per attended pair, key read and sequence: `AttentionCoefficients`),
 * and, for MLA, the ops only decodes run and the ops run over every key a prefill attends to.
 *
 * Attention sinks (gpt-oss) add one learned logit per head to the softmax: negligible, not counted.
 */

/** Linear coefficients of one attention path (prefill or decode) on one GPU. */
export interface AttentionPathCoefficients {
  flopsPerPair: number;
  /** FLOPs per new token that do not depend on the context (linear attention's recurrence). */
  flopsPerToken: number;
  /** Query read, output written and the new token's KV written. */
  bytesPerToken: number;
  /** Bytes read per key attended (the KV cache's, or MLA prefill's up-projected K and V). */
  bytesPerKey: number;
  /** Bytes per sequence in the step (linear attention's state, read and written). */
  bytesPerSequence: number;
}

export interface AttentionCoefficients {
  /**
   * Keys a query sees at most, itself included: a sliding layer's window, or the top-k a sparse (DSA)
   * layer selects (the pair and key counts are the same; which keys differs); Infinity for the rest.
   */
  window: number;
  prefill: AttentionPathCoefficients;
  decode: AttentionPathCoefficients;
  /**
   * DeepSeek Sparse Attention's indexer, over every causal pair and cached key (not windowed): it scores
   * them all to choose the top-k. Absent for other layers.
   */
  indexer?: AttentionPathCoefficients;
}

/** FLOPs and bytes of one attention path over aggregated sums of its pieces. */
export function attentionPathCost(
  c: AttentionPathCoefficients,
  tokens: number,
  pairs: number,
  keys: number,
  sequences: number,
): { flops: number; bytes: number } {
  return {
    flops: c.flopsPerPair * pairs + c.flopsPerToken * tokens,
    bytes: c.bytesPerToken * tokens + c.bytesPerKey * keys + c.bytesPerSequence * sequences,
  };
}

/**
 * Chunk length of the chunked gated delta rule that prefill runs (flash-linear-attention's, in vLLM
 * and SGLang): each token also attends within its chunk.
 */
export const LINEAR_ATTENTION_CHUNK = 64;

const a = ACTIVATION_BYTES;

/** GQA's heads and KV heads on one GPU: KV heads replicate once TP exceeds them, as vLLM does. */
function gqaShard(g: GqaAttentionGeometry, tp: number) {
  return { heads: g.heads / tp, kvHeads: Math.max(1, g.kvHeads / tp), d: g.headDim };
}

/** Linear attention's heads on one GPU (key heads replicate past TP, as GQA's do). */
function linearShard(g: LinearAttentionGeometry, tp: number) {
  const keyHeads = Math.max(1, g.keyHeads / tp);
  const valueHeads = g.valueHeads / tp;
  return {
    keyHeads,
    valueHeads,
    /** Channels of the convolution: q, k and v. */
    convChannels: 2 * keyHeads * g.keyHeadDim + valueHeads * g.valueHeadDim,
    /** q, k, v, the output gate z, and the decay and beta gates. */
    projected: 2 * keyHeads * g.keyHeadDim + 2 * valueHeads * g.valueHeadDim + 2 * valueHeads,
  };
}

/** The ops before the attention core, per new token. */
export function attentionInputOps(s: LayerCostSetup, tokens: number): OpCost[] {
  const g = s.layer.attention;
  const h = s.hiddenSize;
  if (g.kind === 'mla') return mlaInputOps(s, g, tokens);
  if (g.kind === 'linear') {
    const l = linearShard(g, s.tp);
    return [
      linearOp('in_proj_qkvz_ba', tokens, h * l.projected, h, l.projected, s.weights.attention),
      {
        // Depthwise causal convolution of width convKernel over q, k and v.
        name: 'conv1d',
        kind: 'elementwise',
        flops: 2 * g.convKernel * l.convChannels * tokens,
        bytes: 2 * tokens * l.convChannels * a + g.convKernel * l.convChannels * a,
      },
    ];
  }
  const { heads, kvHeads, d } = gqaShard(g, s.tp);
  // An output gate (Qwen3-Next, Qwen3.5) is projected with q: one more q-wide output.
  const qkvOut = (heads * (g.outputGate ? 2 : 1) + 2 * kvHeads) * d;
  const ops = [linearOp('qkv_proj', tokens, h * qkvOut, h, qkvOut, s.weights.attention)];
  if (s.qkNorm) {
    // RMSNorm of every q and k head: elementwise, with one d-wide weight each for q and k.
    const elements = tokens * (heads + kvHeads) * d;
    ops.push({
      name: 'qk_norm',
      kind: 'elementwise',
      flops: 4 * elements,
      bytes: 2 * elements * a + 2 * d * a,
    });
  }
  ops.push({
    name: 'rope',
    kind: 'elementwise',
    flops: 3 * tokens * (heads + kvHeads) * d,
    bytes: 2 * tokens * (heads + kvHeads) * d * a,
  });
  return ops;
}

/**
 * MLA's projections, as vLLM and SGLang run DeepSeek-V3: the fused down-projection of q and of the KV
 * latent plus rotary key (`fused_qkv_a_proj`, replicated on every TP rank), their RMSNorms, the
 * up-projection of q to the rank's heads (`q_b_proj`, or `q_proj` without a q rank), and RoPE on the
 * rotary parts (every head's q, the one shared key).
 */
function mlaInputOps(s: LayerCostSetup, g: MlaAttentionGeometry, tokens: number): OpCost[] {
  const h = s.hiddenSize;
  const heads = g.heads / s.tp;
  const qk = g.qkNopeHeadDim + g.qkRopeHeadDim;
  const latent = g.kvLoraRank + g.qkRopeHeadDim;
  const ops: OpCost[] = [];
  if (g.qLoraRank !== null) {
    const out = g.qLoraRank + latent;
    ops.push(linearOp('qkv_a_proj', tokens, h * out, h, out, s.weights.attention));
    const normed = g.qLoraRank + g.kvLoraRank;
    ops.push(rmsNormOp('q_a_kv_a_norm', tokens, normed));
    const qUp = s.qUpProjection ?? s.weights.attention;
    ops.push(linearOp('q_b_proj', tokens, g.qLoraRank * heads * qk, g.qLoraRank, heads * qk, qUp));
  } else {
    ops.push(linearOp('q_proj', tokens, h * heads * qk, h, heads * qk, s.weights.attention));
    ops.push(linearOp('kv_a_proj', tokens, h * latent, h, latent, s.weights.attention));
    ops.push(rmsNormOp('kv_a_norm', tokens, g.kvLoraRank));
  }
  const roped = (heads + 1) * g.qkRopeHeadDim;
  ops.push({ name: 'rope', kind: 'elementwise', flops: 3 * tokens * roped, bytes: 2 * tokens * roped * a });
  if (g.indexer) ops.push(...indexerInputOps(s, g, g.indexer, tokens), mlaAbsorbOps(s, g, tokens)[0]);
  return ops;
}

/**
 * DeepSeek Sparse Attention's indexer projections, replicated on every TP rank as vLLM and SGLang run
 * them: its query heads from the q latent (wq_b), its one key from the hidden state (wk), and a weight
 * per head (weights_proj, 16-bit).
 */
function indexerInputOps(
  s: LayerCostSetup,
  g: MlaAttentionGeometry,
  indexer: { heads: number; headDim: number },
  tokens: number,
): OpCost[] {
  const h = s.hiddenSize;
  const qRank = g.qLoraRank ?? h;
  const q = indexer.heads * indexer.headDim;
  return [
    linearOp('indexer_q_proj', tokens, qRank * q, qRank, q, s.weights.attention),
    linearOp('indexer_k_proj', tokens, h * indexer.headDim, h, indexer.headDim, s.weights.attention),
    linearOp('indexer_weights_proj', tokens, h * indexer.heads, h, indexer.heads, SIXTEEN_BIT),
  ];
}

/** The ops after the attention core, per new token. */
export function attentionOutputOps(s: LayerCostSetup, tokens: number): OpCost[] {
  const g = s.layer.attention;
  const h = s.hiddenSize;
  if (g.kind === 'linear') {
    const width = (g.valueHeads / s.tp) * g.valueHeadDim;
    return [
      // RMSNorm of the output gated by silu(z).
      { name: 'gated_norm', kind: 'elementwise', flops: 6 * tokens * width, bytes: 3 * tokens * width * a },
      linearOp('out_proj', tokens, width * h, width, h, s.weights.attention_output),
    ];
  }
  const width = g.kind === 'mla' ? (g.heads / s.tp) * g.vHeadDim : (g.heads / s.tp) * g.headDim;
  if (g.kind === 'mla' && g.indexer) {
    return [
      mlaAbsorbOps(s, g, tokens)[1],
      linearOp('o_proj', tokens, width * h, width, h, s.weights.attention_output),
    ];
  }
  const gate: OpCost[] =
    g.kind !== 'mla' && g.outputGate
      ? [
          {
            name: 'output_gate',
            kind: 'elementwise',
            flops: 4 * tokens * width,
            bytes: 3 * tokens * width * a,
          },
        ]
      : [];
  return [...gate, linearOp('o_proj', tokens, width * h, width, h, s.weights.attention_output)];
}

/** MLA's absorbed projections W_UK (into the latent) and W_UV (back out to each head's v), over `rows` tokens. */
function mlaAbsorbOps(s: LayerCostSetup, g: MlaAttentionGeometry, rows: number): [OpCost, OpCost] {
  const heads = g.heads / s.tp;
  const uk = heads * g.qkNopeHeadDim * g.kvLoraRank;
  const uv = heads * g.kvLoraRank * g.vHeadDim;
  return [
    {
      ...linearOp('mla_q_absorb', rows, uk, heads * g.qkNopeHeadDim, heads * g.kvLoraRank, SIXTEEN_BIT),
      mlaBmm: { op: 'pre', heads },
    },
    {
      ...linearOp('mla_v_absorb', rows, uv, heads * g.kvLoraRank, heads * g.vHeadDim, SIXTEEN_BIT),
      mlaBmm: { op: 'post', heads },
    },
  ];
}

/**
 * Ops only decode tokens run: MLA's absorbed projections. Decodes attend in the latent space (vLLM's
 * and SGLang's FlashMLA path): q_nope is multiplied into it by W_UK (`mla_q_absorb`), and the latent
 * output back out to each head's v by W_UV (`mla_v_absorb`), batched over heads. Engines keep these two
 * in 16-bit whatever the checkpoint's format (vLLM dequantizes kv_b_proj into them at load). Sparse
 * (DSA) layers absorb for every token (attentionInputOps, attentionOutputOps), not only decodes.
 */
export function decodeOnlyOps(s: LayerCostSetup, decodes: number): OpCost[] {
  const g = s.layer.attention;
  if (g.kind !== 'mla' || g.indexer) return [];
  return mlaAbsorbOps(s, g, decodes);
}

/**
 * Ops run over every key a prefill chunk attends to: MLA prefill's up-projection of the latent into
 * each head's K (nope part) and V (`kv_b_proj`). Prefill does not absorb (vLLM's and SGLang's MLA
 * prefill path): it rebuilds K and V for the new tokens and for the cached context it attends to.
 */
export function prefillKeyOps(s: LayerCostSetup, keys: number): OpCost[] {
  const g = s.layer.attention;
  // Sparse (DSA) prefill attends in the latent space too: nothing is up-projected.
  if (g.kind !== 'mla' || g.indexer) return [];
  const heads = g.heads / s.tp;
  const out = heads * (g.qkNopeHeadDim + g.vHeadDim);
  return [linearOp('kv_b_proj', keys, g.kvLoraRank * out, g.kvLoraRank, out, s.weights.attention)];
}

/** The attention core's coefficients on one GPU, for prefill and for decode. */
export function attentionCoefficients(s: LayerCostSetup): AttentionCoefficients {
  const g = s.layer.attention;
  const kvPerKey = layerKvBytesPerToken(s.layer, s.tp, s.kvDtype);
  if (g.kind === 'mla') {
    const heads = g.heads / s.tp;
    const qk = g.qkNopeHeadDim + g.qkRopeHeadDim;
    const latent = g.kvLoraRank + g.qkRopeHeadDim;
    // Absorbed: per head, q (latent + rope) · cached latent and rotary key, then p · latent; every
    // head reads the same latent, so a key costs its latent bytes once, not once per head.
    const absorbed: AttentionPathCoefficients = {
      flopsPerPair: heads * (2 * latent + 2 * g.kvLoraRank),
      flopsPerToken: 0,
      bytesPerToken: heads * (latent + g.kvLoraRank) * a + kvPerKey,
      bytesPerKey: kvPerKey,
      bytesPerSequence: 0,
    };
    return {
      window: g.topK,
      ...(g.indexer ? { indexer: indexerCoefficients(g, g.indexer) } : {}),
      // Dense prefill does not absorb: per head, q·k over nope + rope dims, p·v over v dims; K and V are
      // the up-projected ones kv_b_proj wrote (the shared rotary key expanded to every head). Sparse
      // (DSA) prefill runs FlashMLA's sparse kernel, which attends in the latent space like decode.
      prefill: g.indexer
        ? absorbed
        : {
            flopsPerPair: heads * (2 * qk + 2 * g.vHeadDim),
            flopsPerToken: 0,
            bytesPerToken: heads * (qk + g.vHeadDim) * a + kvPerKey,
            bytesPerKey: heads * (qk + g.vHeadDim) * a,
            bytesPerSequence: 0,
          },
      decode: absorbed,
    };
  }
  if (g.kind === 'linear') return linearCoefficients(s, g);
  const { heads, d } = gqaShard(g, s.tp);
  // Per pair QKᵀ and PV, 4 × heads × headDim; read q, write o, read every key's K and V, write the new K, V.
  const path: AttentionPathCoefficients = {
    flopsPerPair: 4 * heads * d,
    flopsPerToken: 0,
    bytesPerToken: 2 * heads * d * a + kvPerKey,
    bytesPerKey: kvPerKey,
    bytesPerSequence: 0,
  };
  return { window: g.window, prefill: path, decode: path };
}

/**
 * DeepSeek Sparse Attention's indexer core on one GPU (every TP rank scores for its own queries with all
 * indexer heads): per query-key pair, each head's fp8 dot product, its ReLU and the weighted sum over
 * heads (2 × heads × headDim + 3 × heads FLOPs); it reads each cached indexer key once per sequence, and
 * writes the new token's key. The top-k selection streams the scores once (about 2 FLOPs per pair).
 */
function indexerCoefficients(
  g: MlaAttentionGeometry,
  indexer: { heads: number; headDim: number },
): AttentionPathCoefficients {
  const keyBytes = indexerKeyBytes(g);
  return {
    flopsPerPair: 2 * indexer.heads * indexer.headDim + 3 * indexer.heads + 2,
    flopsPerToken: 0,
    // The query heads and their weights read, the selected indices written, the new key written.
    bytesPerToken: indexer.heads * (indexer.headDim + 1) * a + 4 * g.topK + keyBytes,
    bytesPerKey: keyBytes,
    bytesPerSequence: 0,
  };
}

/**
 * Gated DeltaNet: no per-key cost. Each token updates every value head's keyHeadDim × valueHeadDim
 * state (decay, the rank-one delta update and the read-out: about 7 FLOPs per state element); prefill's
 * chunked form does about 6 per element plus attention within its chunk (q·k, the k·k transform, p·v).
 * Each sequence reads and writes its recurrent and convolution state once per step.
 */
function linearCoefficients(s: LayerCostSetup, g: LinearAttentionGeometry): AttentionCoefficients {
  const l = linearShard(g, s.tp);
  const stateElements = g.keyHeadDim * g.valueHeadDim;
  const io = (l.projected + l.valueHeads * g.valueHeadDim) * a;
  const stateBytes = 2 * layerStateBytesPerSequence(s.layer, s.tp);
  const path = (flopsPerToken: number): AttentionPathCoefficients => ({
    flopsPerPair: 0,
    flopsPerToken,
    bytesPerToken: io,
    bytesPerKey: 0,
    bytesPerSequence: stateBytes,
  });
  const chunk = 2 * LINEAR_ATTENTION_CHUNK * (2 * g.keyHeadDim + g.valueHeadDim);
  return {
    window: Number.POSITIVE_INFINITY,
    prefill: path(l.valueHeads * (6 * stateElements + chunk)),
    decode: path(l.valueHeads * 7 * stateElements),
  };
}
