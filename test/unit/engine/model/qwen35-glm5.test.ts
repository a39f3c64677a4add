import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { layerCosts } from '../../../../src/engine/model/cost.js';
import { kvBytesPerTokenPerGpu, layerGeometry, modelLayers } from '../../../../src/engine/model/geometry.js';
import { modelFromHfConfig } from '../../../../src/engine/model/hf-config.js';
import { layerParams, modelParams } from '../../../../src/engine/model/params.js';

/** Within `tolerance` (a fraction) of `expected`. */
function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual / expected - 1) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
}

const indicesOf = <T>(list: readonly T[], value: T) => list.flatMap((v, i) => (v === value ? [i] : []));

/** A user's Qwen3.5-MoE checkpoint: the multimodal file, its text model nested, fp8 blocks at the top. */
const QWEN35_FILE = {
  architectures: ['Qwen3_5MoeForConditionalGeneration'],
  model_type: 'qwen3_5_moe',
  quantization_config: { quant_method: 'fp8', fmt: 'e4m3', weight_block_size: [128, 128] },
  text_config: {
    model_type: 'qwen3_5_moe_text',
    hidden_size: 2048,
    num_hidden_layers: 8,
    num_attention_heads: 16,
    num_key_value_heads: 2,
    head_dim: 256,
    full_attention_interval: 4,
    linear_num_key_heads: 16,
    linear_num_value_heads: 32,
    linear_key_head_dim: 128,
    linear_value_head_dim: 128,
    num_experts: 256,
    num_experts_per_tok: 8,
    moe_intermediate_size: 512,
    shared_expert_intermediate_size: 512,
    mtp_num_hidden_layers: 1,
    vocab_size: 248320,
    max_position_embeddings: 262144,
  },
  tie_word_embeddings: false,
};

/** A user's GLM-5-architecture checkpoint, with the per-layer MLP list GLM-5's file carries. */
const GLM5_FILE = {
  architectures: ['GlmMoeDsaForCausalLM'],
  model_type: 'glm_moe_dsa',
  hidden_size: 1024,
  intermediate_size: 4096,
  moe_intermediate_size: 512,
  num_hidden_layers: 6,
  num_attention_heads: 16,
  num_key_value_heads: 16,
  q_lora_rank: 512,
  kv_lora_rank: 256,
  qk_nope_head_dim: 64,
  qk_rope_head_dim: 32,
  v_head_dim: 64,
  n_routed_experts: 32,
  n_shared_experts: 1,
  num_experts_per_tok: 4,
  index_topk: 256,
  index_n_heads: 8,
  index_head_dim: 64,
  mlp_layer_types: ['dense', 'dense', 'sparse', 'sparse', 'sparse', 'sparse'],
  vocab_size: 32000,
};

