import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemoryReport } from '../../../src/engine/memory/model.js';
import { PlansReport } from '../../../src/engine/memory/plans.js';

// The CLI as a user runs it: the built bundle (npm test builds before it tests). Killed after two
// minutes: a command that should have been refused (a server) fails the test instead of hanging it.
function servetune(...args: string[]) {
  const run = spawnSync(process.execPath, ['dist/cli.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('servetune CLI', () => {
  it('memory --json prints a MemoryReport', () => {
    const run = servetune(
      'memory',
      '--model',
      'llama-3.1-70b',
      '--hardware',
      'h100-sxm',
      '--tp',
      '8',
      '--json',
    );
    assert.equal(run.code, 0, run.stderr);
    const report = MemoryReport.parse(JSON.parse(run.stdout));
    assert.equal(report.perReplica.kvBlocks, 86_219);
  });

  it('plans --json prints a PlansReport for the cluster', () => {
    const run = servetune(
      'plans',
      '--model',
      'mixtral-8x7b',
      '--hardware',
      'a100-80gb-sxm',
      '--gpus',
      '4',
      '--json',
    );
    assert.equal(run.code, 0, run.stderr);
    const report = PlansReport.parse(JSON.parse(run.stdout));
    assert.ok(report.plans.some((p) => p.fits));
  });

  it('plans prints a readable table', () => {
    const run = servetune('plans', '--model', 'llama-3.1-8b', '--hardware', 'l4', '--gpus', '2');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /TP2\s+\d+\.\d\d GiB/);
    assert.match(run.stdout, /TP1 × DP2/);
  });

  it("plans --engine vllm names vLLM's layout of the experts on a line of its own", () => {
    const run = servetune(
      'plans',
      '--model',
      'gpt-oss-120b',
      '--hardware',
      'h100-sxm',
      '--gpus',
      '2',
      '--engine',
      'vllm',
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /\nWeights as vLLM Triton MXFP4 MoE \(Hopper\) holds them: width per rank padded to a multiple of 64, block scales held twice, fp32 expert biases\.\n/,
    );
  });

  it("memory --engine vllm counts vLLM's layout of gpt-oss's mxfp4 experts and says so", () => {
    const args = ['memory', '--model', 'gpt-oss-120b', '--hardware', 'h100-sxm', '--max-model-len', '8192'];
    const plain = MemoryReport.parse(JSON.parse(servetune(...args, '--json').stdout));
    const run = servetune(...args, '--engine', 'vllm', '--json');
    assert.equal(run.code, 0, run.stderr);
    const vllm = MemoryReport.parse(JSON.parse(run.stdout));
    assert.equal(plain.perGpu.weightBytes, 65_248_815_744);
    assert.equal(plain.engineWeights, undefined);
    // Triton on Hopper: the e8m0 scales held twice (3,583,180,800 bytes) and fp32 biases (+79,626,240).
    assert.equal(vllm.perGpu.weightBytes, 65_248_815_744 + 3_583_180_800 + 79_626_240);
    assert.equal(vllm.engineWeights?.layout, 'vLLM Triton MXFP4 MoE (Hopper)');
    const sglang = MemoryReport.parse(JSON.parse(servetune(...args, '--engine', 'sglang', '--json').stdout));
    assert.equal(sglang.perGpu.weightBytes, plain.perGpu.weightBytes);
    const text = servetune(...args, '--engine', 'vllm', '--moe-backend', 'marlin');
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /Weights: vLLM Marlin MXFP4 MoE holds \d+\.\d\d GiB per GPU beyond the checkpoint/,
    );
    const orphan = servetune(...args, '--marlin-moe');
    assert.notEqual(orphan.code, 0);
    assert.match(orphan.stderr, /give --engine too/);
    const foreign = servetune(...args, '--engine', 'sglang', '--marlin-moe');
    assert.notEqual(foreign.code, 0);
    assert.match(foreign.stderr, /--moe-backend marlin: sglang has no such MoE backend/);
    const tgi = servetune(...args, '--engine', 'tgi', '--moe-backend', 'triton');
    assert.notEqual(tgi.code, 0);
    assert.match(tgi.stderr, /--moe-backend triton: tgi has no such MoE backend/);
  });

  it('a config.json path works as a model', () => {
    const run = servetune(
      'memory',
      '--model',
      'test/fixtures/hf/qwen2.5-0.5b.json',
      '--hardware',
      'l4',
      '--json',
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(MemoryReport.parse(JSON.parse(run.stdout)).fits, true);
  });

  it('unknown names fail with the nearest ones', () => {
    const model = servetune('memory', '--model', 'llama-3-70b', '--hardware', 'h100-sxm');
    assert.equal(model.code, 1);
    assert.match(
      model.stderr,
      /servetune: error: Unknown model 'llama-3-70b'\. Did you mean .*llama-3.1-70b/,
    );
    const hardware = servetune('plans', '--model', 'llama-3.1-8b', '--hardware', 'a100', '--gpus', '0');
    assert.equal(hardware.code, 2);
    assert.match(hardware.stderr, /--gpus.*expected a positive integer, got '0'/);
  });

  it('a plan that cannot divide the model is refused with the reason', () => {
    const run = servetune('memory', '--model', 'llama-3.1-70b', '--hardware', 'h100-sxm', '--tp', '3');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Invalid plan TP3: TP 3 does not divide the 64 attention heads/);
  });

  it('serve, bench and validate refuse a seed that is not an integer, before any work', () => {
    const commands = [
      ['serve', '--preset', 'tiny'],
      ['bench', '--url', 'http://127.0.0.1:9', '--model', 'm', '--workload', 'poisson:rate=1,n=2'],
      ['validate', '--quick'],
    ];
    for (const command of commands) {
      for (const seed of ['1.5', 'abc']) {
        const run = servetune(...command, '--seed', seed);
        assert.notEqual(run.code, 0, `${command[0]} --seed ${seed}`);
        assert.match(
          run.stderr,
          new RegExp(`option '--seed <n>' argument '${seed.replace('.', '\\.')}' is invalid`),
        );
        assert.match(run.stderr, /expected an integer/);
      }
    }
  });

  it('a plan that does not fit exits non-zero and says why', () => {
    const run = servetune('memory', '--model', 'llama-3.1-405b', '--hardware', 'h100-sxm', '--tp', '8');
    assert.equal(run.code, 3);
    assert.match(run.stdout, /Does not fit: weights need/);
  });

  it('search and tune refuse the same malformed run options, naming each, before any work', () => {
    const search = [
      'search',
      ...['--model', 'llama-3.1-8b', '--hardware', 'h100-sxm', '--gpus', '1'],
      ...['--workload', 'poisson:rate=1,n=10', '--slo', 'ttft=2,tbt=0.1'],
    ];
    const tune = ['tune', 'test/fixtures/configs/vllm/serve-llama-70b.sh'];
    const malformed: [string, string, RegExp][] = [
      ['--threads', 'two', /expected a whole number/],
      ['--sample-requests', '0', /expected a positive integer/],
      ['--seed', '1.5', /expected an integer/],
      ['--slo-percentile', 'p95', /Allowed choices are p50, p90, p99/],
      ['--rate', '-1', /expected a positive number/],
    ];
    for (const command of [search, tune]) {
      for (const [flag, value, reason] of malformed) {
        const run = servetune(...command, flag, value);
        assert.notEqual(run.code, 0, `${command[0]} ${flag} ${value}`);
        assert.match(
          run.stderr,
          new RegExp(`option '${flag} <[^>]+>' argument '${value.replace('.', '\\.')}' is invalid`),
        );
        assert.match(run.stderr, reason);
      }
    }
  });

  it('an --out path that cannot be written is refused before a run starts, naming the flag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-'));
    const missing = join(dir, 'no-such-folder', 'report.json');
    const started = Date.now();
    const validate = servetune('validate', '--quick', '--out', missing);
    assert.notEqual(validate.code, 0);
    assert.match(validate.stderr, /--out .*no-such-folder.* cannot be written: the folder .* does not exist/);
    assert.ok(Date.now() - started < 20_000, 'refused at once, not after serving');
    const bench = servetune(
      'bench',
      ...['--url', 'http://127.0.0.1:9', '--model', 'm', '--workload', 'poisson:rate=1,n=2'],
      ...['--requests-out', dir],
    );
    assert.notEqual(bench.code, 0);
    assert.match(bench.stderr, /--requests-out .* cannot be written: .* is a folder/);
  });

  it('validate refuses a workload shorter than the run it asks for, before any work', () => {
    const started = Date.now();
    const short = 'poisson:rate=40,n=150,prompt=uniform(16,96),output=uniform(8,40)';
    const run = servetune('validate', '--quick', '--workload', short, '--requests', '200');
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /--requests 200: the workload .*n=150.* holds only 150 requests/);
    const warm = servetune(
      'validate',
      '--quick',
      '--workload',
      short,
      '--requests',
      '100',
      '--warm-up-requests',
      '300',
    );
    assert.notEqual(warm.code, 0);
    assert.match(warm.stderr, /--warm-up-requests 300: the workload .*n=150.* holds only 150 requests/);
    assert.ok(Date.now() - started < 20_000, 'refused at once, not after profiling or serving');
  });

  it('calibrate refuses a run no factor reproduces, saying why, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-'));
    const workload = 'poisson:rate=2,n=60,prompt=fixed(256),output=fixed(32)';
    const simulated = servetune(
      'simulate',
      ...['--model', 'llama-3.1-8b', '--hardware', 'h100-sxm', '--workload', workload, '--json'],
    );
    assert.equal(simulated.code, 0, simulated.stderr);
    const summary = JSON.parse(simulated.stdout);
    const asMeasured = (tpotScale: number) => {
      const file = join(dir, `bench-${tpotScale}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          ...summary,
          kind: 'measured',
          workload: { source: workload, seed: 0, mode: 'open' },
          tpot: { ...summary.tpot, mean: summary.tpot.mean * tpotScale },
        }),
      );
      return file;
    };
    // Ten times faster than the model's own time: faster than an H100 runs an 8B model at all.
    const out = join(dir, 'cal.json');
    const fast = servetune('calibrate', '--measured', asMeasured(0.1), '--out', out);
    assert.notEqual(fast.code, 0);
    assert.match(
      fast.stderr,
      /cannot be fitted for llama-3\.1-8b on h100-sxm: the closest the step model comes is .* even with every kernel at full efficiency; is the deployment right/,
    );
    const slow = servetune('calibrate', '--measured', asMeasured(300), '--out', out);
    assert.notEqual(slow.code, 0);
    assert.match(slow.stderr, /even at a hundredth of its speed/);
    assert.ok(!existsSync(out), 'no calibration was written');
    // Twice as slow is a fit.
    const fits = servetune('calibrate', '--measured', asMeasured(2), '--out', out);
    assert.equal(fits.code, 0, fits.stderr);
    assert.ok(existsSync(out));
  });

  it('a malformed config.json names the file and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ model_type: 'llama', hidden_size: 4096 }));
    const run = servetune('memory', '--model', file, '--hardware', 'h100-sxm');
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`${file}: field 'num_hidden_layers' is missing`));
  });
});
