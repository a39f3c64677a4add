/**
 * The built-in models, as excerpts of their public Hugging Face `config.json` files.
 *
 * Each excerpt keeps the published field names, values and nesting (`text_config` for multimodal
 * checkpoints) of the fields that serving cost depends on; everything else (token ids, rope scaling
 * details, initializer ranges…) is left out. A field the published file leaves out is left out here
 * too, even where transformers fills in a default: the import applies the same defaults.
 * Values that could not be read from a copy of the file itself are marked `unverified`.
 */
export interface HfCatalogEntry {
  /** Our short lowercase id, used on the command line. */
  id: string;
  /** The Hugging Face repository whose `config.json` the excerpt comes from. */
  repo: string;
  /** The excerpt of that `config.json`. */
  config: Record<string, unknown>;
  /**
   * Other checkpoints published of the same weights in another format: each one's repository and the
   * `quantization_config` of its `config.json` (ModelSpec.otherCheckpoints).
   */
  otherCheckpoints?: readonly { repo: string; quantization_config: Record<string, unknown> }[];
}

/** gpt-oss `layer_types`: sliding-window and full attention alternate, the first layer sliding. */
function alternatingAttention(layers: number): string[] {
  return Array.from({ length: layers }, (_, i) => (i % 2 === 0 ? 'sliding_attention' : 'full_attention'));
}

/** Qwen3 MoE FP8 checkpoints keep the head, the norms and the router of every layer unquantized. */
function qwen3MoeFp8Skipped(layers: number): string[] {
  const perLayer = ['input_layernorm', 'mlp.gate', 'post_attention_layernorm'];
  return [
    'lm_head',
    ...Array.from({ length: layers }, (_, i) => perLayer.map((m) => `model.layers.${i}.${m}`)).flat(),
  ];
}

const QWEN_FP8_BLOCK = {
  activation_scheme: 'dynamic',
  fmt: 'e4m3',
  quant_method: 'fp8',
  weight_block_size: [128, 128],
} as const;

/** Qwen3.5-397B-A17B's config.json (catalog entry qwen3.5-397b-a17b says where its values come from). */
const QWEN3_5_397B_A17B = {
  architectures: ['Qwen3_5MoeForConditionalGeneration'],
  model_type: 'qwen3_5_moe',
  text_config: {
    attn_output_gate: true,
    full_attention_interval: 4,
    head_dim: 256,
    hidden_size: 4096,
    linear_conv_kernel_dim: 4,
    linear_key_head_dim: 128,
    linear_num_key_heads: 16,
    linear_num_value_heads: 64,
    linear_value_head_dim: 128,
    max_position_embeddings: 262144,
    model_type: 'qwen3_5_moe_text',
    moe_intermediate_size: 1024,
    mtp_num_hidden_layers: 1,
    num_attention_heads: 32,
    num_experts: 512,
    num_experts_per_tok: 10,
    num_hidden_layers: 60,
    num_key_value_heads: 2,
    partial_rotary_factor: 0.25,
    shared_expert_intermediate_size: 1024,
    tie_word_embeddings: false,
    vocab_size: 248320,
  },
  tie_word_embeddings: false,
};

const GPT_OSS_MXFP4 = {
  modules_to_not_convert: [
    'model.layers.*.self_attn',
    'model.layers.*.mlp.router',
    'model.embed_tokens',
    'lm_head',
  ],
  quant_method: 'mxfp4',
};

/** DeepSeek-V3, -R1 and -V3.1 publish the same architecture (R1 and V3.1 are further trainings of V3). */
const DEEPSEEK_V3 = {
  architectures: ['DeepseekV3ForCausalLM'],
  attention_bias: false,
  first_k_dense_replace: 3,
  hidden_size: 7168,
  intermediate_size: 18432,
  kv_lora_rank: 512,
  max_position_embeddings: 163840,
  model_type: 'deepseek_v3',
  moe_intermediate_size: 2048,
  moe_layer_freq: 1,
  n_group: 8,
  n_routed_experts: 256,
  n_shared_experts: 1,
  num_attention_heads: 128,
  num_experts_per_tok: 8,
  num_hidden_layers: 61,
  num_key_value_heads: 128,
  num_nextn_predict_layers: 1,
  q_lora_rank: 1536,
  qk_nope_head_dim: 128,
  qk_rope_head_dim: 64,
  quantization_config: {
    activation_scheme: 'dynamic',
    fmt: 'e4m3',
    quant_method: 'fp8',
    weight_block_size: [128, 128],
  },
  tie_word_embeddings: false,
  topk_group: 4,
  topk_method: 'noaux_tc',
  torch_dtype: 'bfloat16',
  v_head_dim: 128,
  vocab_size: 129280,
};

const QWEN3_32B = {
  architectures: ['Qwen3ForCausalLM'],
  attention_bias: false,
  head_dim: 128,
  hidden_size: 5120,
  intermediate_size: 25600,
  max_position_embeddings: 40960,
  max_window_layers: 64,
  model_type: 'qwen3',
  num_attention_heads: 64,
  num_hidden_layers: 64,
  num_key_value_heads: 8,
  sliding_window: null,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  use_sliding_window: false,
  vocab_size: 151936,
};

const QWEN3_30B_A3B = {
  architectures: ['Qwen3MoeForCausalLM'],
  attention_bias: false,
  decoder_sparse_step: 1,
  head_dim: 128,
  hidden_size: 2048,
  intermediate_size: 6144,
  max_position_embeddings: 40960,
  max_window_layers: 48,
  mlp_only_layers: [],
  model_type: 'qwen3_moe',
  moe_intermediate_size: 768,
  norm_topk_prob: true,
  num_attention_heads: 32,
  num_experts: 128,
  num_experts_per_tok: 8,
  num_hidden_layers: 48,
  num_key_value_heads: 4,
  sliding_window: null,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  use_sliding_window: false,
  vocab_size: 151936,
};

const QWEN3_235B_A22B = {
  architectures: ['Qwen3MoeForCausalLM'],
  attention_bias: false,
  decoder_sparse_step: 1,
  head_dim: 128,
  hidden_size: 4096,
  intermediate_size: 12288,
  max_position_embeddings: 40960,
  max_window_layers: 94,
  mlp_only_layers: [],
  model_type: 'qwen3_moe',
  moe_intermediate_size: 1536,
  norm_topk_prob: true,
  num_attention_heads: 64,
  num_experts: 128,
  num_experts_per_tok: 8,
  num_hidden_layers: 94,
  num_key_value_heads: 4,
  sliding_window: null,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  use_sliding_window: false,
  vocab_size: 151936,
};

