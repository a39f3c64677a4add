import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getModel, MODEL_CATALOG } from '../../../../src/engine/model/catalog.js';
import { modelLayers } from '../../../../src/engine/model/geometry.js';
import { HF_CATALOG } from '../../../../src/engine/model/hf-catalog.js';
import { modelFromHfConfig, modelFromHfObject } from '../../../../src/engine/model/hf-config.js';
import { modelParams } from '../../../../src/engine/model/params.js';
import type { ModelSpec } from '../../../../src/engine/model/spec.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';

/** Within `tolerance` (a fraction) of `expected`. */
function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual / expected - 1) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
}

const kindsOf = (model: ModelSpec) => modelLayers(model).map((layer) => layer.attention.kind);
const indicesOf = <T>(list: readonly T[], value: T) => list.flatMap((v, i) => (v === value ? [i] : []));

/** The catalog's specs as they were written by hand before the catalog read Hugging Face configs. */
const HAND_WRITTEN: ModelSpec[] = [
  {
    id: 'llama-3.1-8b',
    name: 'Llama-3.1-8B',
    family: 'llama',
    source: 'meta-llama/Llama-3.1-8B-Instruct',
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    vocabSize: 128256,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 131072,
  },
  {
    id: 'llama-3.1-70b',
    name: 'Llama-3.1-70B',
    family: 'llama',
    source: 'meta-llama/Llama-3.1-70B-Instruct',
    hiddenSize: 8192,
    numLayers: 80,
    numHeads: 64,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 28672,
    vocabSize: 128256,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 131072,
  },
  {
    id: 'llama-3.1-405b',
    name: 'Llama-3.1-405B',
    family: 'llama',
    source: 'meta-llama/Llama-3.1-405B-Instruct',
    hiddenSize: 16384,
    numLayers: 126,
    numHeads: 128,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 53248,
    vocabSize: 128256,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 131072,
  },
  {
    id: 'llama-2-7b',
    name: 'Llama-2-7B',
    family: 'llama',
    source: 'meta-llama/Llama-2-7b-hf',
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 32,
    headDim: 128,
    intermediateSize: 11008,
    vocabSize: 32000,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 4096,
  },
  {
    id: 'llama-2-70b',
    name: 'Llama-2-70B',
    family: 'llama',
    source: 'meta-llama/Llama-2-70b-hf',
    hiddenSize: 8192,
    numLayers: 80,
    numHeads: 64,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 28672,
    vocabSize: 32000,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 4096,
  },
  {
    id: 'mistral-7b',
    name: 'Mistral-7B-v0.3',
    family: 'mistral',
    source: 'mistralai/Mistral-7B-Instruct-v0.3',
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    vocabSize: 32768,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 32768,
  },
  {
    id: 'mixtral-8x7b',
    name: 'Mixtral-8x7B',
    family: 'mixtral',
    source: 'mistralai/Mixtral-8x7B-Instruct-v0.1',
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    vocabSize: 32000,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 32768,
    moe: { numExperts: 8, topK: 2, expertIntermediateSize: 14336 },
  },
  {
    id: 'qwen2.5-7b',
    name: 'Qwen2.5-7B',
    family: 'qwen2',
    source: 'Qwen/Qwen2.5-7B-Instruct',
    hiddenSize: 3584,
    numLayers: 28,
    numHeads: 28,
    numKvHeads: 4,
    headDim: 128,
    intermediateSize: 18944,
    vocabSize: 152064,
    tiedEmbeddings: false,
    qkvBias: true,
    maxContextLength: 32768,
  },
  {
    id: 'qwen2.5-72b',
    name: 'Qwen2.5-72B',
    family: 'qwen2',
    source: 'Qwen/Qwen2.5-72B-Instruct',
    hiddenSize: 8192,
    numLayers: 80,
    numHeads: 64,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 29568,
    vocabSize: 152064,
    tiedEmbeddings: false,
    qkvBias: true,
    maxContextLength: 32768,
  },
];

