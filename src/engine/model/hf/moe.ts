import type { LayerAttentionKind } from '../spec.js';
import {
  attentionLayout,
  type FamilyReader,
  type FamilySpec,
  layerPattern,
  moeWithDenseLayers,
  readBase,
  readLayerTypes,
  sharedWidth,
} from './common.js';
import { qwenAttention } from './dense.js';
import type { ConfigFields } from './fields.js';

/**
 * The mixture-of-experts families with grouped-query attention: Mixtral, Qwen2-MoE/Qwen3-MoE,
 * Qwen3-Next and Qwen3.5 (hybrid linear attention), GLM-4.5, MiniMax-M2, Llama 4 and gpt-oss. Each says which layers
 * run experts, how wide one expert is and what every token runs besides (shared experts).
 */

/** Mixtral: every layer's FFN is `num_local_experts` experts of `intermediate_size`; windows as Mistral's. */
export const mixtral: FamilyReader = {
  family: 'mixtral',
  defaults: { max_position_embeddings: 4096 * 32 },
  read: (f) => {
    const base = readBase(f, 'mixtral');
    const window = f.optionalInt('sliding_window');
    return {
      ...base,
      qkvBias: false,
      moe: {
        numExperts: f.int('num_local_experts'),
        topK: f.int('num_experts_per_tok'),
        expertIntermediateSize: base.intermediateSize,
      },
      ...attentionLayout(
        layerPattern(base.numLayers, () => 'sliding'),
        window,
        base.maxContextLength,
      ),
    };
  },
};

/**
 * Qwen's MoE rule: layer i runs experts unless listed in `mlp_only_layers`, when (i + 1) is a multiple
 * of `decoder_sparse_step`; the others run a dense MLP of `intermediate_size`.
 */
function qwenMoe(f: ConfigFields, numLayers: number, shared: number | undefined) {
  const step = f.optionalInt('decoder_sparse_step') ?? 1;
  const mlpOnly = new Set(f.optionalIntList('mlp_only_layers') ?? []);
  return moeWithDenseLayers(
    numLayers,
    {
      numExperts: f.int('num_experts'),
      topK: f.int('num_experts_per_tok'),
      expertIntermediateSize: f.int('moe_intermediate_size'),
      sharedIntermediateSize: shared,
    },
    (i) => !mlpOnly.has(i) && (i + 1) % step === 0,
  );
}

/** Qwen1.5/Qwen2-MoE: qkv biases, and one shared expert of `shared_expert_intermediate_size`. */
export const qwen2Moe: FamilyReader = {
  family: 'qwen2_moe',
  defaults: { max_position_embeddings: 32768 },
  read: (f) => {
    const base = readBase(f, 'qwen2_moe');
    const shared = sharedWidth(f.optionalCount('shared_expert_intermediate_size'));
    return { ...base, qkvBias: true, moe: qwenMoe(f, base.numLayers, shared), ...qwenAttention(f, base) };
  },
};

/** Qwen3-MoE: no shared expert (a published `shared_expert_intermediate_size` is unused), q/k norms. */
export const qwen3Moe: FamilyReader = {
  family: 'qwen3_moe',
  defaults: { max_position_embeddings: 32768 },
  read: (f) => {
    const base = readBase(f, 'qwen3_moe');
    return {
      ...base,
      qkvBias: f.optionalBool('attention_bias') ?? false,
      qkNorm: true,
      moe: qwenMoe(f, base.numLayers, undefined),
      ...qwenAttention(f, base),
    };
  },
};

/**
 * The Qwen hybrids (Qwen3-Next, Qwen3.5-MoE): of every `full_attention_interval` layers the last is full
 * attention with a sigmoid output gate and the others Gated DeltaNet linear attention (`linear_*`),
 * unless `layer_types` lists them; Qwen MoE with a shared expert; `mtp_num_hidden_layers` MTP layers.
 */