const llama: HfCatalogEntry[] = [
  {
    id: 'llama-3.1-8b',
    repo: 'meta-llama/Llama-3.1-8B-Instruct',
    config: {
      architectures: ['LlamaForCausalLM'],
      attention_bias: false,
      hidden_size: 4096,
      intermediate_size: 14336,
      max_position_embeddings: 131072,
      mlp_bias: false,
      model_type: 'llama',
      num_attention_heads: 32,
      num_hidden_layers: 32,
      num_key_value_heads: 8,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 128256,
    },
  },
  {
    id: 'llama-3.1-70b',
    repo: 'meta-llama/Llama-3.1-70B-Instruct',
    config: {
      architectures: ['LlamaForCausalLM'],
      attention_bias: false,
      hidden_size: 8192,
      intermediate_size: 28672,
      max_position_embeddings: 131072,
      mlp_bias: false,
      model_type: 'llama',
      num_attention_heads: 64,
      num_hidden_layers: 80,
      num_key_value_heads: 8,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 128256,
    },
  },
  {
    // unverified: read from the base model's file (meta-llama/Meta-Llama-3.1-405B); the Instruct file
    // was not seen. The two are the same architecture.
    id: 'llama-3.1-405b',
    repo: 'meta-llama/Llama-3.1-405B-Instruct',
    config: {
      architectures: ['LlamaForCausalLM'],
      attention_bias: false,
      hidden_size: 16384,
      intermediate_size: 53248,
      max_position_embeddings: 131072,
      mlp_bias: false,
      model_type: 'llama',
      num_attention_heads: 128,
      num_hidden_layers: 126,
      num_key_value_heads: 8,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 128256,
    },
  },
  {
    id: 'llama-3.2-1b',
    repo: 'meta-llama/Llama-3.2-1B-Instruct',
    config: {
      architectures: ['LlamaForCausalLM'],
      attention_bias: false,
      head_dim: 64,
      hidden_size: 2048,
      intermediate_size: 8192,
      max_position_embeddings: 131072,
      mlp_bias: false,
      model_type: 'llama',
      num_attention_heads: 32,
      num_hidden_layers: 16,
      num_key_value_heads: 8,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      vocab_size: 128256,
    },
  },
  {
    id: 'llama-3.2-3b',
    repo: 'meta-llama/Llama-3.2-3B-Instruct',
    config: {
      architectures: ['LlamaForCausalLM'],
      attention_bias: false,
      head_dim: 128,
      hidden_size: 3072,
      intermediate_size: 8192,
      max_position_embeddings: 131072,
      mlp_bias: false,
      model_type: 'llama',
      num_attention_heads: 24,
      num_hidden_layers: 28,
      num_key_value_heads: 8,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      vocab_size: 128256,
    },
  },
  {
    id: 'llama-3.3-70b',
    repo: 'meta-llama/Llama-3.3-70B-Instruct',
    config: {
      architectures: ['LlamaForCausalLM'],
      attention_bias: false,
      hidden_size: 8192,
      intermediate_size: 28672,
      max_position_embeddings: 131072,
      mlp_bias: false,
      model_type: 'llama',
      num_attention_heads: 64,
      num_hidden_layers: 80,
      num_key_value_heads: 8,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 128256,
    },
  },
  {
    id: 'llama-4-scout',
    repo: 'meta-llama/Llama-4-Scout-17B-16E-Instruct',
    config: {
      architectures: ['Llama4ForConditionalGeneration'],
      model_type: 'llama4',
      text_config: {
        attention_bias: false,
        attention_chunk_size: 8192,
        head_dim: 128,
        hidden_size: 5120,
        interleave_moe_layer_step: 1,
        intermediate_size: 8192,
        intermediate_size_mlp: 16384,
        max_position_embeddings: 10485760,
        model_type: 'llama4_text',
        num_attention_heads: 40,
        num_experts_per_tok: 1,
        num_hidden_layers: 48,
        num_key_value_heads: 8,
        num_local_experts: 16,
        torch_dtype: 'bfloat16',
        use_qk_norm: true,
        vocab_size: 202048,
      },
      torch_dtype: 'bfloat16',
    },
  },
  {
    id: 'llama-4-maverick',
    repo: 'meta-llama/Llama-4-Maverick-17B-128E-Instruct',
    config: {
      architectures: ['Llama4ForConditionalGeneration'],
      model_type: 'llama4',
      text_config: {
        attention_bias: false,
        attention_chunk_size: 8192,
        head_dim: 128,
        hidden_size: 5120,
        interleave_moe_layer_step: 2,
        intermediate_size: 8192,
        intermediate_size_mlp: 16384,
        max_position_embeddings: 1048576,
        model_type: 'llama4_text',
        num_attention_heads: 40,
        num_experts_per_tok: 1,
        num_hidden_layers: 48,
        num_key_value_heads: 8,
        num_local_experts: 128,
        torch_dtype: 'bfloat16',
        use_qk_norm: false,
        vocab_size: 202048,
      },
      torch_dtype: 'bfloat16',
    },
  },
  {
    id: 'llama-2-7b',
    repo: 'meta-llama/Llama-2-7b-hf',
    config: {
      architectures: ['LlamaForCausalLM'],
      hidden_size: 4096,
      intermediate_size: 11008,
      max_position_embeddings: 4096,
      model_type: 'llama',
      num_attention_heads: 32,
      num_hidden_layers: 32,
      num_key_value_heads: 32,
      tie_word_embeddings: false,
      torch_dtype: 'float16',
      vocab_size: 32000,
    },
  },
  {
    id: 'llama-2-70b',
    repo: 'meta-llama/Llama-2-70b-hf',
    config: {
      architectures: ['LlamaForCausalLM'],
      hidden_size: 8192,
      intermediate_size: 28672,
      max_position_embeddings: 4096,
      model_type: 'llama',
      num_attention_heads: 64,
      num_hidden_layers: 80,
      num_key_value_heads: 8,
      tie_word_embeddings: false,
      torch_dtype: 'float16',
      vocab_size: 32000,
    },
  },
];