describe('the catalog, read from Hugging Face configs', () => {
  it('imports every entry of the Hugging Face catalog, in order', () => {
    assert.equal(HF_CATALOG.length, 61);
    assert.deepEqual(
      MODEL_CATALOG.map((m) => m.id),
      HF_CATALOG.map((e) => e.id),
    );
    for (const [i, m] of MODEL_CATALOG.entries()) assert.equal(m.source, HF_CATALOG[i]!.repo);
  });

  it('gives the nine models it always had exactly the specs they had, field by field', () => {
    for (const expected of HAND_WRITTEN) {
      const actual = getModel(expected.id);
      assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), expected.id);
      for (const key of Object.keys(expected) as (keyof ModelSpec)[]) {
        assert.deepEqual(actual[key], expected[key], `${expected.id}.${key}`);
      }
    }
  });

  it('finds the new models by id, repository and name, and suggests the nearest', () => {
    assert.equal(getModel('deepseek-ai/DeepSeek-V3').id, 'deepseek-v3');
    assert.equal(getModel('OPENAI/GPT-OSS-120B').id, 'gpt-oss-120b');
    assert.equal(getModel('Kimi-K2-Instruct').id, 'kimi-k2');
    assert.throws(() => getModel('gpt-oss'), /Did you mean 'gpt-oss-20b', 'gpt-oss-120b'/);
  });
});

describe('parameter counts against the published ones', () => {
  it('Qwen3-235B-A22B: 235B total, 22B active', () => {
    const p = modelParams(getModel('qwen3-235b-a22b'));
    near(p.total, 235e9, 0.03, 'total');
    near(p.activePerToken, 22e9, 0.03, 'active');
  });

  it('DeepSeek-V3: 671B without its MTP layer, 37B active', () => {
    const model = getModel('deepseek-v3');
    assert.equal(model.mtpLayers, 1);
    const p = modelParams(model);
    near(p.total, 671e9, 0.02, 'total');
    near(p.activePerToken, 37e9, 0.03, 'active');
  });

  it('Kimi-K2: 1.0T total (384 experts), 32B active', () => {
    const p = modelParams(getModel('kimi-k2'));
    near(p.total, 1.0e12, 0.03, 'total');
    near(p.activePerToken, 32e9, 0.03, 'active');
  });

  it('gpt-oss-120b: 116.8B total, 5.1B active (counted, as published, without the embedding lookup)', () => {
    const p = modelParams(getModel('gpt-oss-120b'));
    near(p.total, 116.83e9, 0.005, 'total');
    near(p.activePerToken - p.embedding, 5.13e9, 0.01, 'active');
    const small = modelParams(getModel('gpt-oss-20b'));
    near(small.total, 20.91e9, 0.005, 'gpt-oss-20b total');
    near(small.activePerToken - small.embedding, 3.61e9, 0.01, 'gpt-oss-20b active');
  });

  it('Llama 4 Maverick: 400B total, 17B active; experts in every other layer', () => {
    const model = getModel('llama-4-maverick');
    const p = modelParams(model);
    near(p.total, 400e9, 0.01, 'total');
    near(p.activePerToken, 17e9, 0.02, 'active');
    // interleave_moe_layer_step 2: layers 1, 3, 5… run experts; 0, 2, 4… a dense MLP of intermediate_size_mlp.
    assert.deepEqual(
      model.moe?.denseLayers,
      Array.from({ length: 24 }, (_, i) => 2 * i),
    );
    assert.equal(model.intermediateSize, 16384);
    assert.equal(model.moe?.expertIntermediateSize, 8192);
    assert.equal(model.moe?.sharedIntermediateSize, 8192);
  });
});