function readQwenHybrid(f: ConfigFields, family: 'qwen3_next' | 'qwen3_5_moe'): FamilySpec {
  const base = readBase(f, family);
  const interval = f.int('full_attention_interval');
  const kinds =
    readLayerTypes(f, base.numLayers) ??
    layerPattern(base.numLayers, (i): LayerAttentionKind => ((i + 1) % interval === 0 ? 'full' : 'linear'));
  const shared = sharedWidth(f.optionalCount('shared_expert_intermediate_size'));
  const mtp = f.optionalCount('mtp_num_hidden_layers');
  return {
    ...base,
    qkvBias: f.optionalBool('attention_bias') ?? false,
    qkNorm: true,
    // Both gate their full attention (Qwen3NextAttention always does; Qwen3.5 files say attn_output_gate).
    attentionOutputGate: f.optionalBool('attn_output_gate') ?? true,
    moe: qwenMoe(f, base.numLayers, shared),
    linearAttention: {
      keyHeads: f.int('linear_num_key_heads'),
      valueHeads: f.int('linear_num_value_heads'),
      keyHeadDim: f.int('linear_key_head_dim'),
      valueHeadDim: f.int('linear_value_head_dim'),
      convKernel: f.int('linear_conv_kernel_dim'),
    },
    ...attentionLayout(kinds, undefined, base.maxContextLength),
    ...(mtp ? { mtpLayers: mtp } : {}),
  };
}

export const qwen3Next: FamilyReader = {
  family: 'qwen3_next',
  defaults: { max_position_embeddings: 32768, full_attention_interval: 4, linear_conv_kernel_dim: 4 },
  read: (f) => readQwenHybrid(f, 'qwen3_next'),
};

/**
 * Qwen3.5-MoE (its `text_config`, `qwen3_5_moe_text`): Qwen3-Next's hybrid layout and experts. The
 * files leave `intermediate_size` out (no layer is dense): transformers' Qwen3_5MoeTextConfig default.
 */
export const qwen35Moe: FamilyReader = {
  family: 'qwen3_5_moe',
  defaults: {
    max_position_embeddings: 32768,
    full_attention_interval: 4,
    linear_conv_kernel_dim: 4,
    intermediate_size: 5632,
  },
  read: (f) => readQwenHybrid(f, 'qwen3_5_moe'),
};

/**
 * GLM-4.5: DeepSeek-style experts (`n_routed_experts`, `n_shared_experts` of `moe_intermediate_size`)
 * after `first_k_dense_replace` dense layers; qkv biases; q/k norms where `use_qk_norm`.
 */
export const glm4Moe: FamilyReader = {
  family: 'glm4_moe',
  defaults: { max_position_embeddings: 131072, first_k_dense_replace: 1, n_shared_experts: 1 },
  read: (f) => {
    const base = readBase(f, 'glm4_moe');
    const expertWidth = f.int('moe_intermediate_size');
    const firstMoe = f.optionalCount('first_k_dense_replace') ?? 0;
    const mtp = f.optionalCount('num_nextn_predict_layers');
    return {
      ...base,
      qkvBias: f.optionalBool('attention_bias') ?? false,
      ...(f.optionalBool('use_qk_norm') ? { qkNorm: true } : {}),
      moe: moeWithDenseLayers(
        base.numLayers,
        {
          numExperts: f.int('n_routed_experts'),
          topK: f.int('num_experts_per_tok'),
          expertIntermediateSize: expertWidth,
          sharedIntermediateSize: sharedWidth((f.optionalCount('n_shared_experts') ?? 0) * expertWidth),
        },
        (i) => i >= firstMoe,
      ),
      ...(mtp ? { mtpLayers: mtp } : {}),
    };
  },
};

/**
 * MiniMax-M2: every layer runs `num_local_experts` experts of `intermediate_size` (and a shared one of
 * `shared_intermediate_size` where not 0); `num_mtp_modules` multi-token-prediction modules; q and k
 * norms (`use_qk_norm`) over all heads at once.
 */
