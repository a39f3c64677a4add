import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HF_CATALOG, type HfCatalogEntry } from '../../../../src/engine/model/hf-catalog.js';

function entry(id: string): HfCatalogEntry {
  const found = HF_CATALOG.find((e) => e.id === id);
  assert.ok(found, `no catalog entry '${id}'`);
  return found;
}

/** The text model's part of a config: `text_config` for multimodal checkpoints, else the whole file. */
function textConfig(config: Record<string, unknown>): Record<string, unknown> {
  const nested = config['text_config'];
  return typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>) : config;
}

function field(id: string, name: string): unknown {
  return textConfig(entry(id).config)[name];
}

function quantization(id: string): Record<string, unknown> {
  return entry(id).config['quantization_config'] as Record<string, unknown>;
}

/** Gemma 3 text_configs leave vocab_size to Gemma3TextConfig's default, so their files have none. */
const VOCAB_FROM_DEFAULT = new Set(['gemma-3-4b', 'gemma-3-12b', 'gemma-3-27b']);

/** Qwen3.5-MoE runs experts in every layer: its text_config has no dense intermediate_size. */
const NO_DENSE_WIDTH = new Set(['qwen3.5-397b-a17b', 'qwen3.5-397b-a17b-fp8']);

describe('Hugging Face catalog', () => {
  it('has at least 40 models with unique lowercase ids and unique owner/name repositories', () => {
    assert.ok(HF_CATALOG.length >= 40, `${HF_CATALOG.length} entries`);
    const ids = HF_CATALOG.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate id');
    for (const id of ids) assert.match(id, /^[a-z0-9][a-z0-9.-]*$/, id);
    const repos = HF_CATALOG.map((e) => e.repo);
    assert.equal(new Set(repos).size, repos.length, 'duplicate repository');
    for (const repo of repos) assert.match(repo, /^[\w.-]+\/[\w.-]+$/, repo);
  });

  it('keeps the ids of the models the catalog has always had', () => {
    const ids = new Set(HF_CATALOG.map((e) => e.id));
    for (const id of [
      'llama-3.1-8b',
      'llama-3.1-70b',
      'llama-3.1-405b',
      'llama-2-7b',
      'llama-2-70b',
      'mistral-7b',
      'mixtral-8x7b',
      'qwen2.5-7b',
      'qwen2.5-72b',
    ]) {
      assert.ok(ids.has(id), id);
    }
  });

  it('gives every model its type and the sizes every cost depends on', () => {
    for (const { id, config } of HF_CATALOG) {
      assert.equal(typeof config['model_type'], 'string', `${id}: model_type`);
      const text = textConfig(config);
      for (const name of ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size']) {
        if (name === 'num_attention_heads' && id === 'gemma-3-4b') continue; // Gemma3TextConfig default: 8
        if (name === 'intermediate_size' && NO_DENSE_WIDTH.has(id)) continue;
        const value = text[name];
        assert.ok(Number.isInteger(value) && (value as number) > 0, `${id}: ${name} = ${String(value)}`);
      }
      if (!VOCAB_FROM_DEFAULT.has(id)) {
        assert.ok(Number.isInteger(text['vocab_size']), `${id}: vocab_size`);
      }
    }
  });

  it('holds only plain JSON values, as a config.json file does', () => {
    for (const { id, config } of HF_CATALOG) {
      assert.deepEqual(JSON.parse(JSON.stringify(config)), config, id);
    }
  });

  it('has DeepSeek-V3 with multi-head latent attention, 256 routed experts and fp8 blocks', () => {
    assert.equal(field('deepseek-v3', 'kv_lora_rank'), 512);
    assert.equal(field('deepseek-v3', 'q_lora_rank'), 1536);
    assert.equal(field('deepseek-v3', 'qk_rope_head_dim'), 64);
    assert.equal(field('deepseek-v3', 'qk_nope_head_dim'), 128);
    assert.equal(field('deepseek-v3', 'v_head_dim'), 128);
    assert.equal(field('deepseek-v3', 'num_hidden_layers'), 61);
    assert.equal(field('deepseek-v3', 'first_k_dense_replace'), 3);
    assert.equal(field('deepseek-v3', 'n_routed_experts'), 256);
    assert.equal(field('deepseek-v3', 'n_shared_experts'), 1);
    assert.equal(field('deepseek-v3', 'num_experts_per_tok'), 8);
    assert.equal(field('deepseek-v3', 'moe_intermediate_size'), 2048);
    assert.equal(field('deepseek-v3', 'vocab_size'), 129280);
    assert.deepEqual(quantization('deepseek-v3'), {
      activation_scheme: 'dynamic',
      fmt: 'e4m3',
      quant_method: 'fp8',
      weight_block_size: [128, 128],
    });
    assert.deepEqual(entry('deepseek-r1').config, entry('deepseek-v3').config);
  });

  it('has DeepSeek-V2-Lite without query compression and Kimi K2 with 384 experts', () => {
    assert.equal(field('deepseek-v2-lite', 'q_lora_rank'), null);
    assert.equal(field('deepseek-v2-lite', 'n_routed_experts'), 64);
    assert.equal(field('deepseek-v2-lite', 'num_experts_per_tok'), 6);
    assert.equal(field('kimi-k2', 'n_routed_experts'), 384);
    assert.equal(field('kimi-k2', 'num_attention_heads'), 64);
    assert.equal(field('kimi-k2', 'first_k_dense_replace'), 1);
  });

  it('has gpt-oss-120b with 128 MXFP4 experts, top-4, and 128-token windows on every other layer', () => {
    assert.equal(field('gpt-oss-120b', 'num_hidden_layers'), 36);
    assert.equal(field('gpt-oss-120b', 'num_local_experts'), 128);
    assert.equal(field('gpt-oss-120b', 'num_experts_per_tok'), 4);
    assert.equal(field('gpt-oss-120b', 'sliding_window'), 128);
    assert.equal(field('gpt-oss-120b', 'head_dim'), 64);
    assert.equal(field('gpt-oss-120b', 'num_attention_heads'), 64);
    assert.equal(field('gpt-oss-120b', 'num_key_value_heads'), 8);
    const layerTypes = field('gpt-oss-120b', 'layer_types') as string[];
    assert.equal(layerTypes.length, 36);
    assert.deepEqual(layerTypes.slice(0, 3), ['sliding_attention', 'full_attention', 'sliding_attention']);
    assert.equal(layerTypes.at(-1), 'full_attention');
    assert.equal(quantization('gpt-oss-120b')['quant_method'], 'mxfp4');
    assert.equal(field('gpt-oss-20b', 'num_hidden_layers'), 24);
    assert.equal(field('gpt-oss-20b', 'num_local_experts'), 32);
    assert.equal((field('gpt-oss-20b', 'layer_types') as string[]).length, 24);
  });

  it('has the Qwen3 MoE models with their expert counts and expert sizes', () => {
    assert.equal(field('qwen3-235b-a22b', 'num_hidden_layers'), 94);
    assert.equal(field('qwen3-235b-a22b', 'num_experts'), 128);
    assert.equal(field('qwen3-235b-a22b', 'num_experts_per_tok'), 8);
    assert.equal(field('qwen3-235b-a22b', 'moe_intermediate_size'), 1536);
    assert.equal(field('qwen3-235b-a22b', 'num_key_value_heads'), 4);
    assert.equal(field('qwen3-30b-a3b', 'moe_intermediate_size'), 768);
    assert.equal(field('qwen3-coder-480b-a35b', 'num_experts'), 160);
    assert.equal(field('qwen3-next-80b-a3b', 'num_experts'), 512);
    assert.equal(field('qwen3-next-80b-a3b', 'num_experts_per_tok'), 10);
    assert.equal(field('qwen3-next-80b-a3b', 'full_attention_interval'), 4);
    assert.equal(field('qwen3-next-80b-a3b', 'shared_expert_intermediate_size'), 512);
  });

  it('has the multimodal models with their text model nested as published', () => {
    assert.equal(entry('llama-4-scout').config['model_type'], 'llama4');
    assert.equal(field('llama-4-scout', 'num_local_experts'), 16);
    assert.equal(field('llama-4-scout', 'attention_chunk_size'), 8192);
    assert.equal(field('llama-4-maverick', 'num_local_experts'), 128);
    assert.equal(field('llama-4-maverick', 'interleave_moe_layer_step'), 2);
    assert.equal(field('gemma-3-27b', 'num_hidden_layers'), 62);
    assert.equal(field('gemma-3-27b', 'sliding_window'), 1024);
    assert.equal(field('gemma-3-4b', 'num_attention_heads'), undefined);
  });

  it('describes each quantized checkpoint as its base model plus a quantization_config', () => {
    const pairs: [string, string][] = [
      ['qwen3-32b-fp8', 'qwen3-32b'],
      ['qwen3-30b-a3b-fp8', 'qwen3-30b-a3b'],
      ['qwen3-235b-a22b-fp8', 'qwen3-235b-a22b'],
      ['qwen3.5-397b-a17b-fp8', 'qwen3.5-397b-a17b'],
      ['glm-5-fp8', 'glm-5'],
    ];
    for (const [quantized, base] of pairs) {
      const { quantization_config, ...rest } = entry(quantized).config;
      assert.deepEqual(rest, entry(base).config, quantized);
      assert.equal((quantization_config as Record<string, unknown>)['quant_method'], 'fp8', quantized);
    }
    const skipped = quantization('qwen3-235b-a22b-fp8')['modules_to_not_convert'] as string[];
    assert.equal(skipped.length, 1 + 94 * 3);
    assert.deepEqual(skipped.slice(0, 4), [
      'lm_head',
      'model.layers.0.input_layernorm',
      'model.layers.0.mlp.gate',
      'model.layers.0.post_attention_layernorm',
    ]);
    assert.equal(skipped.at(-1), 'model.layers.93.post_attention_layernorm');
    assert.equal(quantization('qwen3-32b-awq')['bits'], 4);
  });
});