const mistral: HfCatalogEntry[] = [
  {
    id: 'mistral-7b',
    repo: 'mistralai/Mistral-7B-Instruct-v0.3',
    config: {
      architectures: ['MistralForCausalLM'],
      hidden_size: 4096,
      intermediate_size: 14336,
      max_position_embeddings: 32768,
      model_type: 'mistral',
      num_attention_heads: 32,
      num_hidden_layers: 32,
      num_key_value_heads: 8,
      sliding_window: null,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 32768,
    },
  },
  {
    // unverified: torch_dtype. The dimensions were read from the repository's params.json (Mistral's own
    // format) and agree with two third-party copies of this config.json's fields.
    id: 'mistral-small-24b',
    repo: 'mistralai/Mistral-Small-24B-Instruct-2501',
    config: {
      architectures: ['MistralForCausalLM'],
      head_dim: 128,
      hidden_size: 5120,
      intermediate_size: 32768,
      max_position_embeddings: 32768,
      model_type: 'mistral',
      num_attention_heads: 32,
      num_hidden_layers: 40,
      num_key_value_heads: 8,
      sliding_window: null,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 131072,
    },
  },
  {
    // unverified: the dimensions come from tools that cite this config.json (litgpt, GenZ), not from
    // the file; max_position_embeddings 131072 is not confirmed.
    id: 'mistral-large-2411',
    repo: 'mistralai/Mistral-Large-Instruct-2411',
    config: {
      architectures: ['MistralForCausalLM'],
      hidden_size: 12288,
      intermediate_size: 28672,
      max_position_embeddings: 131072,
      model_type: 'mistral',
      num_attention_heads: 96,
      num_hidden_layers: 88,
      num_key_value_heads: 8,
      vocab_size: 32768,
    },
  },
  {
    id: 'mixtral-8x7b',
    repo: 'mistralai/Mixtral-8x7B-Instruct-v0.1',
    config: {
      architectures: ['MixtralForCausalLM'],
      hidden_size: 4096,
      intermediate_size: 14336,
      max_position_embeddings: 32768,
      model_type: 'mixtral',
      num_attention_heads: 32,
      num_experts_per_tok: 2,
      num_hidden_layers: 32,
      num_key_value_heads: 8,
      num_local_experts: 8,
      sliding_window: null,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 32000,
    },
  },
  {
    // unverified: read from the base model's file (Mixtral-8x22B-v0.1, vocab_size 32000) with the
    // Instruct tokenizer's vocab_size 32768, which two tools citing this file agree on.
    id: 'mixtral-8x22b',
    repo: 'mistralai/Mixtral-8x22B-Instruct-v0.1',
    config: {
      architectures: ['MixtralForCausalLM'],
      hidden_size: 6144,
      intermediate_size: 16384,
      max_position_embeddings: 65536,
      model_type: 'mixtral',
      num_attention_heads: 48,
      num_experts_per_tok: 2,
      num_hidden_layers: 56,
      num_key_value_heads: 8,
      num_local_experts: 8,
      sliding_window: null,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 32768,
    },
  },
];

const qwen2: HfCatalogEntry[] = [
  {
    id: 'qwen2.5-7b',
    repo: 'Qwen/Qwen2.5-7B-Instruct',
    config: {
      architectures: ['Qwen2ForCausalLM'],
      hidden_size: 3584,
      intermediate_size: 18944,
      max_position_embeddings: 32768,
      max_window_layers: 28,
      model_type: 'qwen2',
      num_attention_heads: 28,
      num_hidden_layers: 28,
      num_key_value_heads: 4,
      sliding_window: 131072,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      vocab_size: 152064,
    },
  },
  {
    // unverified: max_position_embeddings 32768 (the base model's file says 131072; every other
    // Qwen2.5 Instruct file read says 32768). max_window_layers is left out: not seen for this file.
    id: 'qwen2.5-14b',
    repo: 'Qwen/Qwen2.5-14B-Instruct',
    config: {
      architectures: ['Qwen2ForCausalLM'],
      hidden_size: 5120,
      intermediate_size: 13824,
      max_position_embeddings: 32768,
      model_type: 'qwen2',
      num_attention_heads: 40,
      num_hidden_layers: 48,
      num_key_value_heads: 8,
      sliding_window: 131072,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      vocab_size: 152064,
    },
  },
  {
    id: 'qwen2.5-32b',
    repo: 'Qwen/Qwen2.5-32B-Instruct',
    config: {
      architectures: ['Qwen2ForCausalLM'],
      hidden_size: 5120,
      intermediate_size: 27648,
      max_position_embeddings: 32768,
      max_window_layers: 70,
      model_type: 'qwen2',
      num_attention_heads: 40,
      num_hidden_layers: 64,
      num_key_value_heads: 8,
      sliding_window: 131072,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      vocab_size: 152064,
    },
  },
  {
    id: 'qwen2.5-72b',
    repo: 'Qwen/Qwen2.5-72B-Instruct',
    config: {
      architectures: ['Qwen2ForCausalLM'],
      hidden_size: 8192,
      intermediate_size: 29568,
      max_position_embeddings: 32768,
      max_window_layers: 70,
      model_type: 'qwen2',
      num_attention_heads: 64,
      num_hidden_layers: 80,
      num_key_value_heads: 8,
      sliding_window: 131072,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      vocab_size: 152064,
    },
  },
  {
    id: 'qwen2.5-coder-32b',
    repo: 'Qwen/Qwen2.5-Coder-32B-Instruct',
    config: {
      architectures: ['Qwen2ForCausalLM'],
      hidden_size: 5120,
      intermediate_size: 27648,
      max_position_embeddings: 32768,
      max_window_layers: 70,
      model_type: 'qwen2',
      num_attention_heads: 40,
      num_hidden_layers: 64,
      num_key_value_heads: 8,
      sliding_window: 131072,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      vocab_size: 152064,
    },
  },
  {
    id: 'qwq-32b',
    repo: 'Qwen/QwQ-32B',
    config: {
      architectures: ['Qwen2ForCausalLM'],
      hidden_size: 5120,
      intermediate_size: 27648,
      max_position_embeddings: 131072,
      max_window_layers: 64,
      model_type: 'qwen2',
      num_attention_heads: 40,
      num_hidden_layers: 64,
      num_key_value_heads: 8,
      sliding_window: 32768,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      vocab_size: 152064,
    },
  },
  {
    id: 'qwen1.5-moe-a2.7b',
    repo: 'Qwen/Qwen1.5-MoE-A2.7B-Chat',
    config: {
      architectures: ['Qwen2MoeForCausalLM'],
      decoder_sparse_step: 1,
      hidden_size: 2048,
      intermediate_size: 5632,
      max_position_embeddings: 32768,
      max_window_layers: 21,
      model_type: 'qwen2_moe',
      moe_intermediate_size: 1408,
      norm_topk_prob: false,
      num_attention_heads: 16,
      num_experts: 60,
      num_experts_per_tok: 4,
      num_hidden_layers: 24,
      num_key_value_heads: 16,
      shared_expert_intermediate_size: 5632,
      sliding_window: 32768,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      vocab_size: 151936,
    },
  },
];