describe('per-layer attention, from the published layer order', () => {
  it('Gemma-3-27B: 62 layers, 52 sliding over 1024 tokens; layers 5, 11, …, 59 full', () => {
    const model = getModel('gemma-3-27b');
    const kinds = kindsOf(model);
    assert.equal(kinds.length, 62);
    assert.equal(indicesOf(kinds, 'sliding').length, 52);
    // sliding_window_pattern 6: five sliding layers, then one full; (i + 1) % 6 === 0 is full.
    assert.deepEqual(indicesOf(kinds, 'full'), [5, 11, 17, 23, 29, 35, 41, 47, 53, 59]);
    assert.equal(model.slidingWindow, 1024);
    // Gemma3TextConfig's defaults fill what the file leaves out.
    assert.equal(model.vocabSize, 262208);
    assert.equal(model.tiedEmbeddings, true);
    assert.equal(model.qkNorm, true);
    const small = getModel('gemma-3-4b');
    assert.deepEqual([small.numHeads, small.numKvHeads, small.headDim], [8, 4, 256]);
  });

  it('Gemma 2 alternates, the window first: even layers slide over 4096 tokens', () => {
    const kinds = kindsOf(getModel('gemma-2-9b'));
    assert.deepEqual(kinds.slice(0, 4), ['sliding', 'full', 'sliding', 'full']);
    assert.equal(indicesOf(kinds, 'sliding').length, 21);
    assert.equal(getModel('gemma-2-9b').tiedEmbeddings, true);
  });

  it('gpt-oss follows layer_types: 18 of 36 layers slide over 128 tokens, with attention sinks', () => {
    const model = getModel('gpt-oss-120b');
    const kinds = kindsOf(model);
    assert.deepEqual(
      indicesOf(kinds, 'sliding'),
      Array.from({ length: 18 }, (_, i) => 2 * i),
    );
    assert.equal(model.slidingWindow, 128);
    assert.equal(model.attentionSinks, true);
    assert.equal(model.qkvBias, true);
  });

  it('Llama 4 Scout: chunked attention (a window of attention_chunk_size) on 3 of every 4 layers', () => {
    const model = getModel('llama-4-scout');
    const kinds = kindsOf(model);
    assert.deepEqual(indicesOf(kinds, 'full'), [3, 7, 11, 15, 19, 23, 27, 31, 35, 39, 43, 47]);
    assert.equal(indicesOf(kinds, 'sliding').length, 36);
    assert.equal(model.slidingWindow, 8192);
    assert.equal(model.moe?.denseLayers, undefined);
  });

  it('Qwen3-Next: every 4th layer full attention, the others linear (Gated DeltaNet)', () => {
    const model = getModel('qwen3-next-80b-a3b');
    const kinds = kindsOf(model);
    assert.deepEqual(
      indicesOf(kinds, 'full'),
      Array.from({ length: 12 }, (_, i) => 4 * i + 3),
    );
    assert.equal(indicesOf(kinds, 'linear').length, 36);
    assert.deepEqual(model.linearAttention, {
      keyHeads: 16,
      valueHeads: 32,
      keyHeadDim: 128,
      valueHeadDim: 128,
      convKernel: 4,
    });
    assert.equal(model.moe?.sharedIntermediateSize, 512);
  });

  it('Phi-3-mini slides every layer over 2047 tokens; use_sliding_window false keeps Qwen full', () => {
    const phi = getModel('phi-3-mini-4k');
    assert.equal(phi.slidingWindow, 2047);
    assert.equal(phi.layerAttention, undefined);
    assert.ok(kindsOf(phi).every((k) => k === 'sliding'));
    for (const id of ['qwen2.5-7b', 'qwq-32b', 'qwen3-32b', 'mistral-7b']) {
      assert.ok(
        kindsOf(getModel(id)).every((k) => k === 'full'),
        id,
      );
    }
  });
});

describe('experts, latent attention and MTP', () => {
  it('DeepSeek-V3: MLA, 3 dense layers, 256 experts plus one shared of 2048', () => {
    const model = getModel('deepseek-v3');
    assert.deepEqual(model.mla, {
      qLoraRank: 1536,
      kvLoraRank: 512,
      qkNopeHeadDim: 128,
      qkRopeHeadDim: 64,
      vHeadDim: 128,
    });
    assert.equal(model.headDim, 128 + 64);
    assert.deepEqual(model.moe, {
      numExperts: 256,
      topK: 8,
      expertIntermediateSize: 2048,
      sharedIntermediateSize: 1 * 2048,
      denseLayers: [0, 1, 2],
    });
    assert.equal(getModel('deepseek-v2-lite').mla?.qLoraRank, null);
  });

  it("reads Kimi-K2's model_type 'kimi_k2' as DeepSeek-V3's architecture", () => {
    const model = getModel('kimi-k2');
    assert.equal(model.family, 'deepseek_v3');
    assert.equal(model.moe?.numExperts, 384);
    assert.deepEqual(model.moe?.denseLayers, [0]);
    assert.equal(model.mtpLayers, undefined); // num_nextn_predict_layers 0
  });

  it("reads Kimi-K2.5's text_config as Kimi-K2's architecture with int4 experts, and MiniMax-M2.5 as M2", () => {
    const k25 = getModel('moonshotai/Kimi-K2.5');
    const k2 = getModel('kimi-k2');
    assert.equal(k25.id, 'kimi-k2.5');
    assert.equal(k25.family, 'deepseek_v3');
    assert.deepEqual(k25.moe, k2.moe);
    assert.deepEqual(k25.mla, k2.mla);
    assert.equal(k25.maxContextLength, 262144);
    assert.deepEqual(k25.checkpointFormat, {
      method: 'compressed-tensors',
      dtype: 'int4',
      groupSize: 32,
      quantized: ['experts'],
    });
    const { id, name, source, ...m25 } = getModel('MiniMaxAI/MiniMax-M2.5');
    assert.equal(id, 'minimax-m2.5');
    const { id: _id, name: _name, source: _source, ...m2 } = getModel('minimax-m2');
    assert.deepEqual(m25, m2);
  });

  it("GLM-4.5 and MiniMax-M2: shared experts, q/k norms, MiniMax's num_mtp_modules", () => {
    const glm = getModel('glm-4.5');
    assert.deepEqual(glm.moe?.denseLayers, [0, 1, 2]);
    assert.equal(glm.moe?.sharedIntermediateSize, 1536);
    assert.equal(glm.qkNorm, true);
    assert.equal(glm.qkvBias, true);
    assert.equal(glm.mtpLayers, 1);
    assert.equal(getModel('glm-4.5-air').qkNorm, undefined);
    const minimax = getModel('minimax-m2');
    assert.equal(minimax.moe?.sharedIntermediateSize, undefined); // shared_intermediate_size 0
    assert.equal(minimax.moe?.expertIntermediateSize, 1536);
    assert.equal(minimax.mtpLayers, 3);
    assert.equal(minimax.qkNorm, true);
    // Its q and k norms span every head: an all-reduce under TP in the engines.
    assert.equal(minimax.qkNormAcrossHeads, true);
    assert.equal(getModel('qwen3-32b').qkNormAcrossHeads, undefined);
  });
});

