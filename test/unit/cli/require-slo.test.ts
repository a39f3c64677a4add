import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { SearchResult } from '../../../src/engine/search/run.js';
import { TuneBlockResult } from '../../../src/engine/tune/schema.js';

// `--require-slo` lets a CI job fail on an SLO: exit 3 when nothing meets it, after the whole output, with
// one line on stderr naming the nearest configuration's misses. Without it a search that ran exits 0.
// Needs `node esbuild.mjs` first.

function servetune(...args: string[]) {
  return spawnSync(process.execPath, ['dist/cli.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
}

const SEARCH = [
  'search',
  ...['--model', 'llama-3.1-8b', '--hardware', 'l40s', '--threads', '0', '--sample-requests', '100'],
  ...['--workload', 'poisson:rate=6,prompt=lognormal(768,0.6),output=lognormal(160,0.6),n=100'],
];

const TUNE = [
  'tune',
  'test/fixtures/configs/vllm/serve-with-config.sh',
  ...['--hardware', 'h100-sxm', '--threads', '0', '--sample-requests', '100'],
  ...['--workload', 'poisson:rate=4,prompt=lognormal(1024,0.6),output=fixed(128),n=100'],
];

/** One line on stderr: the command, the flag, the SLO in words and the nearest configuration's misses. */
function assertOneLine(stderr: string, pattern: RegExp): void {
  assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
  assert.match(stderr.trimEnd(), pattern);
}

describe('--require-slo', () => {
  it('search: exit 3 when no configuration meets the SLO, after the JSON in full', () => {
    const run = servetune(...SEARCH, '--gpus', '2', '--slo', 'tbt=1ms', '--json', '--require-slo');
    assert.equal(run.status, 3, run.stderr);
    const result = SearchResult.parse(JSON.parse(run.stdout));
    assert.ok(result.configurations.length > 0 && result.best === null);
    assertOneLine(
      run.stderr,
      /^servetune search: --require-slo: no configuration meets the SLO \(90% of requests within p90 token gap 1 ms\) at [\d.]+ req\/s; the nearest, TP.*: [\d.]+% of requests meet every target, < 90%$/,
    );
  });

  it('search: without it, the same run exits 0; with it, a run that meets the SLO exits 0 silently', () => {
    const unmet = servetune(...SEARCH, '--gpus', '2', '--slo', 'tbt=1ms,percentile=p90');
    assert.equal(unmet.status, 0, unmet.stderr);
    assert.match(
      unmet.stdout,
      /No configuration meets the SLOs.*\n {2}The closest, .*: TBT p90 [\d.]+ ms > 1\.00 ms/,
    );
    const met = servetune(...SEARCH, '--gpus', '2', '--slo', 'ttft=2', '--require-slo');
    assert.equal(met.status, 0, met.stderr);
    assert.equal(met.stderr, '');
    assert.match(met.stdout, /^Best under the SLOs: /m);
  });

  it('search, planning capacity: the line names each GPU type and why it has no plan', () => {
    const run = servetune(...SEARCH, '--gpus', '1..2', '--rate', '4', '--slo', 'tbt=1ms', '--require-slo');
    assert.equal(run.status, 3, run.stderr);
    assertOneLine(
      run.stderr,
      /^servetune search: --require-slo: no GPU type meets the SLO \(.*\) at 4\.00 req\/s; l40s: no configuration of at most 2 GPUs meets/,
    );
  });

  it('tune: exit 3 when neither the block as written nor a suggested change meets the SLO', () => {
    const run = servetune(...TUNE, '--slo', 'tbt=1ms', '--json', '--require-slo');
    assert.equal(run.status, 3, run.stderr);
    const result = TuneBlockResult.parse(JSON.parse(run.stdout));
    assert.equal(result.current.meetsSlo, false);
    assertOneLine(
      run.stderr,
      /^servetune tune: --require-slo: neither the configuration as written nor a suggested change meets the SLO \(.*token gap 1 ms\) at [\d.]+ req\/s; the nearest, TP4, .*: [\d.]+% of requests meet every target, < 90%$/,
    );
    const met = servetune(...TUNE, '--slo', 'ttft=2', '--require-slo');
    assert.equal(met.status, 0, met.stderr);
    assert.equal(met.stderr, '');
  });
});
