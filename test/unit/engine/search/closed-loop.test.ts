import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { loadSearchSample, SearchResult, searchServing } from '../../../../src/engine/search/run.js';
import { type Candidate, Slo } from '../../../../src/engine/search/schema.js';
import { SimulationEvaluator } from '../../../../src/engine/search/simulation-evaluator.js';
import { meetsSlo } from '../../../../src/engine/search/slo.js';
import { candidateId } from '../../../../src/engine/search/space.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';

const WORKLOAD = 'constant:rate=2,prompt=fixed(768),output=fixed(128),n=240';
const slo: Slo = Slo.parse({ ttft: 1.5, tbt: 0.06 });
const small = {
  model: 'llama-3.1-8b',
  hardware: 'l40s',
  gpus: 2,
  workload: WORKLOAD,
  slo,
  sampleRequests: 240,
  threads: 0,
};

describe('search closed loop', () => {
  it('simulates each configuration once at the concurrency and ranks by the rate it serves in the SLOs', async () => {
    const result = await searchServing({ ...small, concurrency: 16 });
    assert.equal(result.workload.concurrency, 16);
    assert.equal(result.simulations, result.configurationsEvaluated, 'one run each, no rate bisected');
    assert.ok(result.configurations.length > 5);
    for (const c of result.configurations) {
      assert.equal(c.metrics.concurrency, 16);
      assert.equal(c.meetsSlo, meetsSlo(c.metrics, slo));
      assert.equal(c.maxRateUnderSlo, c.meetsSlo ? c.metrics.rate : null, c.id);
      assert.ok(c.metrics.rate > 0 && Math.abs(c.metrics.rate - c.metrics.requestThroughput) < 1e-9);
    }
    const meeting = result.configurations.filter((c) => c.meetsSlo);
    assert.ok(meeting.length > 0);
    const best = result.configurations.find((c) => c.best)!;
    assert.equal(best.id, result.best);
    assert.equal(best.maxRateUnderSlo, Math.max(...meeting.map((c) => c.metrics.rate)));
    // Open loop compares at the workload's rate and searches each survivor's highest rate.
    const open = await searchServing(small);
    assert.equal(open.workload.concurrency, undefined);
    assert.ok(open.simulations > open.configurationsEvaluated);
  });

  it('a replica serves its share of the clients, or the whole deployment runs where they do not divide', () => {
    const model = getModel('llama-3.1-8b');
    const hardware = getHardware('l40s');
    const workload = loadWorkload(WORKLOAD);
    const evaluator = new SimulationEvaluator({
      model,
      hardware,
      engine: 'vllm',
      workload,
      slo,
      maxModelLen: 2048,
      seed: 0,
    });
    const knobs = {
      maxNumSeqs: 256,
      maxNumBatchedTokens: 2048,
      chunkedPrefill: true,
      blockSize: 16,
      gpuMemoryUtilization: 0.9,
    };
    const body = {
      kind: 'colocated' as const,
      pool: { plan: { tp: 1, pp: 1, dp: 2, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' } as const, knobs },
    };
    const candidate: Candidate = { ...body, id: candidateId(body) };
    const shared = evaluator.evaluateOne({ candidate, concurrency: 16 });
    // The whole DP2 deployment, 16 clients spread round-robin: what the share stands for.
    const whole = simulate(
      {
        model,
        hardware,
        router: 'round-robin',
        // The evaluator times vLLM's steps with its measured tables: so does the whole deployment.
        engine: { id: 'vllm' },
        deployment: {
          kind: 'colocated',
          pool: {
            plan: { ...body.pool.plan },
            scheduler: { policy: 'vllm-v1', maxNumSeqs: 256, maxNumBatchedTokens: 2048, maxModelLen: 2048 },
          },
        },
      },
      workload,
      { closedLoop: { concurrency: 16 } },
    );
    const wholeRate = whole.throughput.requestsPerSecond;
    assert.ok(Math.abs(shared.rate - wholeRate) / wholeRate < 0.05, `${shared.rate} vs ${wholeRate} req/s`);
    // 15 clients do not split over two replicas: the whole deployment serves them.
    const odd = evaluator.evaluateOne({ candidate, concurrency: 15 });
    assert.ok(odd.rate < shared.rate && odd.rate > 0.8 * shared.rate, `${odd.rate} vs ${shared.rate}`);
    assert.equal(odd.concurrency, 15);
  });

  it('servetune search --concurrency prints the closed-loop comparison', {
    skip: !existsSync('dist/cli.mjs'),
  }, () => {
    const args = ['dist/cli.mjs', 'search', '--model', 'llama-3.1-8b', '--hardware', 'l40s', '--gpus', '2'];
    const rest = ['--workload', WORKLOAD, '--slo', 'ttft=1.5,tbt=0.06', '--sample-requests', '120'];
    const json = spawnSync(process.execPath, [
      ...args,
      ...rest,
      '--concurrency',
      '8',
      '--threads',
      '0',
      '--json',
    ]);
    assert.equal(json.status, 0, json.stderr.toString());
    const result = SearchResult.parse(JSON.parse(json.stdout.toString()));
    assert.equal(result.workload.concurrency, 8);
    const text = spawnSync(process.execPath, [...args, ...rest, '--concurrency', '8', '--threads', '0']);
    assert.match(text.stdout.toString(), /closed loop, 8 clients, no think time/);
    assert.match(text.stdout.toString(), /serves [\d.]+ req\/s with 8 clients/);
    const both = spawnSync(process.execPath, [...args, ...rest, '--concurrency', '8', '--rate', '2']);
    assert.notEqual(both.status, 0);
    assert.match(both.stderr.toString(), /cannot be used with option '--rate/);
  });

  it('needs no arrival rate, and refuses a rate with a concurrency, naming the flag', () => {
    const model = getModel('llama-3.1-8b');
    const once = 'constant:rate=3,prompt=fixed(10),output=fixed(10)';
    const sample = loadSearchSample({ workload: once, sampleRequests: 1, seed: 0, concurrency: 4 }, model);
    assert.equal(sample.workload.requests.length, 1);
    assert.throws(
      () =>
        loadSearchSample({ workload: WORKLOAD, sampleRequests: 10, seed: 0, rate: 2, concurrency: 4 }, model),
      (error: unknown) => isServeTuneError(error) && error.where === '--concurrency',
    );
  });
});