const qwen3: HfCatalogEntry[] = [
  {
    id: 'qwen3-0.6b',
    repo: 'Qwen/Qwen3-0.6B',
    config: {
      architectures: ['Qwen3ForCausalLM'],
      attention_bias: false,
      head_dim: 128,
      hidden_size: 1024,
      intermediate_size: 3072,
      max_position_embeddings: 40960,
      max_window_layers: 28,
      model_type: 'qwen3',
      num_attention_heads: 16,
      num_hidden_layers: 28,
      num_key_value_heads: 8,
      sliding_window: null,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      vocab_size: 151936,
    },
  },
  {
    id: 'qwen3-4b',
    repo: 'Qwen/Qwen3-4B',
    config: {
      architectures: ['Qwen3ForCausalLM'],
      attention_bias: false,
      head_dim: 128,
      hidden_size: 2560,
      intermediate_size: 9728,
      max_position_embeddings: 40960,
      max_window_layers: 36,
      model_type: 'qwen3',
      num_attention_heads: 32,
      num_hidden_layers: 36,
      num_key_value_heads: 8,
      sliding_window: null,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      vocab_size: 151936,
    },
  },
  {
    id: 'qwen3-8b',
    repo: 'Qwen/Qwen3-8B',
    config: {
      architectures: ['Qwen3ForCausalLM'],
      attention_bias: false,
      head_dim: 128,
      hidden_size: 4096,
      intermediate_size: 12288,
      max_position_embeddings: 40960,
      max_window_layers: 36,
      model_type: 'qwen3',
      num_attention_heads: 32,
      num_hidden_layers: 36,
      num_key_value_heads: 8,
      sliding_window: null,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      vocab_size: 151936,
    },
  },
  {
    id: 'qwen3-14b',
    repo: 'Qwen/Qwen3-14B',
    config: {
      architectures: ['Qwen3ForCausalLM'],
      attention_bias: false,
      head_dim: 128,
      hidden_size: 5120,
      intermediate_size: 17408,
      max_position_embeddings: 40960,
      max_window_layers: 40,
      model_type: 'qwen3',
      num_attention_heads: 40,
      num_hidden_layers: 40,
      num_key_value_heads: 8,
      sliding_window: null,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      vocab_size: 151936,
    },
  },
  { id: 'qwen3-32b', repo: 'Qwen/Qwen3-32B', config: QWEN3_32B },
  { id: 'qwen3-30b-a3b', repo: 'Qwen/Qwen3-30B-A3B', config: QWEN3_30B_A3B },
  { id: 'qwen3-235b-a22b', repo: 'Qwen/Qwen3-235B-A22B', config: QWEN3_235B_A22B },
  {
    // qkv_bias and shared_expert_intermediate_size are published in this file although qwen3_moe
    // has no such options; they are kept as published.
    id: 'qwen3-coder-480b-a35b',
    repo: 'Qwen/Qwen3-Coder-480B-A35B-Instruct',
    config: {
      architectures: ['Qwen3MoeForCausalLM'],
      decoder_sparse_step: 1,
      head_dim: 128,
      hidden_size: 6144,
      intermediate_size: 8192,
      max_position_embeddings: 262144,
      max_window_layers: 62,
      mlp_only_layers: [],
      model_type: 'qwen3_moe',
      moe_intermediate_size: 2560,
      norm_topk_prob: true,
      num_attention_heads: 96,
      num_experts: 160,
      num_experts_per_tok: 8,
      num_hidden_layers: 62,
      num_key_value_heads: 8,
      qkv_bias: false,
      shared_expert_intermediate_size: 0,
      sliding_window: null,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      use_qk_norm: true,
      use_sliding_window: false,
      vocab_size: 151936,
    },
  },
  {
    // Hybrid: of every full_attention_interval (4) layers, three use Gated DeltaNet linear attention
    // (the linear_* fields) and the fourth full attention. num_hidden_layers and vocab_size were read
    // from the -Thinking sibling's file; every other field agrees between the two.
    id: 'qwen3-next-80b-a3b',
    repo: 'Qwen/Qwen3-Next-80B-A3B-Instruct',
    config: {
      architectures: ['Qwen3NextForCausalLM'],
      decoder_sparse_step: 1,
      full_attention_interval: 4,
      head_dim: 256,
      hidden_size: 2048,
      intermediate_size: 5120,
      linear_conv_kernel_dim: 4,
      linear_key_head_dim: 128,
      linear_num_key_heads: 16,
      linear_num_value_heads: 32,
      linear_value_head_dim: 128,
      max_position_embeddings: 262144,
      mlp_only_layers: [],
      model_type: 'qwen3_next',
      moe_intermediate_size: 512,
      norm_topk_prob: true,
      num_attention_heads: 16,
      num_experts: 512,
      num_experts_per_tok: 10,
      num_hidden_layers: 48,
      num_key_value_heads: 2,
      partial_rotary_factor: 0.25,
      shared_expert_intermediate_size: 512,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      vocab_size: 151936,
    },
  },
  {
    // Multimodal: the text model is its text_config (the vision tower is not modelled). Hybrid as
    // Qwen3-Next: 15 × (3 Gated DeltaNet layers, then 1 gated full-attention layer) = 60 layers. The raw
    // file was not seen; every value is as public copies of it give it: the Qwen3.5 model card (60
    // layers, hidden 4096, DeltaNet 64 V / 16 QK heads of 128, attention 32 Q / 2 KV heads of 256, 512
    // experts of 1024 with 10 routed + 1 shared, 262144 context, vocabulary 248320), the linear_* fields
    // as quoted from this repository's config.json in flash-linear-attention notes, and the same
    // text_config values in Megatron-Bridge's and other engines' Qwen3.5-397B-A17B fixtures (one of which
    // gives shared_expert_intermediate_size 4096; 1024 is the model card's and gives the published 17B
    // active parameters, 4096 would give 19.6B).
    // unconfirmed: mtp_num_hidden_layers 1 (model card summaries list one MTP layer) and the absence
    // of intermediate_size (the import then takes transformers' default, which no layer uses).
    id: 'qwen3.5-397b-a17b',
    repo: 'Qwen/Qwen3.5-397B-A17B',
    config: QWEN3_5_397B_A17B,
  },
];

