import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { findModel } from '../../../../src/engine/model/catalog.js';
import { type Candidate, Slo } from '../../../../src/engine/search/schema.js';
import {
  MAX_SIMULATED_REQUESTS,
  SimulationEvaluator,
  simulatedSpanNote,
} from '../../../../src/engine/search/simulation-evaluator.js';
import { candidateId } from '../../../../src/engine/search/space.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { repeatToSpan, scaleToRate } from '../../../../src/engine/workload/transform.js';

const sample = loadWorkload('poisson:rate=4,n=200,prompt=fixed(256),output=fixed(16)', { seed: 0 });

describe('repeating a workload to a span, within limits', () => {
  it('keeps every n-th request of the repeated stream, as thinning the whole stream would', () => {
    const whole = repeatToSpan(sample, 600);
    const third = repeatToSpan(sample, 600, { every: 3 });
    assert.deepEqual(
      third.requests,
      whole.requests.filter((_, i) => i % 3 === 0),
    );
    assert.deepEqual(
      repeatToSpan(sample, 1, { every: 2 }).requests,
      sample.requests.filter((_, i) => i % 2 === 0),
    );
  });

  it('stops at maxRequests however high the rate: 10^9 req/s builds no 6·10^10 requests', () => {
    const started = performance.now();
    const fast = repeatToSpan(scaleToRate(sample, 1e9), 60, { maxRequests: 50_000 });
    assert.equal(fast.requests.length, 50_000);
    assert.ok(performance.now() - started < 2000);
    const arrivals = fast.requests.map((r) => r.arrival);
    assert.ok(
      arrivals.every((a, i) => i === 0 || a >= arrivals[i - 1]),
      'arrivals stay in order',
    );
  });
});

describe('the search at an absurd rate', () => {
  it('simulates a bounded number of requests and says so', () => {
    const model = findModel('llama-3.1-8b')!;
    const evaluator = new SimulationEvaluator({
      model,
      hardware: getHardware('h100-sxm'),
      engine: 'vllm',
      workload: sample,
      slo: Slo.parse({ ttft: 2, tbt: 0.1, form: 'percentile' }),
      maxModelLen: 2048,
      seed: 0,
    });
    const pool = {
      plan: { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
      knobs: {
        maxNumSeqs: 256,
        maxNumBatchedTokens: 8192,
        chunkedPrefill: true,
        blockSize: 16,
        gpuMemoryUtilization: 0.9,
      },
    } as const;
    const candidate: Candidate = { kind: 'colocated', id: candidateId({ kind: 'colocated', pool }), pool };
    const before = process.memoryUsage().rss;
    const metrics = evaluator.evaluateOne({ candidate, rate: 1e9 });
    assert.equal(metrics.rate, 1e9);
    assert.ok(metrics.ttft.p90 > 2, 'an overload of 10^9 req/s misses any TTFT target');
    assert.ok(process.memoryUsage().rss - before < 1024 ** 3, 'under 1 GB more memory');
    assert.equal(simulatedSpanNote(4), undefined);
    assert.match(
      simulatedSpanNote(1e9) ?? '',
      new RegExp(
        `at 1\\.00e\\+9 req/s, 60 s of traffic would be 6\\.00e\\+10 requests; each replica is simulated on at most ${MAX_SIMULATED_REQUESTS.toLocaleString('en-US')}`,
      ),
    );
  });
});