describe('Qwen3.5-397B-A17B and GLM-5', () => {
  it('Qwen3.5-397B-A17B: 15 gated full-attention layers among 45 Gated DeltaNet ones, 512 experts', () => {
    const model = getModel('Qwen/Qwen3.5-397B-A17B');
    assert.equal(model.id, 'qwen3.5-397b-a17b');
    assert.equal(model.family, 'qwen3_5_moe');
    const kinds = modelLayers(model).map((layer) => layer.attention.kind);
    assert.deepEqual(
      indicesOf(kinds, 'full'),
      Array.from({ length: 15 }, (_, i) => 4 * i + 3),
    );
    assert.equal(indicesOf(kinds, 'linear').length, 45);
    assert.deepEqual(model.linearAttention, {
      keyHeads: 16,
      valueHeads: 64,
      keyHeadDim: 128,
      valueHeadDim: 128,
      convKernel: 4,
    });
    assert.deepEqual(model.moe, {
      numExperts: 512,
      topK: 10,
      expertIntermediateSize: 1024,
      sharedIntermediateSize: 1024,
    });
    assert.equal(model.attentionOutputGate, true);
    assert.equal(model.mtpLayers, 1);
  });

  it('Qwen3.5-397B-A17B: 397B total (the vision tower not counted), 17B active', () => {
    const p = modelParams(getModel('qwen3.5-397b-a17b'));
    near(p.total, 397e9, 0.01, 'total');
    near(p.activePerToken, 17e9, 0.03, 'active');
  });

  it('the output gate doubles the q projection of a full-attention layer', () => {
    const model = getModel('qwen3.5-397b-a17b');
    const full = layerParams(model.hiddenSize, layerGeometry(model, 3));
    // q and its gate: 2 × 32 heads × 256; k and v: 2 × 2 KV heads × 256.
    assert.equal(full.qkv, 4096 * (2 * 32 * 256 + 2 * 2 * 256));
  });

  it('GLM-5: MLA with DeepSeek Sparse Attention, 3 dense layers, 256 experts plus one shared', () => {
    const model = getModel('zai-org/GLM-5');
    assert.equal(model.family, 'glm_moe_dsa');
    assert.deepEqual(model.mla, {
      qLoraRank: 2048,
      kvLoraRank: 512,
      qkNopeHeadDim: 192,
      qkRopeHeadDim: 64,
      vHeadDim: 256,
    });
    assert.deepEqual(model.sparseAttention, { topK: 2048, indexHeads: 32, indexHeadDim: 128 });
    assert.deepEqual(model.moe, {
      numExperts: 256,
      topK: 8,
      expertIntermediateSize: 2048,
      sharedIntermediateSize: 2048,
      denseLayers: [0, 1, 2],
    });
    assert.equal(model.numLayers, 78);
    assert.equal(model.mtpLayers, 1);
  });

  it('GLM-5: 744B total; 40B active (counted, as published, without the embedding lookup)', () => {
    const p = modelParams(getModel('glm-5'));
    near(p.total, 744e9, 0.005, 'total');
    near(p.activePerToken - p.embedding, 40e9, 0.03, 'active');
  });

  it("GLM-5's KV cache holds the latent and rotary key plus the indexer's fp8 key and scale", () => {
    const model = getModel('glm-5');
    // Per layer, fp8: the 512 latent values in fp8 with 4 fp32 scales, the 64 rope values in bf16 (656,
    // FlashMLA's sparse layout), and the indexer's 128 fp8 bytes + one fp32 scale.
    assert.equal(kvBytesPerTokenPerGpu(model, { tp: 8, pp: 1, kvDtype: 'fp8' }), 78 * (656 + 132));
    // bf16: (512 + 64) × 2, and the indexer's key as in fp8.
    assert.equal(kvBytesPerTokenPerGpu(model, { tp: 8, pp: 1, kvDtype: 'bf16' }), 78 * (576 * 2 + 132));
  });

  it('sparse attention reads at most top-k keys per query, while its indexer scores every key', () => {
    const model = getModel('glm-5');
    const layer = layerGeometry(model, 10);
    const decodeAt = (context: number) => {
      const ops = layerCosts(
        model,
        layer,
        { weight: { dtype: 'fp8' }, kv: 'fp8' },
        [{ tokens: 1, context }],
        {
          tp: 8,
        },
      );
      const find = (name: string) => ops.find((op) => op.name === name)!;
      return { attention: find('attention'), indexer: find('indexer') };
    };
    const short = decodeAt(1000);
    const long = decodeAt(8000);
    const longer = decodeAt(16000);
    // Past 2048 keys the attention core no longer grows; below, it attends to every key.
    assert.equal(long.attention.flops, longer.attention.flops);
    assert.ok(short.attention.flops < long.attention.flops);
    // 8 heads per GPU × (2 × 576 + 2 × 512) FLOPs per attended key, 2048 keys.
    assert.equal(long.attention.flops, 8 * (2 * 576 + 2 * 512) * 2048);
    // The indexer: 32 heads × (2 × 128 + 3) + 2 FLOPs for each of the 8001 visible keys.
    assert.equal(long.indexer.flops, (2 * 32 * 128 + 3 * 32 + 2) * 8001);
    assert.ok(longer.indexer.flops > long.indexer.flops);
  });

  it('sparse prefill attends in the latent space: absorbed projections for every token, no kv_b_proj', () => {
    const model = getModel('glm-5');
    const formats = { weight: { dtype: 'fp8' as const }, kv: 'fp8' as const };
    const ops = layerCosts(model, layerGeometry(model, 10), formats, [{ tokens: 4096, context: 4096 }], {
      tp: 8,
    });
    const names = ops.map((op) => op.name);
    assert.ok(!names.includes('kv_b_proj'), names.join(' '));
    const qAbsorb = ops.find((op) => op.name === 'mla_q_absorb')!;
    assert.equal(qAbsorb.flops, 2 * 4096 * 8 * 192 * 512);
    assert.ok(names.includes('mla_v_absorb'));
    // Per attended key as in decode: 8 heads × (2 × 576 + 2 × 512); each query sees at most 2048 keys.
    const attention = ops.find((op) => op.name === 'attention')!;
    assert.equal(attention.flops, 8 * (2 * 576 + 2 * 512) * 4096 * 2048);
    // DeepSeek-V3's dense MLA prefill still up-projects every key it attends to.
    const v3 = getModel('deepseek-v3');
    const dense = layerCosts(v3, layerGeometry(v3, 10), formats, [{ tokens: 4096, context: 4096 }], {
      tp: 8,
    });
    assert.ok(dense.some((op) => op.name === 'kv_b_proj'));
  });
});

