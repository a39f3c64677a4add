import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { throughFrontEnd } from '../../../../src/engine/validate/front-end.js';
import { servedClient } from '../../../../src/engine/validate/served-client.js';
import { generateWorkload, parseWorkloadSpec } from '../../../../src/engine/workload/spec.js';

const config = {
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  deployment: {
    kind: 'colocated' as const,
    pool: {
      plan: { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const },
      scheduler: { policy: 'vllm-v1' as const, maxModelLen: 8192 },
    },
  },
};
const spec = 'poisson:rate=2,n=400,prompt=fixed(128),output=fixed(16)';
const workload = generateWorkload(parseWorkloadSpec(spec), 1, spec);

const request = (firstToken: number) => ({
  arrival: 0,
  firstScheduled: 0,
  firstToken,
  finish: firstToken + 1,
  promptTokens: 8,
  outputTokens: 4,
  maxGap: 0.1,
  gapsOverTbt: 0,
});

describe('front end', () => {
  it('moves each request’s first and last token by one of the latencies, the same seed alike', () => {
    const requests = Array.from({ length: 200 }, (_, i) => request(i));
    const latencies = [0.001, 0.002, 0.05];
    const seen = throughFrontEnd(requests, latencies, 7);
    const delays = seen.map((r, i) => r.firstToken - requests[i].firstToken);
    seen.forEach((r, i) => {
      assert.ok(Math.abs(r.finish - r.firstToken - 1) < 1e-9, `request ${i}: its tokens moved alike`);
    });
    for (const latency of latencies) {
      const drawn = delays.filter((d) => Math.abs(d - latency) < 1e-9).length;
      assert.ok(drawn > 40 && drawn < 95, `${latency} s drawn ${drawn} times of 200`);
    }
    assert.deepEqual(throughFrontEnd(requests, latencies, 7), seen, 'reproducible');
    assert.notDeepEqual(throughFrontEnd(requests, latencies, 8), seen, 'another seed, other draws');
    assert.equal(throughFrontEnd(requests, [], 7), requests, 'no front end: the engine’s own times');
  });

  it('a single latency delays every first and last token by it and leaves TPOT and ITL alone', () => {
    const engine = simulate(config, workload);
    const client = simulate(config, workload, { client: servedClient({ frontEndSeconds: [0.005] }) });
    for (const key of ['mean', 'p50', 'p90', 'p99', 'min', 'max'] as const) {
      assert.ok(Math.abs(client.ttft![key] - engine.ttft![key] - 0.005) < 1e-9, `ttft ${key}`);
      assert.ok(Math.abs(client.e2e![key] - engine.e2e![key] - 0.005) < 1e-9, `e2e ${key}`);
    }
    assert.deepEqual(client.tpot, engine.tpot);
    assert.deepEqual(client.itl, engine.itl);
  });

  it('a spread of latencies lifts the TTFT tail by more than its mean', () => {
    // Four in five requests pass in 1 ms, one in five in 21 ms: a mean of 5 ms.
    const latencies = [0.001, 0.001, 0.001, 0.001, 0.021];
    const engine = simulate(config, workload);
    const client = simulate(config, workload, { client: servedClient({ frontEndSeconds: latencies }) });
    const meanShift = client.ttft!.mean - engine.ttft!.mean;
    assert.ok(Math.abs(meanShift - 0.005) < 0.0015, `mean moved ${meanShift} s`);
    const p90Shift = client.ttft!.p90 - engine.ttft!.p90;
    assert.ok(p90Shift > 0.015, `the slow fifth sets the p90 (moved ${p90Shift} s)`);
    assert.ok(client.ttft!.p50 - engine.ttft!.p50 < 0.002, 'the median moves by about the common 1 ms');
  });
});
