import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { emptyProfile } from '../helpers/profile.js';

const cli = 'dist/cli.mjs';
const simulate = (...args: string[]) =>
  spawnSync('node', [cli, 'simulate', '--model', 'llama-3.1-8b', '--hardware', 'h100-sxm', ...args], {
    encoding: 'utf8',
  });
const small = ['--workload', 'poisson:rate=2,prompt=fixed(100),output=fixed(10),n=5'];

describe('simulate refuses settings its engine does not have', {
  skip: !existsSync(cli) && 'dist/cli.mjs not built',
}, () => {
  it('a block size vLLM does not take', () => {
    const run = simulate(...small, '--scheduler', 'vllm-v1', '--block-size', '1');
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /block size 1 under vllm-v1/);
    assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack');
    assert.equal(simulate(...small, '--scheduler', 'sglang', '--block-size', '1').status, 0);
  });

  it('swap under an engine that only recomputes', () => {
    const run = simulate(...small, '--scheduler', 'lightllm', '--preemption', 'swap');
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /lightllm has no swap preemption/);
  });
});

describe('step with a profile of another device', {
  skip: !existsSync(cli) && 'dist/cli.mjs not built',
}, () => {
  it('says so on stderr, the report itself unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-step-profile-'));
    const file = join(dir, 'profile.json');
    writeFileSync(file, JSON.stringify(emptyProfile()));
    const run = spawnSync(
      'node',
      [
        cli,
        'step',
        '--model',
        'llama-3.1-8b',
        '--hardware',
        'h100-sxm',
        '--decode-batch',
        '8',
        '--profile',
        file,
        '--json',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /^note: the profile was measured on Test adapter, not on NVIDIA H100/m);
    JSON.parse(run.stdout);
  });
});
