import { z } from 'zod';
import { WeightDtype } from './dtypes.js';

/** Architecture families, named as Hugging Face `config.json` names them (`model_type`). */
export const ModelFamily = z.enum([
  'llama',
  'llama4',
  'mistral',
  'mixtral',
  'qwen2',
  'qwen2_moe',
  'qwen3',
  'qwen3_moe',
  'qwen3_next',
  'qwen3_5_moe',
  'deepseek_v2',
  'deepseek_v3',
  'gpt_oss',
  'gemma2',
  'gemma3',
  'phi3',
  'glm4_moe',
  'glm_moe_dsa',
  'minimax_m2',
]);
export type ModelFamily = z.infer<typeof ModelFamily>;

const positiveInt = z.number().int().positive();

export const MoeSpec = z.object({
  /** Routed experts of one MoE layer. */
  numExperts: positiveInt,
  /** Routed experts each token runs. */
  topK: positiveInt,
  /** FFN width of one routed expert. */
  expertIntermediateSize: positiveInt,
  /**
   * Total FFN width of the experts every token runs besides its routed ones (DeepSeek's
   * `n_shared_experts × moe_intermediate_size`, Qwen2-MoE's `shared_expert_intermediate_size`, Llama 4's
   * shared expert); absent: none.
   */
  sharedIntermediateSize: positiveInt.optional(),
  /**
   * Layers (0-based) whose FFN is a dense MLP of `intermediateSize` instead of experts: DeepSeek's first
   * `first_k_dense_replace` layers, Llama 4's interleaved dense layers, Qwen's `mlp_only_layers`.
   */
  denseLayers: z.array(z.number().int().nonnegative()).optional(),
  /**
   * Biases on every routed expert's gate/up and down projections and on the router (gpt-oss: the
   * checkpoint's `gate_up_proj_bias`, `down_proj_bias` and `router.bias`, stored in bf16).
   */
  biases: z.boolean().optional(),
});
export type MoeSpec = z.infer<typeof MoeSpec>;

/**
 * Multi-head latent attention (DeepSeek-V2/V3, Kimi-K2): K and V are compressed into one latent of
 * `kvLoraRank` plus a shared rotary key of `qkRopeHeadDim`, which is all the KV cache holds.
 */
export const MlaSpec = z.object({
  /** Rank of the query compression; null where queries are projected directly (DeepSeek-V2-Lite). */
  qLoraRank: positiveInt.nullable(),
  kvLoraRank: positiveInt,
  qkNopeHeadDim: positiveInt,
  qkRopeHeadDim: positiveInt,
  vHeadDim: positiveInt,
});
export type MlaSpec = z.infer<typeof MlaSpec>;

/**
 * Linear-attention layers of hybrid models (Qwen3-Next's Gated DeltaNet): a recurrent state per
 * sequence whose size does not grow with the context, plus a short convolution's state.
 */
export const LinearAttentionSpec = z.object({
  keyHeads: positiveInt,
  valueHeads: positiveInt,
  keyHeadDim: positiveInt,
  valueHeadDim: positiveInt,
  /** Width of the causal convolution over q, k and v (its last `convKernel - 1` inputs are state). */
  convKernel: positiveInt,
});
export type LinearAttentionSpec = z.infer<typeof LinearAttentionSpec>;

/**
 * DeepSeek Sparse Attention (DeepSeek-V3.2, GLM-5) over MLA: a lightweight indexer scores every cached
 * token for each query (`indexHeads` heads of `indexHeadDim`, from the query latent and one shared key
 * per token that it caches beside the latent), and the attention reads only the `topK` best-scoring
 * tokens (`index_topk`).
 */
export const SparseAttentionSpec = z.object({
  topK: positiveInt,
  indexHeads: positiveInt,
  indexHeadDim: positiveInt,
});
export type SparseAttentionSpec = z.infer<typeof SparseAttentionSpec>;

/**
 * Groups of linear layers a checkpoint may store quantized (norms, routers, embeddings stay 16-bit):
 * attention's input projections (q, k, v, MLA's latents), its output projection (o_proj, which NVIDIA's
 * DeepSeek-R1 NVFP4 v2 checkpoints quantize apart from the rest of attention), dense FFNs, routed and
 * shared experts.
 */
export const QuantizedPart = z.enum(['attention', 'attention_output', 'dense', 'experts', 'shared']);
export type QuantizedPart = z.infer<typeof QuantizedPart>;

/**
 * How a published checkpoint stores its weights (its `quantization_config`): the format plans load it
 * in unless told otherwise, and which linear layers hold it. gpt-oss keeps attention in bf16 and
 * stores only the routed experts in mxfp4 (`quantized: ['experts']`); DeepSeek-V3 stores every
 * decoder linear layer in fp8 with one fp32 scale per 128×128 block (`groupSize: 16384`).
 */
export const CheckpointFormat = z.object({
  /** `quant_method` as the checkpoint names it (fp8, compressed-tensors, awq, gptq, mxfp4, modelopt…). */
  method: z.string().min(1),
  dtype: WeightDtype,
  /** Values sharing one scale, where the format has groups or blocks (see WeightFormat). */
  groupSize: positiveInt.optional(),
  /** The linear layers stored in `dtype`; the others are 16-bit. */
  quantized: z.array(QuantizedPart).min(1),
});
export type CheckpointFormat = z.infer<typeof CheckpointFormat>;