describe('checkpoint formats from quantization_config', () => {
  it('fp8 with 128×128 blocks covers every decoder linear layer of DeepSeek-V3', () => {
    assert.deepEqual(getModel('deepseek-v3').checkpointFormat, {
      method: 'fp8',
      dtype: 'fp8',
      groupSize: 128 * 128,
      quantized: ['attention', 'attention_output', 'dense', 'experts', 'shared'],
    });
  });

  it('gpt-oss: only the experts are mxfp4; modules_to_not_convert keeps attention 16-bit', () => {
    assert.deepEqual(getModel('gpt-oss-120b').checkpointFormat, {
      method: 'mxfp4',
      dtype: 'mxfp4',
      quantized: ['experts'],
    });
  });

  it('AWQ: 4-bit groups of 128; Qwen3-MoE fp8 keeps its routers, not its experts, in 16-bit', () => {
    assert.deepEqual(getModel('qwen3-32b-awq').checkpointFormat, {
      method: 'awq',
      dtype: 'int4',
      groupSize: 128,
      quantized: ['attention', 'attention_output', 'dense'],
    });
    assert.deepEqual(getModel('qwen3-235b-a22b-fp8').checkpointFormat?.quantized, [
      'attention',
      'attention_output',
      'experts',
    ]);
    assert.equal(getModel('qwen3-235b-a22b').checkpointFormat, undefined);
  });

  const llamaWith = (quantization: Record<string, unknown>) =>
    modelFromHfObject({ ...HF_CATALOG[0]!.config, quantization_config: quantization }, 'q.json');

  it('compressed-tensors: W4A16 groups, NVFP4, W8A8 int8 and fp8, with the ignore list', () => {
    const group = (weights: Record<string, unknown>) => ({
      quant_method: 'compressed-tensors',
      config_groups: { group_0: { targets: ['Linear'], weights } },
      ignore: ['lm_head', 're:.*self_attn.*'],
    });
    assert.deepEqual(llamaWith(group({ num_bits: 4, type: 'int', group_size: 64 })).checkpointFormat, {
      method: 'compressed-tensors',
      dtype: 'int4',
      groupSize: 64,
      quantized: ['dense'],
    });
    const nvfp4 = llamaWith({
      ...group({ num_bits: 4, type: 'float', group_size: 16 }),
      format: 'nvfp4-pack-quantized',
    });
    assert.equal(nvfp4.checkpointFormat?.dtype, 'nvfp4');
    assert.equal(llamaWith(group({ num_bits: 8, type: 'int' })).checkpointFormat?.dtype, 'int8');
    const fp8 = llamaWith(group({ num_bits: 8, type: 'float', block_structure: [128, 128] }));
    assert.equal(fp8.checkpointFormat?.dtype, 'fp8');
    assert.equal(fp8.checkpointFormat?.groupSize, 16384);
  });

  it('modelopt NVFP4 and GPTQ; an unmodelled method is named', () => {
    const modelopt = llamaWith({
      quant_method: 'modelopt',
      quant_algo: 'NVFP4',
      exclude_modules: ['lm_head'],
    });
    assert.deepEqual(modelopt.checkpointFormat, {
      method: 'modelopt',
      dtype: 'nvfp4',
      quantized: ['attention', 'attention_output', 'dense'],
    });
    const gptq = llamaWith({ quant_method: 'gptq', bits: 4, group_size: 32 });
    assert.deepEqual(gptq.checkpointFormat?.groupSize, 32);
    assert.throws(
      () => llamaWith({ quant_method: 'hqq' }),
      /q\.json: field 'quantization_config' quant_method 'hqq' is not modelled \(modelled: fp8, compressed-tensors, awq, gptq, mxfp4, modelopt\)/,
    );
  });

  it("modelopt's DeepSeek exclusions: MLA's projections and the draft layer past the decoder's 61", () => {
    const deepseek = HF_CATALOG.find((e) => e.id === 'deepseek-r1')!.config;
    const nvfp4 = (exclude: string[]) =>
      modelFromHfObject(
        {
          ...deepseek,
          quantization_config: { quant_method: 'modelopt', quant_algo: 'NVFP4', exclude_modules: exclude },
        },
        'q.json',
      ).checkpointFormat?.quantized;
    // `model.layers.61*` names the MTP layer, not every layer: it leaves the decoder quantized.
    assert.deepEqual(nvfp4(['lm_head', 'model.layers.61*']), [
      'attention',
      'attention_output',
      'dense',
      'experts',
      'shared',
    ]);
    // A layer the decoder has stands for every layer, as before.
    assert.deepEqual(nvfp4(['model.layers.3.mlp.shared_experts']), [
      'attention',
      'attention_output',
      'dense',
      'experts',
    ]);
    const attention = ['q_a_proj', 'q_b_proj', 'kv_a_proj_with_mqa', 'kv_b_proj'].map(
      (m) => `model.layers.0.self_attn.${m}`,
    );
    assert.deepEqual(nvfp4([...attention, 'model.layers.61*']), [
      'attention_output',
      'dense',
      'experts',
      'shared',
    ]);
    assert.deepEqual(nvfp4([...attention, 'model.layers.0.self_attn.o_proj']), [
      'dense',
      'experts',
      'shared',
    ]);
  });

  it("other published checkpoints of the same weights: DeepSeek-R1's fp8 own, NVIDIA's nvfp4 beside it", () => {
    const r1 = getModel('deepseek-r1');
    assert.equal(r1.checkpointFormat?.dtype, 'fp8');
    assert.deepEqual(r1.otherCheckpoints, [
      { method: 'modelopt', dtype: 'nvfp4', quantized: ['attention_output', 'dense', 'experts', 'shared'] },
    ]);
    assert.deepEqual(getModel('deepseek-v3').otherCheckpoints?.[0]?.quantized, [
      'dense',
      'experts',
      'shared',
    ]);
    assert.equal(getModel('llama-3.1-8b').otherCheckpoints, undefined);
  });
});