export const minimaxM2: FamilyReader = {
  family: 'minimax_m2',
  read: (f) => {
    const attentionKinds = f.optionalIntList('attn_type_list');
    if (attentionKinds?.some((kind) => kind === 0)) {
      f.fail(
        'attn_type_list',
        'has lightning (linear) attention layers: that is MiniMax-Text-01/M1, which is not supported; MiniMax-M2 (full attention in every layer) is',
      );
    }
    const base = readBase(f, 'minimax_m2');
    const mtp = f.optionalCount('num_mtp_modules');
    const shared = sharedWidth(f.optionalCount('shared_intermediate_size'));
    return {
      ...base,
      qkvBias: false,
      // Its q and k norms span every head (vLLM's and SGLang's MiniMax-M2 all-reduce them under TP).
      ...(f.optionalBool('use_qk_norm') ? { qkNorm: true, qkNormAcrossHeads: true } : {}),
      moe: {
        numExperts: f.int('num_local_experts'),
        topK: f.int('num_experts_per_tok'),
        expertIntermediateSize: base.intermediateSize,
        ...(shared ? { sharedIntermediateSize: shared } : {}),
      },
      ...(mtp ? { mtpLayers: mtp } : {}),
    };
  },
};

/**
 * Llama 4 (its `text_config`): experts (of `intermediate_size`, plus one shared expert as wide) in every
 * `interleave_moe_layer_step`-th layer, dense MLPs of `intermediate_size_mlp` between them. Three of
 * every four layers use chunked attention over `attention_chunk_size` tokens (RoPE layers,
 * `no_rope_layers` 1); every fourth is global (NoPE). A chunked layer keeps at most one chunk, so it is
 * modelled as a sliding window of that size: an upper bound on what it holds.
 */
export const llama4: FamilyReader = {
  family: 'llama4',
  defaults: {
    attention_chunk_size: 8192,
    interleave_moe_layer_step: 1,
    intermediate_size_mlp: 16384,
    max_position_embeddings: 131072,
    no_rope_layer_interval: 4,
  },
  read: (f) => {
    const base = readBase(f, 'llama4');
    const expertWidth = base.intermediateSize;
    const step = f.int('interleave_moe_layer_step');
    const interval = f.int('no_rope_layer_interval');
    const noRope = f.optionalIntList('no_rope_layers');
    const chunked = (i: number) =>
      noRope && noRope.length === base.numLayers ? noRope[i] === 1 : (i + 1) % interval !== 0;
    const kinds =
      readLayerTypes(f, base.numLayers) ??
      layerPattern(base.numLayers, (i): LayerAttentionKind => (chunked(i) ? 'sliding' : 'full'));
    return {
      ...base,
      intermediateSize: f.int('intermediate_size_mlp'),
      qkvBias: f.optionalBool('attention_bias') ?? false,
      ...(f.optionalBool('use_qk_norm') ? { qkNorm: true } : {}),
      moe: moeWithDenseLayers(
        base.numLayers,
        {
          numExperts: f.int('num_local_experts'),
          topK: f.int('num_experts_per_tok'),
          expertIntermediateSize: expertWidth,
          sharedIntermediateSize: expertWidth,
        },
        (i) => (i + 1) % step === 0,
      ),
      ...attentionLayout(kinds, f.int('attention_chunk_size'), base.maxContextLength),
    };
  },
};

/**
 * gpt-oss: `layer_types` alternate a `sliding_window` (128) with full attention, the window first;
 * attention sinks; biases on the attention projections; every layer `num_local_experts` experts of
 * `intermediate_size`. The checkpoints' tensors (openai/gpt-oss-20b and -120b model.safetensors.index.json)
 * include `self_attn.o_proj.bias`, `self_attn.sinks`, `mlp.router.bias` and the experts'
 * `gate_up_proj_bias` and `down_proj_bias` beside q, k and v's biases: `attention_bias` covers o_proj too.
 */
export const gptOss: FamilyReader = {
  family: 'gpt_oss',
  defaults: { max_position_embeddings: 131072, sliding_window: 128 },
  read: (f) => {
    const base = readBase(f, 'gpt_oss');
    const kinds =
      readLayerTypes(f, base.numLayers) ??
      layerPattern(base.numLayers, (i): LayerAttentionKind => (i % 2 === 0 ? 'sliding' : 'full'));
    const attentionBias = f.optionalBool('attention_bias') ?? true;
    return {
      ...base,
      qkvBias: attentionBias,
      outputProjBias: attentionBias,
      attentionSinks: true,
      moe: {
        numExperts: f.int('num_local_experts'),
        topK: f.int('num_experts_per_tok'),
        expertIntermediateSize: base.intermediateSize,
        biases: true,
      },
      ...attentionLayout(kinds, f.optionalInt('sliding_window'), base.maxContextLength),
    };
  },
};