describe('importing these architectures from a config.json', () => {
  it('reads a Qwen3.5-MoE checkpoint from its text_config, with the quantization at the top', () => {
    const model = modelFromHfConfig(JSON.stringify(QWEN35_FILE), 'qwen35/config.json', 'my-qwen35');
    assert.equal(model.family, 'qwen3_5_moe');
    assert.deepEqual(
      modelLayers(model).map((layer) => layer.attention.kind),
      ['linear', 'linear', 'linear', 'full', 'linear', 'linear', 'linear', 'full'],
    );
    assert.equal(model.moe?.numExperts, 256);
    assert.equal(model.moe?.sharedIntermediateSize, 512);
    assert.equal(model.linearAttention?.valueHeads, 32);
    assert.equal(model.checkpointFormat?.dtype, 'fp8');
    assert.equal(model.tiedEmbeddings, false);
  });

  it('reads a text-only Qwen3.5-MoE checkpoint (qwen3_5_moe_text at the top level) alike', () => {
    const text = { ...QWEN35_FILE.text_config, tie_word_embeddings: false };
    const flat = modelFromHfConfig(JSON.stringify(text), 'text/config.json', 'flat');
    const nested = modelFromHfConfig(JSON.stringify(QWEN35_FILE), 'qwen35/config.json', 'flat');
    const { checkpointFormat: _, ...nestedRest } = nested;
    assert.deepEqual({ ...flat, source: '' }, { ...nestedRest, source: '' });
  });

  it('reads a glm_moe_dsa checkpoint: mlp_layer_types, MLA and the indexer', () => {
    const model = modelFromHfConfig(JSON.stringify(GLM5_FILE), 'glm/config.json', 'my-glm');
    assert.equal(model.family, 'glm_moe_dsa');
    assert.deepEqual(model.moe?.denseLayers, [0, 1]);
    assert.deepEqual(model.sparseAttention, { topK: 256, indexHeads: 8, indexHeadDim: 64 });
    assert.equal(model.mla?.qLoraRank, 512);
    assert.equal(model.headDim, 64 + 32);
    // Fields the file leaves out take transformers' GlmMoeDsaConfig defaults.
    assert.equal(model.maxContextLength, 202752);
  });

  it('refuses an mlp_layer_types list that does not name every layer', () => {
    const broken = { ...GLM5_FILE, mlp_layer_types: ['dense', 'sparse'] };
    assert.throws(
      () => modelFromHfConfig(JSON.stringify(broken), 'glm/config.json'),
      /mlp_layer_types.*names 2 layers, but num_hidden_layers is 6/,
    );
  });
});
