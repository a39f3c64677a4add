import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

function servetune(...args: string[]) {
  const run = spawnSync(process.execPath, ['dist/cli.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('runs with no answer say why, and exit non-zero', () => {
  it('a search where no plan fits in memory says so, with the reasons, and exits 3', () => {
    const run = servetune(
      'search',
      ...['--model', 'llama-3.1-405b', '--hardware', 'l4', '--gpus', '2'],
      ...['--workload', 'poisson:rate=4,n=50', '--slo', 'ttft=2,tbt=0.1'],
    );
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /Nothing fits: no configuration of 2× l4 can serve Llama-3\.1-405B\./);
    assert.match(
      run.stdout,
      /3 plans do not fit in GPU memory, e\.g\.:\n {4}TP.*: weights need [\d.]+ GiB per GPU/,
    );
    assert.match(run.stdout, /Give more GPUs, a larger GPU, or --allow-quantization\./);
    assert.doesNotMatch(run.stdout, /fronts below/);
    // One GPU leaves one plan: said in the singular.
    const one = servetune(
      'search',
      ...['--model', 'llama-3.1-405b', '--hardware', 'l4', '--gpus', '1'],
      ...['--workload', 'poisson:rate=4,n=50', '--slo', 'ttft=2,tbt=0.1'],
    );
    assert.equal(one.code, 3, one.stderr);
    assert.match(one.stdout, /\n {2}1 plan does not fit in GPU memory, e\.g\.:/);
  });

  it('a search where nothing meets the SLOs names the closest configuration and what it misses', () => {
    const run = servetune(
      'search',
      ...['--model', 'llama-3.1-8b', '--hardware', 'h100-sxm', '--gpus', '1', '--threads', '0'],
      ...['--workload', 'poisson:rate=4,n=50', '--slo', 'ttft=1ms,tbt=1ms'],
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /No configuration meets the SLOs at [\d.]+ req\/s: \d+ run, each misses a latency target\./,
    );
    assert.match(run.stdout, /The closest, TP1, .*: 0\.0% of requests meet every target, < 90%\./);
    assert.match(
      run.stdout,
      /Throughput front .*:\n {2}\(empty: no configuration meets the SLOs at any rate tried\)/,
    );
  });

  it('a simulation whose every request fails exits 3 with the reason', () => {
    const run = servetune(
      'simulate',
      ...['--model', 'llama-3.1-8b', '--hardware', 'h100-sxm', '--max-model-len', '100'],
      ...['--workload', 'poisson:rate=4,n=20,prompt=fixed(512)'],
    );
    assert.equal(run.code, 3, run.stderr);
    assert.match(
      run.stderr,
      /servetune: error: all 20 requests failed: every request is longer than max-model-len 100 \(the shortest is \d+ tokens/,
    );
  });

  it('a simulation left with no requests is refused, naming the flag that cut them', () => {
    const run = servetune(
      'simulate',
      ...['--model', 'llama-3.1-8b', '--hardware', 'h100-sxm'],
      ...['--workload', 'poisson:rate=4,n=20', '--duration', '0.000001'],
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /no requests to simulate: none of poisson:rate=4,n=20 arrives within --duration 0\.000001 s/,
    );
  });
});

describe('models too large for what would hold them are refused before anything is allocated', () => {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-'));
  const config = (file: string, fields: Record<string, number>) => {
    const path = join(dir, file);
    writeFileSync(
      path,
      JSON.stringify({
        architectures: ['LlamaForCausalLM'],
        model_type: 'llama',
        num_attention_heads: 8,
        num_key_value_heads: 8,
        vocab_size: 128000,
        max_position_embeddings: 8192,
        ...fields,
      }),
    );
    return path;
  };

  it('serve and validate --config of a 400B-class model name its size and the bound', () => {
    const big = config('big.json', { hidden_size: 16384, intermediate_size: 53248, num_hidden_layers: 126 });
    for (const command of [['serve'], ['validate', '--quick']]) {
      const started = Date.now();
      const run = servetune(...command, '--config', big);
      assert.equal(run.code, 1, run.stderr);
      assert.match(
        run.stderr,
        /the local engine's random weights would take [\d.]+ GB \([\d.]+ B parameters in f32/,
      );
      assert.match(run.stderr, /more than the [\d.]+ GB it may use on this machine \(a quarter of its/);
      assert.ok(Date.now() - started < 20_000, 'refused at once');
    }
  });

  it('profile --model of a config claiming hidden_size 10^6 is refused, naming the layer size', () => {
    const huge = config('huge.json', {
      hidden_size: 1_000_000,
      intermediate_size: 4_000_000,
      num_hidden_layers: 32,
    });
    const run = servetune('profile', '--quick', '--model', huge);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /one layer \(hidden 1000000, .*\) needs 931\.3 GiB of weights even at 1\/8 scale/,
    );
  });
});