/**
 * NVIDIA's NVFP4 DeepSeek-V3/R1 checkpoints, made by ModelOpt's DeepSeek recipe
 * (NVIDIA/TensorRT-Model-Optimizer examples/deepseek/ptq.py @1030a22): NVFP4_DEFAULT_CFG over every
 * linear layer but `*attn*` (MLA's projections stay 16-bit) and `*head*` (the LM head); the dense FFNs
 * of the first three layers, the routed and the shared experts are NVFP4; the MTP layer is skipped
 * (`layers.61*`). With `--enable_wo_quant` (the -v2 checkpoints) attention's output projection (wo,
 * o_proj) is NVFP4 too (NVIDIA/TensorRT-LLM
 * docs/source/blogs/tech_blog/blog14_Scaling_Expert_Parallelism_in_TensorRT-LLM_part3.md @cf60757:
 * "checkpoints that additionally quantize the wo module in attention layers to FP4",
 * DeepSeek-R1-FP4-v2 and -0528-FP4-v2). unverified: the files' own exclude_modules were not seen; these lists are what the recipe writes,
 * in the Hugging Face module names.
 */
function deepseekNvfp4(quantizeOutput: boolean): Record<string, unknown> {
  const skipped = [
    'q_a_proj',
    'q_b_proj',
    'kv_a_proj_with_mqa',
    'kv_b_proj',
    ...(quantizeOutput ? [] : ['o_proj']),
  ];
  const layers = Array.from({ length: 61 }, (_, i) => skipped.map((m) => `model.layers.${i}.self_attn.${m}`));
  return {
    quant_method: 'modelopt',
    quant_algo: 'NVFP4',
    group_size: 16,
    kv_cache_quant_algo: 'FP8',
    exclude_modules: ['lm_head', ...layers.flat(), 'model.layers.61*'],
  };
}

const deepseek: HfCatalogEntry[] = [
  {
    // NVIDIA's NVFP4 V3-0324 was published with R1-0528-FP4 (2025-06-06, its model card), before the
    // -v2 recipe: attention's output projection stays 16-bit.
    id: 'deepseek-v3',
    repo: 'deepseek-ai/DeepSeek-V3',
    config: DEEPSEEK_V3,
    otherCheckpoints: [{ repo: 'nvidia/DeepSeek-V3-0324-FP4', quantization_config: deepseekNvfp4(false) }],
  },
  {
    // InferenceMAX's DeepSeek-R1 fp4 runs serve nvidia/DeepSeek-R1-0528-FP4-V2 (SemiAnalysisAI/InferenceX
    // .github/configs/nvidia-master.yaml, dsr1-fp4-b200-sglang and -trt: `model: nvidia/DeepSeek-R1-0528-FP4-V2`).
    id: 'deepseek-r1',
    repo: 'deepseek-ai/DeepSeek-R1',
    config: DEEPSEEK_V3,
    otherCheckpoints: [{ repo: 'nvidia/DeepSeek-R1-0528-FP4-v2', quantization_config: deepseekNvfp4(true) }],
  },
  {
    // unverified: quantization_config.scale_fmt 'ue8m0'. V3.1 introduced UE8M0 scales and engines read
    // them from scale_fmt since V3.1 (lmdeploy #4212); the DeepSeek-V3.2 file carries the same value,
    // but V3.1's own file was not seen.
    id: 'deepseek-v3.1',
    repo: 'deepseek-ai/DeepSeek-V3.1',
    config: {
      ...DEEPSEEK_V3,
      quantization_config: { ...DEEPSEEK_V3.quantization_config, scale_fmt: 'ue8m0' },
    },
  },
  {
    // q_lora_rank null: queries are projected directly, without the low-rank compression of V3.
    id: 'deepseek-v2-lite',
    repo: 'deepseek-ai/DeepSeek-V2-Lite-Chat',
    config: {
      architectures: ['DeepseekV2ForCausalLM'],
      attention_bias: false,
      first_k_dense_replace: 1,
      hidden_size: 2048,
      intermediate_size: 10944,
      kv_lora_rank: 512,
      max_position_embeddings: 163840,
      model_type: 'deepseek_v2',
      moe_intermediate_size: 1408,
      moe_layer_freq: 1,
      n_group: 1,
      n_routed_experts: 64,
      n_shared_experts: 2,
      num_attention_heads: 16,
      num_experts_per_tok: 6,
      num_hidden_layers: 27,
      num_key_value_heads: 16,
      q_lora_rank: null,
      qk_nope_head_dim: 128,
      qk_rope_head_dim: 64,
      topk_group: 1,
      topk_method: 'greedy',
      torch_dtype: 'bfloat16',
      v_head_dim: 128,
      vocab_size: 102400,
    },
  },
  {
    // unverified: this file was not seen. The values are those of Llama-3.3-70B-Instruct, the model
    // this one was distilled into, and the 131072-token context its providers list.
    id: 'deepseek-r1-distill-llama-70b',
    repo: 'deepseek-ai/DeepSeek-R1-Distill-Llama-70B',
    config: {
      architectures: ['LlamaForCausalLM'],
      hidden_size: 8192,
      intermediate_size: 28672,
      max_position_embeddings: 131072,
      model_type: 'llama',
      num_attention_heads: 64,
      num_hidden_layers: 80,
      num_key_value_heads: 8,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 128256,
    },
  },
  {
    // unverified: this file was not seen. The values are those of Qwen2.5-32B (the base it was
    // distilled into; its 32,763,876,352 BF16 parameters match) and its 131072-token context.
    id: 'deepseek-r1-distill-qwen-32b',
    repo: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-32B',
    config: {
      architectures: ['Qwen2ForCausalLM'],
      hidden_size: 5120,
      intermediate_size: 27648,
      max_position_embeddings: 131072,
      model_type: 'qwen2',
      num_attention_heads: 40,
      num_hidden_layers: 64,
      num_key_value_heads: 8,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 152064,
    },
  },
  {
    id: 'kimi-k2',
    repo: 'moonshotai/Kimi-K2-Instruct',
    config: {
      architectures: ['DeepseekV3ForCausalLM'],
      attention_bias: false,
      first_k_dense_replace: 1,
      hidden_size: 7168,
      intermediate_size: 18432,
      kv_lora_rank: 512,
      max_position_embeddings: 131072,
      model_type: 'kimi_k2',
      moe_intermediate_size: 2048,
      moe_layer_freq: 1,
      n_group: 1,
      n_routed_experts: 384,
      n_shared_experts: 1,
      num_attention_heads: 64,
      num_experts_per_tok: 8,
      num_hidden_layers: 61,
      num_key_value_heads: 64,
      num_nextn_predict_layers: 0,
      q_lora_rank: 1536,
      qk_nope_head_dim: 128,
      qk_rope_head_dim: 64,
      quantization_config: {
        activation_scheme: 'dynamic',
        fmt: 'e4m3',
        quant_method: 'fp8',
        weight_block_size: [128, 128],
      },
      tie_word_embeddings: false,
      topk_group: 1,
      topk_method: 'noaux_tc',
      torch_dtype: 'bfloat16',
      v_head_dim: 128,
      vocab_size: 163840,
    },
  },
  {
    // unverified: read from a transformers dump of this checkpoint's configuration, not from the raw
    // file. The text model is Kimi-K2's architecture with a 262144-token context; the checkpoint keeps
    // its routed experts in int4 (groups of 32) and everything else in bf16. The vision tower is not
    // modelled.
    id: 'kimi-k2.5',
    repo: 'moonshotai/Kimi-K2.5',
    config: {
      architectures: ['KimiK25ForConditionalGeneration'],
      model_type: 'kimi_k25',
      quantization_config: {
        config_groups: {
          group_0: {
            input_activations: null,
            output_activations: null,
            targets: ['Linear'],
            weights: {
              dynamic: false,
              group_size: 32,
              num_bits: 4,
              strategy: 'group',
              symmetric: true,
              type: 'int',
            },
          },
        },
        format: 'pack-quantized',
        ignore: [
          'lm_head',
          're:.*self_attn.*',
          're:.*shared_experts.*',
          're:.*mlp\\.(gate|up|gate_up|down)_proj.*',
        ],
        quant_method: 'compressed-tensors',
      },
      text_config: {
        architectures: ['DeepseekV3ForCausalLM'],
        attention_bias: false,
        first_k_dense_replace: 1,
        hidden_size: 7168,
        intermediate_size: 18432,
        kv_lora_rank: 512,
        max_position_embeddings: 262144,
        model_type: 'deepseek_v3',
        moe_intermediate_size: 2048,
        moe_layer_freq: 1,
        n_group: 1,
        n_routed_experts: 384,
        n_shared_experts: 1,
        num_attention_heads: 64,
        num_experts_per_tok: 8,
        num_hidden_layers: 61,
        num_key_value_heads: 64,
        num_nextn_predict_layers: 0,
        q_lora_rank: 1536,
        qk_nope_head_dim: 128,
        qk_rope_head_dim: 64,
        tie_word_embeddings: false,
        topk_group: 1,
        topk_method: 'noaux_tc',
        v_head_dim: 128,
        vocab_size: 163840,
      },
      tie_word_embeddings: false,
    },
  },
];

