import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { blockSettings, readConfig } from '../../../src/engine/config/index.js';

function servetune(...args: string[]) {
  const started = Date.now();
  const run = spawnSync(process.execPath, ['dist/cli.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, seconds: (Date.now() - started) / 1e3 };
}

const RUN = [
  ...['--hardware', 'h100-sxm', '--slo', 'ttft=1,tbt=0.1', '--sample-requests', '200', '--threads', '0'],
  ...['--workload', 'poisson:rate=4,prompt=lognormal(1024,0.6),output=fixed(128),n=200'],
];

/** The vLLM script and the config.yaml it names, with settings the search will want to change. */
function scriptWithConfig(): { dir: string; script: string; yaml: string } {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-tune-write-'));
  const script = join(dir, 'serve.sh');
  const yaml = join(dir, 'config.yaml');
  copyFileSync('test/fixtures/configs/vllm/serve-with-config.sh', script);
  writeFileSync(
    yaml,
    readFileSync('test/fixtures/configs/vllm/config.yaml', 'utf8')
      .replace('gpu-memory-utilization: 0.95', 'gpu-memory-utilization: 0.5')
      .replace('max_num_batched_tokens: 16384', 'max_num_batched_tokens: 256'),
  );
  return { dir, script, yaml };
}

describe('servetune tune --write', () => {
  it('writes only the file named: a change to the config.yaml it refers to needs --write-referenced', () => {
    const { dir, script, yaml } = scriptWithConfig();
    const before = [readFileSync(script, 'utf8'), readFileSync(yaml, 'utf8')];
    const refused = servetune('tune', script, ...RUN, '--write');
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /the change also edits .*config\.yaml, which .*serve\.sh refers to; nothing written: pass --write-referenced/,
    );
    assert.deepEqual(
      [readFileSync(script, 'utf8'), readFileSync(yaml, 'utf8')],
      before,
      'neither file written',
    );

    const written = servetune('tune', script, ...RUN, '--write', '--write-referenced');
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stdout, /^wrote .*serve\.sh$/m);
    assert.match(written.stdout, /^wrote .*config\.yaml$/m);
    const [block] = readConfig(script, readFileSync(script, 'utf8'), {
      readFile: (path) => readFileSync(path, 'utf8'),
    }).blocks;
    assert.equal(blockSettings(block).maxNumBatchedTokens !== 256, true);
    assert.deepEqual(readdirSync(dir).sort(), ['config.yaml', 'serve.sh'], 'no temporary file left');
  });

  it('refuses a file that is not UTF-8 before the search, naming the byte, and leaves it as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-tune-write-'));
    const path = join(dir, 'serve.sh');
    const bytes = Buffer.concat([
      Buffer.from('# caf'),
      Buffer.from([0xe9]),
      Buffer.from('\nvllm serve meta-llama/Llama-3.1-8B-Instruct --max-num-seqs 8\n'),
    ]);
    writeFileSync(path, bytes);
    const run = servetune('tune', path, ...RUN, '--write');
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /serve\.sh: not valid UTF-8 at byte 5 \(0xe9\); ServeTune edits only UTF-8 text/,
    );
    assert.ok(run.seconds < 20, 'refused before the search');
    assert.deepEqual(readFileSync(path), bytes);
  });

  it('refuses --write on a path it could not write, before the search', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-tune-write-'));
    const run = servetune('tune', dir, ...RUN, '--write');
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /--write .*servetune-tune-write-.* cannot be written: .* is a folder/);
  });
});
