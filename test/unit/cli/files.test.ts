import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isInputOption, isOutputOption } from '../../../src/cli/file-options.js';
import { everyCommand } from '../helpers/every-command.js';

// The CLI as a user runs it (the built bundle). Each refusal here must come before any work: the
// timeout turns a command that starts its run anyway into a failure rather than a hang.
function servetune(...args: string[]) {
  const started = Date.now();
  const run = spawnSync(process.execPath, ['dist/cli.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, seconds: (Date.now() - started) / 1e3 };
}

const SEARCH = [
  'search',
  ...['--model', 'llama-3.1-8b', '--hardware', 'h100-sxm', '--gpus', '8'],
  ...['--workload', 'poisson:rate=4,n=200', '--slo', 'ttft=2,tbt=0.1'],
];

describe('files the CLI writes', () => {
  it('every option that names an output file is checked before the command runs', () => {
    const outputs: string[] = [];
    for (const command of everyCommand().commands) {
      for (const option of command.options) {
        const long = option.long ?? '';
        const namesOutput = /^--(out|html|json-out|write)$|-out$/.test(long) && option.required;
        assert.equal(isOutputOption(option), namesOutput, `${command.name()} ${long}`);
        if (namesOutput) outputs.push(`${command.name()} ${long}`);
      }
    }
    assert.deepEqual(outputs.sort(), [
      'bench --out',
      'bench --requests-out',
      'calibrate --out',
      'profile --out',
      'search --html',
      'validate --out',
    ]);
  });

  it('search --html in a missing folder is refused at once, naming the flag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-'));
    const run = servetune(...SEARCH, '--html', join(dir, 'missing', 'r.html'));
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /servetune: error: --html .*missing.*r\.html cannot be written: the folder .* does not exist/,
    );
    assert.ok(run.seconds < 20, `refused before the search (${run.seconds} s)`);
  });

  it('calibrate --out in a missing folder is refused before the measured run is read', () => {
    const measured = 'test/fixtures/hf/qwen2.5-0.5b.json';
    const run = servetune('calibrate', '--measured', measured, '--out', '/no/such/folder/c.json');
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /--out \/no\/such\/folder\/c\.json cannot be written/);
  });
});

describe('files the CLI reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-'));
  const big = join(dir, 'big.csv');
  // Sparse: 65 MiB long, nothing on disk.
  writeFileSync(big, '');
  truncateSync(big, 65 * 1024 ** 2);
  const simulate = [
    'simulate',
    '--model',
    'llama-3.1-8b',
    '--hardware',
    'h100-sxm',
    '--workload',
    'poisson:rate=1,n=5',
  ];

  it('every option that names a file to read is checked before the command runs', () => {
    const inputs: string[] = [];
    for (const command of everyCommand().commands) {
      for (const option of command.options)
        if (isInputOption(option)) inputs.push(`${command.name()} ${option.long}`);
    }
    for (const expected of [
      'simulate --op-tables',
      'simulate --profile',
      'simulate --calibration',
      'simulate --model',
      'step --op-tables',
      'search --profile',
      'search --calibration',
      'search --model',
      'tune --profile',
      'calibrate --measured',
      'serve --config',
      'validate --profile',
      'validate --config',
      'profile --model',
      'memory --model',
      'plans --model',
    ]) {
      assert.ok(inputs.includes(expected), expected);
    }
    assert.ok(!inputs.includes('bench --model'), 'bench --model is a served name, not a file');
  });

  it('--op-tables /dev/zero is refused as not a regular file, at once', () => {
    const run = servetune(...simulate, '--op-tables', '/dev/zero');
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /servetune: error: --op-tables \/dev\/zero: not a regular file \(a device, pipe or socket\)/,
    );
    assert.ok(run.seconds < 20);
  });

  it('a table over 64 MiB is refused, naming its size and the limit', () => {
    for (const flag of ['--op-tables', '--calibration', '--profile']) {
      const run = servetune(...simulate, flag, big);
      assert.equal(run.code, 1, `${flag}: ${run.stderr}`);
      assert.match(
        run.stderr,
        new RegExp(`${flag} .*big\\.csv: 65 MiB is larger than the 64 MiB such a file may be`),
      );
    }
    const measured = servetune('calibrate', '--measured', big);
    assert.match(measured.stderr, /--measured .*big\.csv: 65 MiB is larger than the 64 MiB/);
  });

  it('a model config.json that is a device or too large is refused before it is read', () => {
    const run = servetune('memory', '--model', big.replace(/csv$/, 'json'), '--hardware', 'h100-sxm');
    assert.equal(run.code, 1); // missing: the resolver's own message
    const json = join(dir, 'config.json');
    writeFileSync(json, '');
    truncateSync(json, 65 * 1024 ** 2);
    const huge = servetune('memory', '--model', json, '--hardware', 'h100-sxm');
    assert.equal(huge.code, 1, huge.stderr);
    assert.match(huge.stderr, /--model .*config\.json: 65 MiB is larger than the 64 MiB/);
    const folder = servetune('memory', '--model', dir, '--hardware', 'h100-sxm');
    assert.match(folder.stderr, /--model .*config\.json: 65 MiB is larger than the 64 MiB/);
  });

  it('check and tune refuse a config file over 2 MiB at once, naming the limit', () => {
    const yaml = join(dir, 'big.yaml');
    writeFileSync(yaml, '');
    truncateSync(yaml, 10 * 1024 ** 2);
    for (const command of [
      ['check', yaml],
      ['tune', yaml, '--workload', 'poisson:rate=1,n=5', '--slo', 'ttft=2,tbt=0.1'],
    ]) {
      const run = servetune(...command);
      assert.equal(run.code, 1, `${command[0]}: ${run.stderr}`);
      assert.match(run.stderr, /big\.yaml: 10 MiB is larger than the 2\.00 MiB such a file may be/);
      assert.ok(run.seconds < 20);
    }
  });

  it('check names a folder or a device for what it is', () => {
    assert.match(servetune('check', dir).stderr, /not a regular file \(a folder\)/);
    assert.match(servetune('check', '/dev/zero').stderr, /not a regular file \(a device, pipe or socket\)/);
  });
});

describe('counts that would run away', () => {
  it('plans --gpus is bounded, with the bound in the message', () => {
    const run = servetune(
      'plans',
      '--model',
      'llama-3.1-8b',
      '--hardware',
      'h100-sxm',
      '--gpus',
      '99999999999',
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--gpus.*expected at most 100,000 GPUs, got '99999999999'/);
    assert.ok(run.seconds < 20);
    const search = servetune(...SEARCH.map((a) => (a === '8' ? '100001' : a)));
    assert.equal(search.code, 2);
    assert.match(search.stderr, /--gpus.*expected at most 100,000 GPUs/);
  });

  it('plans for the most GPUs allowed answers at once', () => {
    const run = servetune(
      'plans',
      '--model',
      'llama-3.1-8b',
      '--hardware',
      'h100-sxm',
      '--gpus',
      '100000',
      '--json',
    );
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.seconds < 20);
  });

  it('--threads is bounded by the cores of the machine', () => {
    const cores = availableParallelism();
    for (const command of [SEARCH, ['tune', 'test/fixtures/configs/vllm/serve-llama-70b.sh']]) {
      const run = servetune(...command, '--threads', String(cores + 1));
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`--threads.*expected 0 to ${cores} \\(this machine's cores`));
    }
    assert.equal(servetune(...SEARCH, '--threads', '99999').code, 2);
  });
});