/** gpt-oss: attention sinks, 128-token windows on every other layer, MXFP4 experts; no torch_dtype published. */
const gptOss: HfCatalogEntry[] = [
  {
    id: 'gpt-oss-20b',
    repo: 'openai/gpt-oss-20b',
    config: {
      architectures: ['GptOssForCausalLM'],
      attention_bias: true,
      head_dim: 64,
      hidden_size: 2880,
      intermediate_size: 2880,
      layer_types: alternatingAttention(24),
      max_position_embeddings: 131072,
      model_type: 'gpt_oss',
      num_attention_heads: 64,
      num_experts_per_tok: 4,
      num_hidden_layers: 24,
      num_key_value_heads: 8,
      num_local_experts: 32,
      quantization_config: GPT_OSS_MXFP4,
      sliding_window: 128,
      tie_word_embeddings: false,
      vocab_size: 201088,
    },
  },
  {
    id: 'gpt-oss-120b',
    repo: 'openai/gpt-oss-120b',
    config: {
      architectures: ['GptOssForCausalLM'],
      attention_bias: true,
      head_dim: 64,
      hidden_size: 2880,
      intermediate_size: 2880,
      layer_types: alternatingAttention(36),
      max_position_embeddings: 131072,
      model_type: 'gpt_oss',
      num_attention_heads: 64,
      num_experts_per_tok: 4,
      num_hidden_layers: 36,
      num_key_value_heads: 8,
      num_local_experts: 128,
      quantization_config: GPT_OSS_MXFP4,
      sliding_window: 128,
      tie_word_embeddings: false,
      vocab_size: 201088,
    },
  },
];

/**
 * Gemma 2 files publish no tie_word_embeddings (transformers' default: tied). Gemma 3 text_configs
 * publish only what differs from Gemma3TextConfig's defaults: vocab_size 262208, num_attention_heads 8,
 * num_key_value_heads 4, head_dim 256, max_position_embeddings 131072, sliding_window_pattern 6, tied
 * embeddings.
 */
const gemma: HfCatalogEntry[] = [
  {
    // unverified: read from the base model's file (google/gemma-2-9b), which shares the architecture.
    id: 'gemma-2-9b',
    repo: 'google/gemma-2-9b-it',
    config: {
      architectures: ['Gemma2ForCausalLM'],
      attention_bias: false,
      head_dim: 256,
      hidden_size: 3584,
      intermediate_size: 14336,
      max_position_embeddings: 8192,
      model_type: 'gemma2',
      num_attention_heads: 16,
      num_hidden_layers: 42,
      num_key_value_heads: 8,
      sliding_window: 4096,
      torch_dtype: 'bfloat16',
      vocab_size: 256000,
    },
  },
  {
    id: 'gemma-2-27b',
    repo: 'google/gemma-2-27b-it',
    config: {
      architectures: ['Gemma2ForCausalLM'],
      attention_bias: false,
      head_dim: 128,
      hidden_size: 4608,
      intermediate_size: 36864,
      max_position_embeddings: 8192,
      model_type: 'gemma2',
      num_attention_heads: 32,
      num_hidden_layers: 46,
      num_key_value_heads: 16,
      sliding_window: 4096,
      torch_dtype: 'bfloat16',
      vocab_size: 256000,
    },
  },
  {
    id: 'gemma-3-4b',
    repo: 'google/gemma-3-4b-it',
    config: {
      architectures: ['Gemma3ForConditionalGeneration'],
      model_type: 'gemma3',
      text_config: {
        hidden_size: 2560,
        intermediate_size: 10240,
        model_type: 'gemma3_text',
        num_hidden_layers: 34,
        sliding_window: 1024,
      },
      torch_dtype: 'bfloat16',
    },
  },
  {
    id: 'gemma-3-12b',
    repo: 'google/gemma-3-12b-it',
    config: {
      architectures: ['Gemma3ForConditionalGeneration'],
      model_type: 'gemma3',
      text_config: {
        hidden_size: 3840,
        intermediate_size: 15360,
        model_type: 'gemma3_text',
        num_attention_heads: 16,
        num_hidden_layers: 48,
        num_key_value_heads: 8,
        sliding_window: 1024,
      },
      torch_dtype: 'bfloat16',
    },
  },
  {
    // unverified: sliding_window_pattern 6 appears in one copy of this file only (6 is also the default).
    id: 'gemma-3-27b',
    repo: 'google/gemma-3-27b-it',
    config: {
      architectures: ['Gemma3ForConditionalGeneration'],
      model_type: 'gemma3',
      text_config: {
        head_dim: 128,
        hidden_size: 5376,
        intermediate_size: 21504,
        model_type: 'gemma3_text',
        num_attention_heads: 32,
        num_hidden_layers: 62,
        num_key_value_heads: 16,
        sliding_window: 1024,
        sliding_window_pattern: 6,
      },
      torch_dtype: 'bfloat16',
    },
  },
];

