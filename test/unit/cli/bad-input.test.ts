import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

const cli = 'dist/cli.mjs';
const WORKLOAD = ['--workload', 'poisson:rate=4,prompt=fixed(512),output=fixed(64),n=20'];
const MODEL = ['--model', 'llama-3.1-8b', '--hardware', 'h100-sxm'];

function run(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
}

/** A file of `text` in a fresh folder; returns its path. */
function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'servetune-bad-input-')), name);
  writeFileSync(path, text);
  return path;
}

/** A refused run: non-zero exit, the message matching, no stack trace or placeholder text. */
function assertRefused(result: ReturnType<typeof run>, message: RegExp): void {
  assert.notEqual(result.status, 0, result.stdout);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /\n\s+at |undefined|\[object Object\]/);
}

describe('bad input on the command line', { skip: !existsSync(cli) && 'dist/cli.mjs not built' }, () => {
  it('refuses a config value the engine would reject instead of simulating its default', () => {
    const config = file('sglang.yaml', 'model-path: meta-llama/Llama-3.1-8B-Instruct\ntp-size: abc\n');
    const result = run(['simulate', '--config', config, '--hardware', 'h100-sxm', ...WORKLOAD]);
    assertRefused(result, /sglang\.yaml:2:10: tp-size: expected an integer, got 'abc'/);
  });

  it('refuses to tune a block holding a value the engine would reject, and leaves the file as it was', () => {
    const text = '#!/bin/bash\nvllm serve meta-llama/Llama-3.1-8B-Instruct --gpu-memory-utilization 1.5\n';
    const config = file('serve.sh', text);
    const slo = ['--slo', 'ttft=0.5,tbt=0.05'];
    const result = run(['tune', config, '--hardware', 'h100-sxm', ...WORKLOAD, ...slo, '--write']);
    assertRefused(
      result,
      /serve\.sh:2:\d+: --gpu-memory-utilization: expected a fraction in \(0, 1\], got 1\.5/,
    );
    assert.equal(readFileSync(config, 'utf8'), text);
  });

  it('refuses an engine version that is not a number', () => {
    const result = run(['simulate', ...MODEL, ...WORKLOAD, '--engine', 'vllm@latest']);
    assertRefused(result, /--engine: 'latest' is not a version of vllm/);
  });

  it('says a --perf-db that is a file is not a folder', () => {
    const path = file('tables.parquet', 'x');
    const result = run(['simulate', ...MODEL, ...WORKLOAD, '--engine', 'vllm', '--perf-db', path]);
    assertRefused(result, /perf database .*tables\.parquet: is a file, not a folder/);
  });

  it('refuses a workload spec that gives a key twice instead of taking the last', () => {
    const result = run(['simulate', ...MODEL, '--workload', 'poisson:rate=4,n=5,n=6']);
    assertRefused(result, /Invalid workload spec 'poisson:rate=4,n=5,n=6': 'n' is given twice/);
  });

  it('refuses a fixed length above the cap instead of cutting every request to it', () => {
    const result = run(['simulate', ...MODEL, '--workload', 'poisson:rate=4,prompt=fixed(100000),n=2']);
    assertRefused(
      result,
      /prompt=fixed\(100000\) is longer than max=32768, the cap on every length; raise max=/,
    );
    const raised = run([
      'simulate',
      ...MODEL,
      '--workload',
      'poisson:rate=4,prompt=fixed(100000),max=100000,n=2',
    ]);
    assert.equal(raised.status, 0, raised.stderr);
  });

  it('refuses a warm-up that leaves no request to measure instead of printing empty metrics', () => {
    const result = run(['simulate', ...MODEL, ...WORKLOAD, '--warm-up-requests', '20']);
    assertRefused(result, /--warm-up-requests 20 leaves none of the workload's 20 requests to measure/);
    const bench = run([
      'bench',
      '--url',
      'http://127.0.0.1:9',
      '--model',
      'x',
      ...WORKLOAD,
      '--warm-up-requests',
      '50',
    ]);
    assertRefused(bench, /--warm-up-requests 50 leaves none of the workload's 20 requests to measure/);
  });

  it('says a field left out of a JSON file is missing, never that it received undefined', () => {
    const calibration = file('calibration.json', '{"factors": {}}\n');
    const result = run(['simulate', ...MODEL, ...WORKLOAD, '--calibration', calibration]);
    assertRefused(
      result,
      /calibration\.json: not a calibration: field 'source' is missing \(expected string\)/,
    );
  });

  it('names a JSON file that is not an object as a whole, not as a field with no name', () => {
    const profile = file('profile.json', '[]\n');
    const result = run(['simulate', ...MODEL, ...WORKLOAD, '--profile', profile]);
    assertRefused(result, /profile\.json: not a device profile: the file as a whole: .*expected object/);
    assert.doesNotMatch(result.stderr, /field ''/);
  });

  it('says what a servetune.json workload must look like, not "Invalid input"', () => {
    const config = file('serve.sh', 'vllm serve meta-llama/Llama-3.1-8B-Instruct\n');
    writeFileSync(join(dirname(config), 'servetune.json'), '{"workload": "poisson:rate=4,n=5"}\n');
    const result = run(['simulate', '--config', config, '--hardware', 'h100-sxm']);
    assertRefused(result, /servetune\.json: workload: expected \{"spec": .*\} or \{"trace": /);
  });

  it('refuses a step of more tokens than any request holds instead of timing it', () => {
    const result = run(['step', ...MODEL, '--prefill-tokens', '100000000000']);
    assertRefused(
      result,
      /--prefill-tokens <n>' argument '100000000000' is invalid\. expected at most 100,000,000 tokens/,
    );
  });

  it('refuses an --emit-dir that is a file before searching, not after', () => {
    const path = file('deploy', 'x');
    const slo = ['--slo', 'ttft=0.5,tbt=0.05'];
    const args = ['search', ...MODEL, '--gpus', '1', ...WORKLOAD, ...slo, '--emit', 'kubernetes'];
    const started = Date.now();
    assertRefused(run([...args, '--emit-dir', path]), /--emit-dir .*deploy: it is a file, not a folder/);
    const nested = join(path, 'k8s');
    assertRefused(run([...args, '--emit-dir', nested]), /--emit-dir .*k8s: .*deploy is a file, not a folder/);
    assert.ok(Date.now() - started < 5000, 'refused before the search ran');
  });

  it('refuses --emit and --allow-speculation with capacity planning, not drops them', () => {
    const slo = ['--slo', 'ttft=0.5,tbt=0.05'];
    const plan = ['search', '--model', 'llama-3.1-8b', '--hardware', 'l40s,h100-sxm', '--gpus', '1..2'];
    plan.push(...WORKLOAD, ...slo);
    assertRefused(
      run([...plan, '--emit', 'compose', '--emit-dir', join(tmpdir(), 'servetune-capacity-deploy')]),
      /--emit: not taken when planning capacity .*; search the GPU type and count it chooses for it/,
    );
    assertRefused(
      run([...plan, '--emit', 'compose', '--allow-speculation']),
      /--emit, --allow-speculation: not taken when planning capacity .* chooses for them/,
    );
  });

  it('refuses a KV format the named engine cannot store', () => {
    const result = run(['simulate', ...MODEL, ...WORKLOAD, '--engine', 'vllm', '--kv-dtype', 'fp4']);
    assertRefused(result, /--kv-dtype fp4: vllm cannot store the KV cache as fp4; it takes fp16, bf16, fp8/);
    const step = run(['step', ...MODEL, '--decode-batch', '4', '--engine', 'sglang', '--kv-dtype', 'int8']);
    assertRefused(step, /--kv-dtype int8: sglang cannot store the KV cache as int8/);
  });

  it('refuses a think time past a day, which would leave every TTFT 0', () => {
    const result = run(['simulate', ...MODEL, ...WORKLOAD, '--concurrency', '4', '--think-time', '1e300']);
    assertRefused(result, /--think-time .*expected at most 86400 seconds \(a day\), got '1e300'/);
  });
});
