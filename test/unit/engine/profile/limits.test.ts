import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MODEL_CATALOG } from '../../../../src/engine/model/catalog.js';
import { modelFromHfConfig } from '../../../../src/engine/model/hf-config.js';
import { checkProfilable } from '../../../../src/engine/profile/limits.js';
import { profileDevice } from '../../../../src/engine/profile/profiler.js';

const claimed = (hidden: number) =>
  modelFromHfConfig(
    JSON.stringify({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      hidden_size: hidden,
      intermediate_size: 4 * hidden,
      num_attention_heads: 8,
      num_key_value_heads: 8,
      num_hidden_layers: 32,
      vocab_size: 128000,
      max_position_embeddings: 8192,
    }),
    'huge/config.json',
  );

describe('what the profile can measure', () => {
  it('every catalog model, quick or full', () => {
    for (const model of MODEL_CATALOG) {
      for (const quick of [true, false]) assert.doesNotThrow(() => checkProfilable(model, quick), model.id);
    }
  });

  it('a config claiming hidden_size 10^6 is refused, naming the size, before any GPU is acquired', async () => {
    const huge = claimed(1_000_000);
    assert.throws(
      () => checkProfilable(huge, true),
      /hidden 1000000, FFN 4000000, 8 heads of 125000\) needs 931\.3 GiB of weights even at 1\/8 scale, more than the 2 GiB/,
    );
    // No adapter is asked for: the refusal comes first (this machine may have none).
    await assert.rejects(profileDevice({ quick: true, model: huge }), /needs 931\.3 GiB of weights/);
  });
});