const phi: HfCatalogEntry[] = [
  {
    id: 'phi-3-mini-4k',
    repo: 'microsoft/Phi-3-mini-4k-instruct',
    config: {
      architectures: ['Phi3ForCausalLM'],
      hidden_size: 3072,
      intermediate_size: 8192,
      max_position_embeddings: 4096,
      model_type: 'phi3',
      num_attention_heads: 32,
      num_hidden_layers: 32,
      num_key_value_heads: 32,
      sliding_window: 2047,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 32064,
    },
  },
  {
    // unverified: max_position_embeddings 131072 (the dimensions were read from the 4k variant's
    // file, which shares them). sliding_window is left out: not seen for this file.
    id: 'phi-3-medium-128k',
    repo: 'microsoft/Phi-3-medium-128k-instruct',
    config: {
      architectures: ['Phi3ForCausalLM'],
      hidden_size: 5120,
      intermediate_size: 17920,
      max_position_embeddings: 131072,
      model_type: 'phi3',
      num_attention_heads: 40,
      num_hidden_layers: 40,
      num_key_value_heads: 10,
      vocab_size: 32064,
    },
  },
  {
    id: 'phi-4',
    repo: 'microsoft/phi-4',
    config: {
      architectures: ['Phi3ForCausalLM'],
      attention_bias: false,
      hidden_size: 5120,
      intermediate_size: 17920,
      max_position_embeddings: 16384,
      model_type: 'phi3',
      num_attention_heads: 40,
      num_hidden_layers: 40,
      num_key_value_heads: 10,
      sliding_window: null,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 100352,
    },
  },
];

/** MiniMax-M2 and -M2.5 publish the same architecture (M2.5 is a further training of M2). */
const MINIMAX_M2 = {
  architectures: ['MiniMaxM2ForCausalLM'],
  head_dim: 128,
  hidden_size: 3072,
  intermediate_size: 1536,
  max_position_embeddings: 196608,
  model_type: 'minimax_m2',
  mtp_transformer_layers: 1,
  num_attention_heads: 48,
  num_experts_per_tok: 8,
  num_hidden_layers: 62,
  num_key_value_heads: 8,
  num_local_experts: 256,
  num_mtp_modules: 3,
  quantization_config: {
    activation_scheme: 'dynamic',
    fmt: 'float8_e4m3fn',
    quant_method: 'fp8',
    weight_block_size: [128, 128],
    modules_to_not_convert: ['gate', 'e_score_correction_bias', 'lm_head'],
  },
  rotary_dim: 64,
  shared_intermediate_size: 0,
  tie_word_embeddings: false,
  use_qk_norm: true,
  vocab_size: 200064,
};

/** GLM-5's config.json (catalog entry glm-5 says where its values come from). */
const GLM_5 = {
  architectures: ['GlmMoeDsaForCausalLM'],
  attention_bias: false,
  first_k_dense_replace: 3,
  hidden_size: 6144,
  index_head_dim: 128,
  index_n_heads: 32,
  index_topk: 2048,
  intermediate_size: 12288,
  kv_lora_rank: 512,
  max_position_embeddings: 202752,
  model_type: 'glm_moe_dsa',
  moe_intermediate_size: 2048,
  n_routed_experts: 256,
  n_shared_experts: 1,
  num_attention_heads: 64,
  num_experts_per_tok: 8,
  num_hidden_layers: 78,
  num_key_value_heads: 64,
  num_nextn_predict_layers: 1,
  q_lora_rank: 2048,
  qk_nope_head_dim: 192,
  qk_rope_head_dim: 64,
  tie_word_embeddings: false,
  v_head_dim: 256,
  vocab_size: 154880,
};

