import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { diagnoseFile, readConfig } from '../../../../src/engine/config/index.js';

describe('config diagnostics and the local Hugging Face cache', () => {
  const saved = process.env.HF_HUB_CACHE;
  before(() => {
    const cache = mkdtempSync(join(tmpdir(), 'servetune-hub-'));
    const snapshot = join(cache, 'models--some-org--Huge-Model', 'snapshots', 'abc123');
    mkdirSync(snapshot, { recursive: true });
    // About 400 B parameters: more than one 80 GB GPU holds.
    writeFileSync(
      join(snapshot, 'config.json'),
      JSON.stringify({
        model_type: 'llama',
        hidden_size: 16384,
        num_hidden_layers: 126,
        num_attention_heads: 128,
        num_key_value_heads: 8,
        intermediate_size: 53248,
        vocab_size: 128256,
      }),
    );
    process.env.HF_HUB_CACHE = cache;
  });
  after(() => {
    if (saved === undefined) delete process.env.HF_HUB_CACHE;
    else process.env.HF_HUB_CACHE = saved;
  });

  it('a served repository found in the cache gets its memory checks', () => {
    const report = readConfig('serve.sh', 'vllm serve some-org/Huge-Model --tensor-parallel-size 1\n');
    const codes = diagnoseFile(report, { hardware: 'h100-sxm' }).map((d) => d.code);
    assert.ok(codes.includes('weights-do-not-fit'), codes.join(', '));
    assert.ok(!codes.includes('unknown-model'), codes.join(', '));
  });

  it('one the cache does not hold stays unknown (diagnostics never ask the Hub)', () => {
    const report = readConfig('serve.sh', 'vllm serve some-org/Absent-Model --tensor-parallel-size 1\n');
    const codes = diagnoseFile(report, { hardware: 'h100-sxm' }).map((d) => d.code);
    assert.ok(codes.includes('unknown-model'), codes.join(', '));
  });
});
