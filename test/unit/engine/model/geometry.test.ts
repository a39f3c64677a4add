import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getModel, MODEL_CATALOG } from '../../../../src/engine/model/catalog.js';
import {
  kvBytesPerTokenPerGpu,
  kvBytesPerTokenPerReplica,
  largestStageLayers,
  layerGeometry,
  layerKvBytesPerToken,
  layerRuns,
  modelLayers,
  moeLayers,
  shardLayer,
  stageLayerRange,
  uniformLayer,
} from '../../../../src/engine/model/geometry.js';
import { modelFromHfConfig } from '../../../../src/engine/model/hf-config.js';

/** The models the catalog had before it read Hugging Face configs: one layer shape each. */
const ORIGINAL_MODEL_IDS = [
  'llama-3.1-8b',
  'llama-3.1-70b',
  'llama-3.1-405b',
  'llama-2-7b',
  'llama-2-70b',
  'mistral-7b',
  'mixtral-8x7b',
  'qwen2.5-7b',
  'qwen2.5-72b',
];

const fixture = (name: string) => readFileSync(join('test/fixtures/hf', name), 'utf8');
const layout = (tp: number, pp = 1, kvDtype: 'bf16' | 'fp8' = 'bf16') => ({ tp, pp, kvDtype });

describe('KV bytes per token, by hand from the configs', () => {
  it('Llama-3.1-70B bf16: 80 layers × 8 KV heads × 128 × 2 (K and V) × 2 bytes', () => {
    const model = getModel('llama-3.1-70b');
    assert.equal(80 * 8 * 128 * 2 * 2, 327_680);
    assert.equal(kvBytesPerTokenPerReplica(model, 'bf16'), 327_680);
    // Divided over TP up to the 8 KV heads...
    assert.equal(kvBytesPerTokenPerGpu(model, layout(1)), 327_680);
    assert.equal(kvBytesPerTokenPerGpu(model, layout(2)), 163_840);
    assert.equal(kvBytesPerTokenPerGpu(model, layout(8)), 40_960);
    // ...replicated beyond: at TP16 each GPU still holds one whole KV head.
    assert.equal(kvBytesPerTokenPerGpu(model, layout(16)), 40_960);
    // Pipeline stages hold their own 40 layers.
    assert.equal(kvBytesPerTokenPerGpu(model, layout(8, 2)), 20_480);
    assert.equal(kvBytesPerTokenPerGpu(model, layout(8, 1, 'fp8')), 20_480);
  });

  it('Llama-3.1-8B from its config.json: 32 layers × 8 KV heads × 128 × 2 × 2 bytes', () => {
    const model = modelFromHfConfig(fixture('llama-3.1-8b.json'), 'config.json');
    assert.equal(kvBytesPerTokenPerReplica(model, 'bf16'), 32 * 8 * 128 * 2 * 2);
    assert.equal(kvBytesPerTokenPerReplica(model, 'bf16'), 131_072);
    assert.equal(kvBytesPerTokenPerReplica(model, 'fp8'), 65_536);
    assert.equal(kvBytesPerTokenPerGpu(model, layout(4)), 32_768);
    assert.equal(kvBytesPerTokenPerGpu(model, layout(8)), 16_384);
    assert.equal(kvBytesPerTokenPerGpu(model, layout(32)), 16_384);
  });

  it('Mixtral-8x7B from its config.json: experts add no KV, 32 × 8 × 128 × 2 × 2 bytes', () => {
    const model = modelFromHfConfig(fixture('mixtral-8x7b.json'), 'config.json');
    assert.equal(kvBytesPerTokenPerReplica(model, 'bf16'), 131_072);
    assert.equal(kvBytesPerTokenPerGpu(model, layout(2)), 65_536);
    assert.equal(layerKvBytesPerToken(layerGeometry(model, 0), 2, 'bf16'), 2 * 4 * 128 * 2);
  });

  it('per GPU × GPUs equals the replica total while TP divides the KV heads', () => {
    // Grouped-query attention only: MLA's latent is whole on every TP rank (see the DeepSeek tests).
    for (const model of MODEL_CATALOG.filter((m) => !m.mla)) {
      for (const tp of [1, 2, 4]) {
        if (model.numKvHeads % tp !== 0) continue;
        assert.equal(
          kvBytesPerTokenPerGpu(model, layout(tp)) * tp,
          kvBytesPerTokenPerReplica(model, 'bf16'),
          `${model.id} TP${tp}`,
        );
      }
    }
  });
});