describe('import errors', () => {
  it('names the supported types and the fields a config needs for an unknown model_type', () => {
    assert.throws(
      () => modelFromHfConfig(JSON.stringify({ model_type: 'falcon' }), 'f.json'),
      (error: unknown) => {
        assert.ok(error instanceof ServeTuneError);
        assert.equal(error.code, 'invalid-config');
        assert.match(
          error.message,
          /field 'model_type' is 'falcon', but only llama, llama4, .*, minimax are supported/,
        );
        assert.match(
          error.message,
          /hidden_size, num_hidden_layers, num_attention_heads, num_key_value_heads/,
        );
        assert.match(error.message, /num_local_experts and num_experts_per_tok/);
        return true;
      },
    );
  });

  it('names the nested field a multimodal config lacks, and refuses MiniMax-Text-01 as MiniMax-M2', () => {
    const scout = HF_CATALOG.find((e) => e.id === 'llama-4-scout')!.config;
    const text = { ...(scout['text_config'] as Record<string, unknown>), num_local_experts: undefined };
    assert.throws(
      () => modelFromHfConfig(JSON.stringify({ ...scout, text_config: text }), 's.json'),
      /s\.json: field 'text_config\.num_local_experts' is missing \(required for model_type 'llama4'\)/,
    );
    assert.throws(
      () => modelFromHfConfig(JSON.stringify({ model_type: 'gemma3' }), 'g.json'),
      /field 'text_config' is missing/,
    );
    const minimax = HF_CATALOG.find((e) => e.id === 'minimax-m2')!.config;
    assert.throws(
      () =>
        modelFromHfConfig(
          JSON.stringify({ ...minimax, model_type: 'minimax', architectures: ['MiniMaxText01ForCausalLM'] }),
          'm.json',
        ),
      /only MiniMax-M2 is supported/,
    );
    const asMinimax = modelFromHfConfig(
      JSON.stringify({ ...minimax, model_type: 'minimax', architectures: ['MiniMaxM2ForCausalLM'] }),
      'm.json',
    );
    assert.equal(asMinimax.family, 'minimax_m2');
  });
});