/** What one layer's attention attends to: everything, a sliding window, or a linear recurrence. */
export const LayerAttentionKind = z.enum(['full', 'sliding', 'linear']);
export type LayerAttentionKind = z.infer<typeof LayerAttentionKind>;

/**
 * The architecture of a decoder-only transformer, as much as serving cost depends on it: RMSNorm,
 * attention, RMSNorm, gated FFN in every layer. Attention is GQA (MHA and MQA are its ends) unless `mla`
 * is set; each layer's may attend to everything, a sliding window or be a linear recurrence
 * (`layerAttention`). The FFN is dense, or routed experts (`moe`) with optional shared experts and dense
 * layers among them. model/geometry.ts turns this into each layer's shapes.
 */
export const ModelSpec = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    family: ModelFamily,
    /** Where the numbers come from (Hugging Face repository or file). */
    source: z.string(),
    hiddenSize: positiveInt,
    numLayers: positiveInt,
    numHeads: positiveInt,
    numKvHeads: positiveInt,
    headDim: positiveInt,
    /** FFN width of the dense MLP; for MoE models the width of one expert (see `moe`). */
    intermediateSize: positiveInt,
    vocabSize: positiveInt,
    tiedEmbeddings: z.boolean(),
    /** Biases on the q, k, v projections (Qwen2). */
    qkvBias: z.boolean(),
    /** A bias on attention's output projection too (gpt-oss: its `attention_bias` covers o_proj). */
    outputProjBias: z.boolean().optional(),
    maxContextLength: positiveInt,
    moe: MoeSpec.optional(),
    /** Latent attention in every layer (then numKvHeads = numHeads and headDim is the q/k head width). */
    mla: MlaSpec.optional(),
    /** Tokens a sliding-window (or chunked-attention) layer attends to and keeps in its KV cache. */
    slidingWindow: positiveInt.optional(),
    /** Each layer's attention, index = layer; absent: every layer full (or every layer sliding if only slidingWindow is set). */
    layerAttention: z.array(LayerAttentionKind).optional(),
    /** DeepSeek Sparse Attention over the MLA layers (`mla` must be set). */
    sparseAttention: SparseAttentionSpec.optional(),
    /**
     * A sigmoid output gate on the full-attention layers (Qwen3-Next, Qwen3.5: `attn_output_gate`): the
     * q projection also produces one gate per head dimension, doubling its width.
     */
    attentionOutputGate: z.boolean().optional(),
    /** The linear-attention layers' shape, where `layerAttention` has any. */
    linearAttention: LinearAttentionSpec.optional(),
    /** Learned per-head attention sinks (gpt-oss): one parameter per head, no KV. */
    attentionSinks: z.boolean().optional(),
    /** RMSNorm on q and k per head (Qwen3, Gemma 3, GLM-4.5, MiniMax-M2). */
    qkNorm: z.boolean().optional(),
    /**
     * The q and k norms span all heads, not one (MiniMax-M2): under tensor parallelism each GPU holds
     * some heads, so vLLM and SGLang all-reduce the squared sums over the TP group in every layer.
     */
    qkNormAcrossHeads: z.boolean().optional(),
    /** Multi-token-prediction layers beside the main stack (DeepSeek-V3's `num_nextn_predict_layers`): speculative decoding's draft. */
    mtpLayers: z.number().int().nonnegative().optional(),
    /** The published checkpoint's weight format, where it is quantized; absent: 16-bit. */
    checkpointFormat: CheckpointFormat.optional(),
    /**
     * Other checkpoints published of the same weights in another format (NVIDIA's NVFP4 quantization of
     * DeepSeek-R1): a plan in one of their dtypes loads that checkpoint's layout (model/checkpoint.ts).
     */
    otherCheckpoints: z.array(CheckpointFormat).optional(),
  })
  .refine((m) => m.numHeads % m.numKvHeads === 0, {
    message: 'numHeads must be a multiple of numKvHeads (grouped-query attention)',
    path: ['numKvHeads'],
  })
  .refine((m) => !m.moe || m.moe.topK <= m.moe.numExperts, {
    message: 'moe.topK must not exceed moe.numExperts',
    path: ['moe', 'topK'],
  })
  .refine((m) => !m.layerAttention || m.layerAttention.length === m.numLayers, {
    message: 'layerAttention must name one kind per layer (numLayers)',
    path: ['layerAttention'],
  })
  .refine((m) => !m.layerAttention?.includes('sliding') || m.slidingWindow !== undefined, {
    message: 'sliding layers need slidingWindow',
    path: ['slidingWindow'],
  })
  .refine((m) => !m.layerAttention?.includes('linear') || m.linearAttention !== undefined, {
    message: 'linear-attention layers need linearAttention',
    path: ['linearAttention'],
  })
  .refine((m) => !m.sparseAttention || m.mla !== undefined, {
    message: 'sparseAttention needs mla (DeepSeek Sparse Attention selects among MLA latents)',
    path: ['sparseAttention'],
  })
  .refine((m) => !m.moe?.denseLayers || m.moe.denseLayers.every((i) => i < m.numLayers), {
    message: 'moe.denseLayers must be layer indices below numLayers',
    path: ['moe', 'denseLayers'],
  });
export type ModelSpec = z.infer<typeof ModelSpec>;
