import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getHardware, HARDWARE_CATALOG } from '../../../../src/engine/hardware/catalog.js';
import { DEFAULT_PLAN, planProblems } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { modelFromHfConfig } from '../../../../src/engine/model/hf-config.js';
import { modelParams } from '../../../../src/engine/model/params.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';

// Tests run from the repository root (npm test).
const fixture = (name: string) => readFileSync(join('test/fixtures/hf', name), 'utf8');

function throwsWith(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ServeTuneError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('model and hardware catalogs', () => {
  it('names the nearest models for an unknown one', () => {
    throwsWith(
      () => getModel('llama-3.1-7b'),
      'unknown-model',
      /Unknown model 'llama-3.1-7b'\. Did you mean .*'llama-3.1-8b'/,
    );
    throwsWith(() => getModel('mixtral'), 'unknown-model', /Did you mean 'mixtral-8x7b'/);
  });

  it('finds models by id, display name or Hugging Face repository', () => {
    assert.equal(getModel('Llama-3.1-70B').id, 'llama-3.1-70b');
    assert.equal(getModel('Qwen/Qwen2.5-72B-Instruct').id, 'qwen2.5-72b');
  });

  it('names the nearest hardware for an unknown one, and accepts common aliases', () => {
    throwsWith(() => getHardware('h1000'), 'unknown-hardware', /Did you mean .*'h100-sxm'/);
    assert.equal(getHardware('H100').id, 'h100-sxm');
  });

  it('has the required devices, each with a source and sane numbers', () => {
    const ids = HARDWARE_CATALOG.map((h) => h.id);
    for (const id of [
      'a100-40gb-sxm',
      'a100-80gb-sxm',
      'h100-sxm',
      'h100-pcie',
      'h200',
      'b200',
      'l40s',
      'l4',
      'a10g',
      'mi300x',
      'rtx-4090',
    ]) {
      assert.ok(ids.includes(id), id);
    }
    for (const h of HARDWARE_CATALOG) {
      assert.ok(h.sources.length > 0 && h.sources.every((s) => s.startsWith('https://')), h.id);
      // Tensor cores beat vector fp32; fp8, where present, doubles fp16.
      assert.ok(h.tensorFlops.fp16 > h.vectorFp32Flops, h.id);
      if (h.tensorFlops.fp8 !== null)
        assert.ok(Math.abs(h.tensorFlops.fp8 / h.tensorFlops.fp16 - 2) < 0.05, h.id);
    }
  });
});

describe('Hugging Face config.json import', () => {
  it('reads a Llama config into the same architecture as the catalog entry', () => {
    const imported = modelFromHfConfig(fixture('llama-3.1-8b.json'), 'config.json');
    const catalog = getModel('llama-3.1-8b');
    for (const key of [
      'hiddenSize',
      'numLayers',
      'numHeads',
      'numKvHeads',
      'headDim',
      'intermediateSize',
      'vocabSize',
      'tiedEmbeddings',
      'maxContextLength',
    ] as const) {
      assert.equal(imported[key], catalog[key], key);
    }
    assert.equal(modelParams(imported).total, modelParams(catalog).total);
  });

  it('reads MoE experts and top-k from a Mixtral config', () => {
    const m = modelFromHfConfig(fixture('mixtral-8x7b.json'), 'mixtral/config.json');
    assert.deepEqual(m.moe, { numExperts: 8, topK: 2, expertIntermediateSize: 14336 });
    assert.equal(modelParams(m).total, modelParams(getModel('mixtral-8x7b')).total);
  });

  it('reads tied embeddings and qkv bias from a Qwen2 config', () => {
    const m = modelFromHfConfig(fixture('qwen2.5-0.5b.json'), 'qwen/config.json');
    assert.equal(m.tiedEmbeddings, true);
    assert.equal(m.qkvBias, true);
    assert.equal(m.headDim, 64);
    // Qwen2.5-0.5B's card: 0.49B parameters.
    assert.ok(Math.abs(modelParams(m).total / 0.494e9 - 1) < 0.01, String(modelParams(m).total));
  });

  it('names the field at fault in a malformed config', () => {
    const base = JSON.parse(fixture('llama-3.1-8b.json')) as Record<string, unknown>;
    const broken = (patch: Record<string, unknown>) => JSON.stringify({ ...base, ...patch });
    throwsWith(
      () => modelFromHfConfig(broken({ hidden_size: undefined }), 'a/config.json'),
      'invalid-config',
      /a\/config\.json: field 'hidden_size' is missing/,
    );
    throwsWith(
      () => modelFromHfConfig(broken({ num_hidden_layers: 'eighty' }), 'c.json'),
      'invalid-config',
      /c\.json: field 'num_hidden_layers'/,
    );
    throwsWith(
      () => modelFromHfConfig(broken({ model_type: 'gpt2' }), 'c.json'),
      'invalid-config',
      /field 'model_type' is 'gpt2', but only llama, llama4, mistral, mixtral, qwen2, qwen2_moe, qwen3, qwen3_moe, qwen3_next, qwen3_5_moe, qwen3_5_moe_text, deepseek_v2, deepseek_v3, kimi_k2, kimi_k25, gpt_oss, gemma2, gemma3, gemma3_text, phi3, glm4_moe, glm_moe_dsa, minimax_m2, minimax are supported\. .*hidden_size, num_hidden_layers, num_attention_heads, num_key_value_heads, .*intermediate_size, vocab_size, max_position_embeddings/,
    );
    throwsWith(
      () => modelFromHfConfig(broken({ num_key_value_heads: 5 }), 'c.json'),
      'invalid-config',
      /'num_key_value_heads' \(5\) must divide 'num_attention_heads' \(32\)/,
    );
    throwsWith(
      () => modelFromHfConfig('{"hidden_size": 4096,', 'c.json'),
      'invalid-config',
      /c\.json: not valid JSON/,
    );
    throwsWith(
      () => modelFromHfConfig(broken({ model_type: 'mixtral' }), 'c.json'),
      'invalid-config',
      /'num_local_experts' is missing/,
    );
  });
});

describe('plan divisibility', () => {
  const model = getModel('llama-3.1-70b');
  it('accepts plans that divide heads, KV heads, FFN and layers', () => {
    assert.deepEqual(planProblems(model, { ...DEFAULT_PLAN, tp: 8, pp: 2 }), []);
  });
  it('names each division that fails', () => {
    assert.match(
      planProblems(model, { ...DEFAULT_PLAN, tp: 3 }).join(';'),
      /TP 3 does not divide the 64 attention heads/,
    );
    assert.deepEqual(planProblems(model, { ...DEFAULT_PLAN, pp: 3 }), [], 'stages of 27, 27, 26 layers');
    assert.match(planProblems(model, { ...DEFAULT_PLAN, pp: 96 }).join(';'), /PP 96 exceeds the 80 layers/);
    assert.match(
      planProblems(model, { ...DEFAULT_PLAN, ep: 2 }).join(';'),
      /needs a mixture-of-experts model/,
    );
    assert.match(
      planProblems(getModel('mixtral-8x7b'), { ...DEFAULT_PLAN, tp: 2, ep: 4 }).join(';'),
      /EP 4 must divide TP × DP/,
    );
  });
});
