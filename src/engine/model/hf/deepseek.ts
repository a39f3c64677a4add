import type { FamilyReader } from './common.js';
import { moeWithDenseLayers, readBase, sharedWidth } from './common.js';
import type { ConfigFields } from './fields.js';

/**
 * DeepSeek-V2/V3 and the models built on them (DeepSeek-R1, Kimi-K2): multi-head latent attention in
 * every layer; `n_routed_experts` experts of `moe_intermediate_size` plus `n_shared_experts` as wide,
 * in layer i when i ≥ `first_k_dense_replace` and i is a multiple of `moe_layer_freq` (the others run a
 * dense MLP of `intermediate_size`); `num_nextn_predict_layers` MTP layers beside the main stack.
 */
function readDeepseek(f: ConfigFields, family: 'deepseek_v2' | 'deepseek_v3' | 'glm_moe_dsa') {
  const base = readBase(f, family);
  const qkNopeHeadDim = f.int('qk_nope_head_dim');
  const qkRopeHeadDim = f.int('qk_rope_head_dim');
  const expertWidth = f.int('moe_intermediate_size');
  const firstMoe = f.optionalCount('first_k_dense_replace') ?? 0;
  const frequency = f.optionalInt('moe_layer_freq') ?? 1;
  const mtp = f.optionalCount('num_nextn_predict_layers');
  return {
    ...base,
    // MLA: every head has its own q and k of qk_nope + qk_rope dims; "KV heads" are the query heads.
    numKvHeads: base.numHeads,
    headDim: qkNopeHeadDim + qkRopeHeadDim,
    qkvBias: false,
    mla: {
      qLoraRank: f.optionalInt('q_lora_rank') ?? null,
      kvLoraRank: f.int('kv_lora_rank'),
      qkNopeHeadDim,
      qkRopeHeadDim,
      vHeadDim: f.int('v_head_dim'),
    },
    moe: moeWithDenseLayers(
      base.numLayers,
      {
        numExperts: f.int('n_routed_experts'),
        topK: f.int('num_experts_per_tok'),
        expertIntermediateSize: expertWidth,
        sharedIntermediateSize: sharedWidth((f.optionalCount('n_shared_experts') ?? 0) * expertWidth),
      },
      (i) => i >= firstMoe && i % frequency === 0,
    ),
    ...(mtp ? { mtpLayers: mtp } : {}),
  };
}

const DEEPSEEK_DEFAULTS = { max_position_embeddings: 2048, first_k_dense_replace: 0, moe_layer_freq: 1 };

export const deepseekV2: FamilyReader = {
  family: 'deepseek_v2',
  defaults: DEEPSEEK_DEFAULTS,
  read: (f) => readDeepseek(f, 'deepseek_v2'),
};

export const deepseekV3: FamilyReader = {
  family: 'deepseek_v3',
  defaults: { ...DEEPSEEK_DEFAULTS, max_position_embeddings: 4096 },
  read: (f) => readDeepseek(f, 'deepseek_v3'),
};

/** `mlp_layer_types` ('dense' or 'sparse' per layer) where the file gives it. */
function readMlpLayerTypes(f: ConfigFields, numLayers: number): boolean[] | undefined {
  const names = f.optionalStringList('mlp_layer_types');
  if (!names) return undefined;
  if (names.length !== numLayers) {
    f.fail('mlp_layer_types', `names ${names.length} layers, but num_hidden_layers is ${numLayers}`);
  }
  return names.map((name) => {
    if (name !== 'dense' && name !== 'sparse')
      f.fail('mlp_layer_types', `has '${name}'; known: dense, sparse`);
    return name === 'sparse';
  });
}

/**
 * GLM-5 (`glm_moe_dsa`): DeepSeek-V3's layout (MLA, `first_k_dense_replace` dense layers, then routed and
 * shared experts; `mlp_layer_types` where given) with DeepSeek Sparse Attention: an indexer of
 * `index_n_heads` × `index_head_dim` picks the `index_topk` tokens each query attends to. Defaults:
 * transformers' GlmMoeDsaConfig.
 */
export const glmMoeDsa: FamilyReader = {
  family: 'glm_moe_dsa',
  defaults: {
    ...DEEPSEEK_DEFAULTS,
    max_position_embeddings: 202752,
    first_k_dense_replace: 3,
    index_topk: 2048,
    index_n_heads: 32,
    index_head_dim: 128,
  },
  read: (f) => {
    const spec = readDeepseek(f, 'glm_moe_dsa');
    const sparse = readMlpLayerTypes(f, spec.numLayers);
    let moe = spec.moe;
    if (moe && sparse) {
      const { denseLayers: _, ...experts } = moe;
      moe = moeWithDenseLayers(spec.numLayers, experts, (i) => sparse[i] === true);
    }
    return {
      ...spec,
      moe,
      sparseAttention: {
        topK: f.int('index_topk'),
        indexHeads: f.int('index_n_heads'),
        indexHeadDim: f.int('index_head_dim'),
      },
    };
  },
};
