import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemoryReport } from '../../../src/engine/memory/model.js';

describe('servetune --model with a Hugging Face repository id', () => {
  it('memory reads the model from the local Hugging Face cache, offline', () => {
    const cache = mkdtempSync(join(tmpdir(), 'servetune-hub-'));
    const snapshot = join(cache, 'models--some-org--Some-Model', 'snapshots', 'abc123');
    mkdirSync(snapshot, { recursive: true });
    mkdirSync(join(cache, 'models--some-org--Some-Model', 'refs'));
    writeFileSync(join(cache, 'models--some-org--Some-Model', 'refs', 'main'), 'abc123');
    writeFileSync(
      join(snapshot, 'config.json'),
      JSON.stringify({
        model_type: 'llama',
        hidden_size: 2048,
        num_hidden_layers: 16,
        num_attention_heads: 16,
        num_key_value_heads: 4,
        intermediate_size: 8192,
        vocab_size: 32000,
        max_position_embeddings: 8192,
      }),
    );
    const run = spawnSync(
      process.execPath,
      [
        'dist/cli.mjs',
        'memory',
        '--model',
        'some-org/Some-Model',
        '--hardware',
        'h100-sxm',
        '--tp',
        '1',
        '--json',
      ],
      {
        encoding: 'utf8',
        timeout: 120_000,
        // Offline as well: a cache miss must fail here, never reach the Hub.
        env: { ...process.env, HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' },
      },
    );
    assert.equal(run.status, 0, run.stderr);
    const report = MemoryReport.parse(JSON.parse(run.stdout));
    assert.equal(report.model, 'some-org/Some-Model');
    assert.equal(report.fits, true);
  });
});
