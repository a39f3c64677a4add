import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLocalModelSize, localModelBytes } from '../../../../src/engine/kernels/local-model-size.js';
import { findModel } from '../../../../src/engine/model/catalog.js';
import { presetModel } from '../../../../src/engine/serve/local/presets.js';

const GB = 1e9;

describe('the local engine refuses weights it cannot hold', () => {
  it('counts the device weights and the host embedding', () => {
    const tiny = presetModel('tiny');
    // 2 layers of 2·64 + 64·128 + 64·64 + 3·64·128 weights, LM head 64·256, final norm 64; embedding 256·64.
    const layer = 2 * 64 + 64 * (4 + 4) * 16 + 4 * 16 * 64 + 3 * 64 * 128;
    assert.equal(localModelBytes(tiny, 'f32'), (2 * layer + 64 * 256 + 64) * 4 + 4 * (256 * 64 + layer));
    assert.ok(localModelBytes(tiny, 'f16') < localModelBytes(tiny, 'f32'));
  });

  it('an 8B-class model is refused at a 16 GB bound, naming its size; the presets are not', () => {
    const llama = findModel('llama-3.1-8b')!;
    assert.throws(
      () => checkLocalModelSize(llama, 'f32', '--config', 16 * GB),
      (error: Error & { where?: string }) =>
        /the local engine's random weights would take 3\d\.\d GB \(8\.03 B parameters in f32/.test(
          error.message,
        ) &&
        /more than the 16\.0 GB it may use/.test(error.message) &&
        error.where === '--config',
    );
    for (const name of ['tiny', 'small'])
      assert.doesNotThrow(() => checkLocalModelSize(presetModel(name), 'f32', '--preset'));
  });
});