const glmAndMiniMax: HfCatalogEntry[] = [
  {
    // unverified: the MoE, bias and norm fields were read from the GLM-4.6 file, which publishes the
    // same architecture with a longer context (202752); 131072 and the dimensions are GLM-4.5's own.
    id: 'glm-4.5',
    repo: 'zai-org/GLM-4.5',
    config: {
      architectures: ['Glm4MoeForCausalLM'],
      attention_bias: true,
      first_k_dense_replace: 3,
      head_dim: 128,
      hidden_size: 5120,
      intermediate_size: 12288,
      max_position_embeddings: 131072,
      model_type: 'glm4_moe',
      moe_intermediate_size: 1536,
      n_group: 1,
      n_routed_experts: 160,
      n_shared_experts: 1,
      num_attention_heads: 96,
      num_experts_per_tok: 8,
      num_hidden_layers: 92,
      num_key_value_heads: 8,
      num_nextn_predict_layers: 1,
      partial_rotary_factor: 0.5,
      tie_word_embeddings: false,
      topk_group: 1,
      torch_dtype: 'bfloat16',
      use_qk_norm: true,
      vocab_size: 151552,
    },
  },
  {
    id: 'glm-4.5-air',
    repo: 'zai-org/GLM-4.5-Air',
    config: {
      architectures: ['Glm4MoeForCausalLM'],
      attention_bias: true,
      first_k_dense_replace: 1,
      head_dim: 128,
      hidden_size: 4096,
      intermediate_size: 10944,
      max_position_embeddings: 131072,
      model_type: 'glm4_moe',
      moe_intermediate_size: 1408,
      n_group: 1,
      n_routed_experts: 128,
      n_shared_experts: 1,
      num_attention_heads: 96,
      num_experts_per_tok: 8,
      num_hidden_layers: 46,
      num_key_value_heads: 8,
      num_nextn_predict_layers: 1,
      partial_rotary_factor: 0.5,
      tie_word_embeddings: false,
      topk_group: 1,
      torch_dtype: 'bfloat16',
      use_qk_norm: false,
      vocab_size: 151552,
    },
  },
  {
    // MLA (q rank 2048, kv rank 512, qk 192 + 64 rope, v 256) with DeepSeek Sparse Attention: an indexer
    // of 32 heads × 128 picks the 2048 tokens each query attends to. The raw file was not seen: the
    // values are those GPTQModel's tests snapshot from this repository's config.json (2026-04-07), which
    // a vLLM issue's copy of a quantized GLM-5 config.json and AIConfigurator's GLM-5 DSA dimensions
    // agree with; the GLM-5 technical report's table (78 layers: 3 dense + 75 MoE, 256 experts + 1
    // shared, vocabulary 154880, 1 MTP layer) agrees too.
    // unconfirmed: vocab_size, num_nextn_predict_layers and tie_word_embeddings are the technical report's
    // and transformers' GlmMoeDsaConfig defaults, not read from a copy of the file.
    id: 'glm-5',
    repo: 'zai-org/GLM-5',
    config: GLM_5,
  },
  {
    // unverified: read from the MiniMax-M2.5 and -M2.7 files (same architecture; M2.7 has a 204800
    // context), not from M2's own. intermediate_size is the size of each routed expert.
    id: 'minimax-m2',
    repo: 'MiniMaxAI/MiniMax-M2',
    config: MINIMAX_M2,
  },
  {
    // unverified: the excerpt shared with minimax-m2, which was read from this file and M2.7's.
    id: 'minimax-m2.5',
    repo: 'MiniMaxAI/MiniMax-M2.5',
    config: MINIMAX_M2,
  },
];

/** Published quantized checkpoints: the base model's file plus the checkpoint's quantization_config. */
const quantized: HfCatalogEntry[] = [
  {
    id: 'qwen3-32b-fp8',
    repo: 'Qwen/Qwen3-32B-FP8',
    config: { ...QWEN3_32B, quantization_config: QWEN_FP8_BLOCK },
  },
  {
    id: 'qwen3-30b-a3b-fp8',
    repo: 'Qwen/Qwen3-30B-A3B-FP8',
    config: {
      ...QWEN3_30B_A3B,
      quantization_config: {
        activation_scheme: 'dynamic',
        modules_to_not_convert: qwen3MoeFp8Skipped(48),
        fmt: 'e4m3',
        quant_method: 'fp8',
        weight_block_size: [128, 128],
      },
    },
  },
  {
    id: 'qwen3-235b-a22b-fp8',
    repo: 'Qwen/Qwen3-235B-A22B-FP8',
    config: {
      ...QWEN3_235B_A22B,
      quantization_config: {
        activation_scheme: 'dynamic',
        modules_to_not_convert: qwen3MoeFp8Skipped(94),
        fmt: 'e4m3',
        quant_method: 'fp8',
        weight_block_size: [128, 128],
      },
    },
  },
  {
    // InferenceMAX's Qwen3.5 FP8 runs (its qwen3.5-fp8-b200/b300-sglang configurations) serve this
    // checkpoint (SemiAnalysisAI/InferenceX benchmarks/single_node/qwen3.5_fp8_b200.sh
    // @01fa35cfe5273096451a21fe735b3c5ff8e6e300: --served-model-name "Qwen/Qwen3.5-397B-A17B-FP8").
    // unverified: the quantization_config is the one Qwen's FP8 releases write (fp8 e4m3, 128 × 128 weight
    // blocks, dynamic activations: Qwen3-32B-FP8's); this file's own, and which modules it leaves in
    // 16-bit, were not seen, so every decoder linear layer reads as quantized.
    id: 'qwen3.5-397b-a17b-fp8',
    repo: 'Qwen/Qwen3.5-397B-A17B-FP8',
    config: { ...QWEN3_5_397B_A17B, quantization_config: QWEN_FP8_BLOCK },
  },
  {
    // Zhipu's FP8 release of GLM-5, which SGLang's GLM-5 cookbook serves for every FP8 deployment on
    // H200 and B200 (sgl-project/sgl-cookbook docs/autoregressive/GLM/GLM-5.md @2581d8e0: `--model
    // zai-org/GLM-5-FP8`) and AIConfigurator's export records as `moe_quant_mode fp8_block` for
    // InferenceMAX's GLM-5 FP8 SGLang runs (shared/data/perf-db/silicon-calibration.csv). Its weights
    // carry 128 × 128 block scales, the layout DeepGEMM runs: vLLM's GLM-5 recipe needs DeepGEMM for
    // this checkpoint (vllm-project/recipes GLM/GLM5.md @15feb1b2: "For FP8 model, you must install
    // DeepGEMM").
    // unverified: the quantization_config is the one Zhipu's and DeepSeek's block-scaled FP8 releases
    // write (fp8 e4m3, 128 × 128 weight blocks, dynamic activations); this file's own, and which modules
    // it leaves in 16-bit, were not seen, so every decoder linear layer reads as quantized.
    id: 'glm-5-fp8',
    repo: 'zai-org/GLM-5-FP8',
    config: { ...GLM_5, quantization_config: QWEN_FP8_BLOCK },
  },
  {
    // unverified: quantization_config and torch_dtype were read from a transformers dump of this
    // checkpoint's configuration, not from the raw file.
    id: 'qwen3-32b-awq',
    repo: 'Qwen/Qwen3-32B-AWQ',
    config: {
      ...QWEN3_32B,
      quantization_config: {
        bits: 4,
        group_size: 128,
        modules_to_not_convert: null,
        quant_method: 'awq',
        version: 'gemm',
        zero_point: true,
      },
      torch_dtype: 'float16',
    },
  },
];

export const HF_CATALOG: readonly HfCatalogEntry[] = [
  ...llama,
  ...mistral,
  ...qwen2,
  ...qwen3,
  ...deepseek,
  ...gptOss,
  ...gemma,
  ...phi,
  ...glmAndMiniMax,
  ...quantized,
];
