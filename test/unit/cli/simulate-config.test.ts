import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunSummary } from '../../../src/engine/sim/summary.js';

const cli = 'dist/cli.mjs';
const WORKLOAD = ['--workload', 'poisson:rate=4,prompt=fixed(512),output=fixed(64),n=60'];
const LAUNCH = 'python -m sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct --tp 2';

/** A folder holding `files`; returns the path of each. */
function folder(files: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-simulate-config-'));
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], text);
  }
  return paths;
}

function simulate(args: string[]) {
  return spawnSync(process.execPath, [cli, 'simulate', ...args], { encoding: 'utf8', timeout: 60_000 });
}

function simulateJson(args: string[]): RunSummary {
  const run = simulate([...args, '--json']);
  assert.equal(run.status, 0, run.stderr);
  return RunSummary.parse(JSON.parse(run.stdout));
}

describe('servetune simulate --config', { skip: !existsSync(cli) && 'dist/cli.mjs not built' }, () => {
  it('takes the plan, engine and engine behaviours from the file', () => {
    const files = folder({ 'plain.sh': `${LAUNCH}\n`, 'eager.sh': `${LAUNCH} --disable-cuda-graph\n` });
    const plain = simulateJson(['--config', files['plain.sh'], '--hardware', 'h100-sxm', ...WORKLOAD]);
    const eager = simulateJson(['--config', files['eager.sh'], '--hardware', 'h100-sxm', ...WORKLOAD]);
    assert.match(plain.label, /llama-3\.1-8b on h100-sxm: TP2 sglang/);
    // Without CUDA graphs every decode step launches its kernels from the host: slower tokens.
    assert.ok(eager.tpot!.mean > plain.tpot!.mean, `${eager.tpot!.mean} > ${plain.tpot!.mean}`);
    const explicit = simulateJson([
      ...['--model', 'llama-3.1-8b', '--hardware', 'h100-sxm', '--tp', '2', '--engine', 'sglang'],
      ...['--enforce-eager', '--scheduler', 'sglang', ...WORKLOAD],
    ]);
    assert.ok(Math.abs(explicit.tpot!.mean / eager.tpot!.mean - 1) < 0.05, 'the same engine and plan');
  });

  it('lets flags given on the command line override the file', () => {
    const files = folder({ 'serve.sh': `${LAUNCH}\n` });
    const summary = simulateJson([
      '--config',
      files['serve.sh'],
      '--hardware',
      'h100-sxm',
      '--tp',
      '1',
      ...WORKLOAD,
    ]);
    assert.match(summary.label, /: TP1 sglang/);
    assert.equal(summary.gpus, 1);
  });

  it('takes the GPU and the workload from the servetune.json beside the config', () => {
    const files = folder({
      'serve.sh': `${LAUNCH}\n`,
      'servetune.json': JSON.stringify({ hardware: 'h200', workload: { spec: 'poisson:rate=2,n=20' } }),
    });
    const summary = simulateJson(['--config', files['serve.sh']]);
    assert.match(summary.label, /on h200/);
    assert.equal(summary.requests.total, 20);
  });

  it('refuses a malformed file with an error naming the file and the line', () => {
    const files = folder({
      'bad.yaml': 'model: meta-llama/Llama-3.1-8B-Instruct\ntensor_parallel_size: [2\n  : x\n',
    });
    const run = simulate(['--config', files['bad.yaml'], '--hardware', 'h100-sxm', ...WORKLOAD]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^servetune: error: .*bad\.yaml:\d+:\d+: YAML: /);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  });

  it('refuses a missing file, naming it', () => {
    const run = simulate(['--config', '/nonexistent/serve.sh', '--hardware', 'h100-sxm', ...WORKLOAD]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /Cannot read \/nonexistent\/serve\.sh: no such file/);
  });

  it('without --config still asks for --model, --hardware and --workload', () => {
    const run = simulate(['--hardware', 'h100-sxm', ...WORKLOAD]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /simulate needs --model/);
  });
  it('--side simulates one side of a disaggregated deployment paired with the other side of the file', () => {
    const disagg = 'test/fixtures/configs/kubernetes/disaggregated-sglang.yaml';
    const refused = simulate(['--config', disagg, '--hardware', 'h100-sxm', ...WORKLOAD]);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /is the prefill side of a disaggregated deployment: pick the side to simulate with --side prefill\|decode \(.*disaggregated-sglang\.yaml has these sides: prefill \(block 0\), decode \(block 1\)\)/,
    );
    const decode = simulateJson([
      '--config',
      disagg,
      '--side',
      'decode',
      '--hardware',
      'h100-sxm',
      ...WORKLOAD,
    ]);
    assert.match(decode.label, /: prefill TP1 × DP2 sglang \+ decode TP2 sglang/);
    assert.equal(decode.gpus, 4);
    const prefill = simulateJson([
      '--config',
      disagg,
      '--side',
      'prefill',
      '--hardware',
      'h100-sxm',
      ...WORKLOAD,
    ]);
    assert.equal(prefill.label, decode.label);
    // A pool flag overrides the file's pair.
    const smaller = simulateJson([
      ...['--config', disagg, '--side', 'decode', '--decode-tp', '1', '--hardware', 'h100-sxm'],
      ...WORKLOAD,
    ]);
    assert.match(smaller.label, /\+ decode TP1 sglang/);
  });

  it('--side names the sides the file has where it has not the one asked for, and needs --config', () => {
    const files = folder({ 'serve.sh': `${LAUNCH}\n` });
    const run = simulate([
      '--config',
      files['serve.sh'],
      '--side',
      'decode',
      '--hardware',
      'h100-sxm',
      ...WORKLOAD,
    ]);
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /--side decode: .*serve\.sh has no decode side \(.*serve\.sh has these sides: none\)/,
    );
    const alone = simulate([
      '--side',
      'decode',
      '--model',
      'llama-3.1-8b',
      '--hardware',
      'h100-sxm',
      ...WORKLOAD,
    ]);
    assert.equal(alone.status, 1);
    assert.match(alone.stderr, /--side goes with --config/);
  });
});
