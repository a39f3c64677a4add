import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const LAUNCH = 'python -m sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct --tp-size 1';
const RUN = [
  ...['--hardware', 'h100-sxm', '--slo', 'ttft=1,tbt=0.1', '--sample-requests', '100', '--threads', '0'],
  ...['--workload', 'poisson:rate=6,prompt=fixed(2048),output=fixed(64),n=100', '--json'],
];

interface Prediction {
  current: { metrics: { ttft: { mean: number }; tbt: { mean: number } } };
}

/** `servetune tune --json` on a one-line SGLang launch script: the block as written is simulated first. */
function tuneScript(dir: string, name: string, flags: string): Prediction {
  const script = join(dir, name);
  writeFileSync(script, `${LAUNCH}${flags}\n`);
  const run = spawnSync(process.execPath, ['dist/cli.mjs', 'tune', script, ...RUN], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Prediction;
}

describe('servetune tune on an SGLang launch command with --enable-mixed-chunk --max-prefill-tokens', () => {
  it('simulates the block with them: its TTFT and TBT differ from the same block without them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-sglang-prefill-'));
    const plain = tuneScript(dir, 'plain.sh', '').current.metrics;
    const mixed = tuneScript(dir, 'mixed.sh', ' --enable-mixed-chunk --max-prefill-tokens 9000').current
      .metrics;
    assert.notEqual(mixed.ttft.mean, plain.ttft.mean);
    // Mixed, decodes no longer wait out each prefill batch.
    assert.ok(mixed.tbt.mean < plain.tbt.mean, `TBT ${mixed.tbt.mean} mixed vs ${plain.tbt.mean}`);
  });
});