describe('layer geometry', () => {
  it('describes every layer, and the original catalog models have one shape throughout', () => {
    for (const model of ORIGINAL_MODEL_IDS.map(getModel)) {
      assert.equal(modelLayers(model).length, model.numLayers, model.id);
      const runs = layerRuns(model);
      assert.deepEqual(
        runs.map(({ first, count }) => [first, count]),
        [[0, model.numLayers]],
        model.id,
      );
      assert.equal(uniformLayer(model), runs[0]!.layer);
    }
  });

  it('reads attention and FFN shapes from the spec', () => {
    const llama = layerGeometry(getModel('llama-3.1-70b'), 79);
    assert.deepEqual(llama.attention, {
      kind: 'full',
      heads: 64,
      kvHeads: 8,
      headDim: 128,
      qkvBias: false,
      outputBias: false,
      sinks: false,
      outputGate: false,
      window: Number.POSITIVE_INFINITY,
    });
    assert.deepEqual(llama.ffn, { kind: 'dense', width: 28672 });
    const mixtral = layerGeometry(getModel('mixtral-8x7b'), 0);
    assert.deepEqual(mixtral.ffn, {
      kind: 'moe',
      width: 14336,
      experts: 8,
      topK: 2,
      sharedWidth: 0,
      biases: false,
    });
    assert.deepEqual(moeLayers(getModel('mixtral-8x7b')), [mixtral.ffn]);
    assert.deepEqual(moeLayers(getModel('llama-3.1-8b')), []);
    const qwen = layerGeometry(getModel('qwen2.5-7b'), 0).attention;
    assert.equal(qwen.kind === 'full' && qwen.qkvBias, true);
  });

  it('refuses a layer the model does not have', () => {
    assert.throws(() => layerGeometry(getModel('llama-3.1-8b'), 32), RangeError);
    assert.throws(() => layerGeometry(getModel('llama-3.1-8b'), -1), RangeError);
  });

  it('shards a layer over TP, replicating KV heads beyond their count', () => {
    const layer = layerGeometry(getModel('llama-3.1-70b'), 0);
    assert.deepEqual(shardLayer(layer, 8), {
      heads: 8,
      kvHeads: 1,
      headDim: 128,
      qkvWidth: (8 + 2 * 1) * 128,
      ffn: 3584,
      activeFfn: 3584,
    });
    assert.equal(shardLayer(layer, 16).kvHeads, 1);
    // A token runs top-2 experts: twice one expert's width.
    const moe = shardLayer(layerGeometry(getModel('mixtral-8x7b'), 0), 2);
    assert.equal(moe.ffn, 7168);
    assert.equal(moe.activeFfn, 14336);
  });

  it('splits layers evenly over pipeline stages', () => {
    const model = getModel('llama-3.1-70b');
    assert.deepEqual(stageLayerRange(model, 4, 0), { first: 0, end: 20 });
    assert.deepEqual(stageLayerRange(model, 4, 3), { first: 60, end: 80 });
    assert.deepEqual(
      layerRuns(model, 20, 40).map(({ first, count }) => [first, count]),
      [[20, 20]],
    );
  });

  it('splits layers unevenly where PP does not divide them, the extra ones before the last stage', () => {
    // DeepSeek-V3's 61 layers: vLLM's get_pp_indices gives 31 + 30 on PP 2 and 15, 15, 16, 15 on PP 4.
    const model = { ...getModel('llama-3.1-70b'), numLayers: 61 };
    const sizes = (pp: number) =>
      Array.from({ length: pp }, (_, s) => stageLayerRange(model, pp, s)).map(
        ({ first, end }) => end - first,
      );
    assert.deepEqual(sizes(2), [31, 30]);
    assert.deepEqual(sizes(4), [15, 15, 16, 15]);
    assert.deepEqual(sizes(8), [7, 7, 8, 8, 8, 8, 8, 7]);
    assert.deepEqual(stageLayerRange(model, 4, 3), { first: 46, end: 61 });
    assert.equal(largestStageLayers(61, 4), 16);
  });
});
