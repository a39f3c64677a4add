import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCalibration } from '../../../../src/engine/perf/calibration.js';
import type { PolicyName } from '../../../../src/engine/sched/config.js';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { simulateSeedMean } from '../../../../src/engine/sim/seed-mean.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { RunSummary } from '../../../../src/engine/sim/summary.js';
import { spreadOf } from '../../../../src/engine/util/spread.js';
import { generateWorkload, parseWorkloadSpec } from '../../../../src/engine/workload/spec.js';
import type { Workload } from '../../../../src/engine/workload/types.js';

const plan = (tp: number, pp = 1, dp = 1) => ({
  tp,
  pp,
  dp,
  ep: 1,
  weightDtype: 'bf16' as const,
  kvDtype: 'bf16' as const,
});
const colocated = (
  policy: PolicyName,
  extra: Partial<SimulationConfigInput> = {},
  p = plan(1),
): SimulationConfigInput => ({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  deployment: { kind: 'colocated', pool: { plan: p, scheduler: { policy, maxModelLen: 8192 } } },
  ...extra,
});
const workload = (spec: string, seed = 1) => generateWorkload(parseWorkloadSpec(spec), seed, spec);
const busy = workload('poisson:rate=20,prompt=lognormal(800,0.8),output=lognormal(150,0.8),n=400,max=4000');

describe('simulate', () => {
  for (const policy of ['static', 'orca', 'vllm-v0', 'sarathi', 'vllm-v1', 'sglang', 'lightllm'] as const) {
    it(`${policy}: every request finishes once and the tokens out are the tokens asked`, () => {
      const summary = simulate(colocated(policy), busy);
      assert.equal(summary.feasible, true);
      assert.equal(summary.requests.completed, busy.requests.length);
      assert.equal(summary.requests.failed, 0);
      const asked = busy.requests.reduce((s, r) => s + r.outputTokens, 0);
      assert.equal(summary.tokens.output, asked);
      assert.equal(summary.ttft?.count, busy.requests.length);
      // Every token after the first of every request is one ITL sample.
      assert.equal(summary.itl?.count, asked - busy.requests.length);
      RunSummary.parse(summary);
    });
  }

  it('is deterministic', () => {
    const a = simulate(colocated('sglang', { slo: { ttft: 0.5, tpot: 0.05 } }), busy);
    const b = simulate(colocated('sglang', { slo: { ttft: 0.5, tpot: 0.05 } }), busy);
    assert.deepEqual({ ...a, wallSeconds: 0 }, { ...b, wallSeconds: 0 });
  });

  it('TTFT and TPOT follow their definitions on a single request', () => {
    const one: Workload = {
      source: 'one',
      hashBlockTokens: 512,
      requests: [{ arrival: 0, promptTokens: 1000, outputTokens: 11 }],
    };
    const s = simulate(colocated('vllm-v1'), one);
    const ttft = s.ttft!.mean;
    const e2e = s.e2e!.mean;
    assert.ok(Math.abs(s.tpot!.mean - (e2e - ttft) / 10) < 1e-12);
    assert.equal(s.itl!.count, 10);
    assert.ok(Math.abs(s.itl!.mean - s.tpot!.mean) < 1e-9);
    assert.equal(s.queueing!.mean, 0);
  });

  it('a prefill-first schedule shows longer token gaps than a stall-free one under load', () => {
    const v0 = simulate(colocated('vllm-v0'), busy);
    const v1 = simulate(colocated('sarathi', {}, plan(1)), busy);
    assert.ok(v0.itl!.max > v1.itl!.max, `max ITL ${v0.itl!.max} vs ${v1.itl!.max}`);
  });

  it('reports an infeasible plan instead of simulating it', () => {
    const s = simulate(
      {
        ...colocated('vllm-v1'),
        model: 'llama-3.1-405b',
        deployment: { kind: 'colocated', pool: { plan: plan(1), scheduler: { policy: 'vllm-v1' } } },
      },
      busy,
    );
    assert.equal(s.feasible, false);
    assert.match(s.problems.join(' '), /weights need/);
    assert.equal(s.steps, 0);
    assert.equal(s.ttft, null);
  });

  it('preempts under KV pressure and still serves everything', () => {
    const s = simulate(
      colocated('vllm-v1', {}, plan(1)),
      workload('poisson:rate=50,prompt=fixed(2000),output=fixed(1500),n=150'),
    );
    const tight = simulate(
      {
        ...colocated('vllm-v1'),
        deployment: {
          kind: 'colocated',
          pool: {
            plan: plan(1),
            scheduler: { policy: 'vllm-v1', maxModelLen: 8192, gpuMemoryUtilization: 0.3 },
          },
        },
      },
      workload('poisson:rate=50,prompt=fixed(2000),output=fixed(1500),n=150'),
    );
    assert.ok(tight.preemptions > s.preemptions, `${tight.preemptions} vs ${s.preemptions}`);
    assert.equal(tight.requests.completed, 150);
  });

  it('prefix hits skip their blocks’ prefill', () => {
    const shared: Workload = {
      source: 'shared',
      hashBlockTokens: 512,
      requests: Array.from({ length: 40 }, (_, i) => ({
        arrival: i * 0.5,
        promptTokens: 4096,
        outputTokens: 20,
        hashIds: [1, 2, 3, 4, 5, 6, 7, 100 + i],
      })),
    };
    const withCache = simulate(colocated('vllm-v1'), shared);
    const without = simulate(
      {
        ...colocated('vllm-v1'),
        deployment: {
          kind: 'colocated',
          pool: {
            plan: plan(1),
            scheduler: { policy: 'vllm-v1', maxModelLen: 8192, enablePrefixCaching: false },
          },
        },
      },
      shared,
    );
    assert.equal(withCache.tokens.cachedPrompt, 39 * 7 * 512);
    assert.ok(withCache.prefixCache!.hitRate > 0.8);
    assert.ok(withCache.ttft!.mean < 0.5 * without.ttft!.mean);
  });

  it('disaggregated requests pay the KV transfer before their first token', () => {
    const one: Workload = {
      source: 'one',
      hashBlockTokens: 512,
      requests: [{ arrival: 0, promptTokens: 4000, outputTokens: 5 }],
    };
    const disaggregated = (bytesPerSecond: number): SimulationConfigInput => ({
      model: 'llama-3.1-8b',
      hardware: 'h100-sxm',
      deployment: {
        kind: 'disaggregated',
        prefill: { plan: plan(1), scheduler: { policy: 'vllm-v1', maxModelLen: 8192 } },
        decode: { plan: plan(1), scheduler: { policy: 'vllm-v1', maxModelLen: 8192 } },
        kvLink: { bytesPerSecond, latencySeconds: 1e-5 },
      },
    });
    const fast = simulate(disaggregated(400e9), one);
    const slow = simulate(disaggregated(1e9), one);
    const kvBytes = 4000 * 2 * 32 * 8 * 128 * 2;
    const expectedSlow = 1e-5 + kvBytes / (1e9 * 0.8);
    assert.ok(
      Math.abs(slow.kvTransfer!.mean - expectedSlow) < 1e-9,
      `${slow.kvTransfer!.mean} vs ${expectedSlow}`,
    );
    assert.ok(
      Math.abs(slow.ttft!.mean - fast.ttft!.mean - (slow.kvTransfer!.mean - fast.kvTransfer!.mean)) < 1e-9,
    );
    assert.equal(slow.requests.completed, 1);
    assert.equal(slow.tokens.output, 5);
    assert.equal(slow.gpus, 2);
  });

  it('a prefill GPU sends KV heads replicated over the decode replica’s ranks once to each', () => {
    const one: Workload = {
      source: 'one',
      hashBlockTokens: 512,
      requests: [{ arrival: 0, promptTokens: 4000, outputTokens: 5 }],
    };
    const toDecodeTp = (tp: number): SimulationConfigInput => ({
      model: 'llama-3.1-8b',
      hardware: 'h100-sxm',
      deployment: {
        kind: 'disaggregated',
        prefill: { plan: plan(1), scheduler: { policy: 'vllm-v1', maxModelLen: 8192 } },
        decode: { plan: plan(tp), scheduler: { policy: 'vllm-v1', maxModelLen: 8192 } },
        kvLink: { bytesPerSecond: 1e9, latencySeconds: 0 },
      },
    });
    // Eight KV heads: split over eight decode ranks, each head on two of sixteen.
    const split = simulate(toDecodeTp(8), one).kvTransfer!.mean;
    const replicated = simulate(toDecodeTp(16), one).kvTransfer!.mean;
    assert.ok(Math.abs(replicated / split - 2) < 1e-9, `${replicated / split}`);
  });

  it('disaggregated: the first token reaches the client with the first decode step', () => {
    const one: Workload = {
      source: 'one',
      hashBlockTokens: 512,
      requests: [{ arrival: 0, promptTokens: 2000, outputTokens: 2 }],
    };
    const summary = simulate(
      {
        model: 'llama-3.1-8b',
        hardware: 'h100-sxm',
        deployment: {
          kind: 'disaggregated',
          prefill: { plan: plan(1), scheduler: { policy: 'vllm-v1', maxModelLen: 8192 } },
          decode: { plan: plan(1), scheduler: { policy: 'vllm-v1', maxModelLen: 8192 } },
        },
      },
      one,
    );
    // Both tokens arrive together: the prefill's and the one decode step's.
    assert.ok(summary.ttft!.mean > 0);
    assert.ok(Math.abs(summary.e2e!.mean - summary.ttft!.mean) < 1e-12);
  });

  it('disaggregated: a full decode batch holds the hand-off, and the client sees it as TTFT', () => {
    const two: Workload = {
      source: 'two',
      hashBlockTokens: 512,
      requests: [
        { arrival: 0, promptTokens: 1000, outputTokens: 200 },
        { arrival: 0, promptTokens: 1000, outputTokens: 200 },
      ],
    };
    const withDecodeSlots = (maxNumSeqs: number): SimulationConfigInput => ({
      model: 'llama-3.1-8b',
      hardware: 'h100-sxm',
      deployment: {
        kind: 'disaggregated',
        prefill: { plan: plan(1), scheduler: { policy: 'vllm-v1', maxModelLen: 8192 } },
        decode: { plan: plan(1), scheduler: { policy: 'vllm-v1', maxModelLen: 8192, maxNumSeqs } },
      },
    });
    const roomy = simulate(withDecodeSlots(8), two);
    const full = simulate(withDecodeSlots(1), two);
    // With one slot the second request waits for the first one's whole decode (about 199 steps).
    const firstDecode = roomy.e2e!.min - roomy.ttft!.min;
    assert.ok(
      full.ttft!.max - roomy.ttft!.max > 0.9 * firstDecode,
      `${full.ttft!.max} vs ${roomy.ttft!.max}`,
    );
    // Each request's own decode is as fast once admitted: the wait is TTFT, not TPOT.
    assert.ok(full.tpot!.mean <= roomy.tpot!.mean * 1.01);
  });

  it('pipeline parallelism keeps several micro-batches in flight', () => {
    const pp1 = simulate(colocated('vllm-v1', {}, plan(2, 1, 1)), busy);
    const pp2 = simulate(colocated('vllm-v1', {}, plan(1, 2, 1)), busy);
    assert.equal(pp2.requests.completed, busy.requests.length);
    assert.ok(pp2.steps > 0 && pp1.steps > 0);
    // A single request cannot overlap with itself: PP adds latency per token but serves the load.
    assert.equal(pp2.tokens.output, pp1.tokens.output);
  });

  it('routes over data-parallel replicas, and prefix affinity raises cache hits', () => {
    const requests = Array.from({ length: 200 }, (_, i) => ({
      arrival: i * 0.05,
      promptTokens: 3000,
      outputTokens: 10,
      hashIds: [1000 + (i % 7), 2000 + (i % 7), 3000 + (i % 7), 4000 + (i % 7), 5000 + i],
    }));
    const w: Workload = { source: 'groups', hashBlockTokens: 512, requests };
    const run = (router: 'round-robin' | 'prefix-affinity' | 'least-outstanding' | 'least-kv') =>
      simulate(colocated('vllm-v1', { router }, plan(1, 1, 4)), w);
    const affinity = run('prefix-affinity');
    const roundRobin = run('round-robin');
    for (const s of [affinity, roundRobin, run('least-outstanding'), run('least-kv')]) {
      assert.equal(s.requests.completed, 200);
      assert.equal(s.gpus, 4);
    }
    assert.ok(affinity.prefixCache!.hitRate > roundRobin.prefixCache!.hitRate);
  });

  it('rejects requests longer than the context, and counts them as failed', () => {
    const w: Workload = {
      source: 'long',
      hashBlockTokens: 512,
      requests: [
        { arrival: 0, promptTokens: 100, outputTokens: 10 },
        { arrival: 0.1, promptTokens: 9000, outputTokens: 10 },
      ],
    };
    const s = simulate(colocated('vllm-v1'), w);
    assert.equal(s.requests.completed, 1);
    assert.equal(s.requests.failed, 1);
  });

  it('computes goodput from the SLOs', () => {
    const strict = simulate(colocated('vllm-v1', { slo: { ttft: 1e-4 } }), busy);
    const loose = simulate(colocated('vllm-v1', { slo: { ttft: 100, tpot: 10, tbt: 100, e2e: 1000 } }), busy);
    assert.equal(strict.goodput!.fraction, 0);
    assert.equal(loose.goodput!.fraction, 1);
    assert.ok(Math.abs(loose.goodput!.requestsPerSecond - loose.throughput.requestsPerSecond) < 1e-12);
  });
});

describe('step-time spread', () => {
  const base = defaultCalibration('nvidia-hopper');
  const withSpread = (spread?: number[]) =>
    colocated('vllm-v1', { calibration: spread ? { ...base, stepTimeSpread: spread } : base });

  it('a spread of ones is the plain model; a mean-one spread is seeded and lengthens the queue', () => {
    const plain = simulate(withSpread(), busy);
    assert.deepEqual(simulate(withSpread([1, 1]), busy).ttft, plain.ttft);
    const spread = spreadOf([0.2, 0.5, 0.8, 1, 1, 1.2, 1.5, 3.8]);
    assert.equal(spread.length, 8);
    assert.ok(Math.abs(spread.reduce((s, v) => s + v, 0) / spread.length - 1) < 1e-12);
    assert.ok(Math.abs(spread[7] / spread[0] - 3.8 / 0.2) < 1e-9);
    const a = simulate(withSpread(spread), busy);
    const b = simulate(withSpread(spread), busy);
    assert.deepEqual(a.ttft, b.ttft);
    assert.ok((a.ttft?.p90 ?? 0) > (plain.ttft?.p90 ?? 0), 'variation lengthens the queue');
  });

  it('the expected run averages the step-time draws of several seeds', () => {
    const spread = spreadOf([0.6, 0.7, 0.8, 0.9, 1, 1, 1.1, 2.9]);
    const config = { ...withSpread(spread), seed: 10 };
    const expected = simulateSeedMean(config, busy, 4);
    const each = [10, 11, 12, 13].map((seed) => simulate({ ...config, seed }, busy));
    const mean = (f: (s: RunSummary) => number) => each.reduce((sum, s) => sum + f(s), 0) / 4;
    assert.ok(Math.abs(expected.ttft!.mean - mean((s) => s.ttft!.mean)) < 1e-12);
    assert.ok(Math.abs(expected.tpot!.p90 - mean((s) => s.tpot!.p90)) < 1e-12);
    assert.ok(
      Math.abs(expected.throughput.outputTokensPerSecond - mean((s) => s.throughput.outputTokensPerSecond)) <
        1e-9,
    );
    assert.equal(expected.requests.completed, busy.requests.length, 'counts are one run’s, not four');
    assert.equal(expected.ttft!.count, busy.requests.length);
    assert.ok(new Set(each.map((s) => s.ttft!.mean)).size > 1, 'the seeds drew different step times');
    assert.match(expected.label, /mean of 4 seeds/);
    RunSummary.parse(expected);
  });

  it('slow spells that last (persistence) lengthen the queue more than the same slow steps scattered', () => {
    const spread = spreadOf([0.6, 0.7, 0.8, 0.9, 1, 1, 1.1, 2.9]);
    const scattered = simulate(withSpread(spread), busy);
    const none = simulate(
      colocated('vllm-v1', {
        calibration: { ...base, stepTimeSpread: spread, stepTimeSpreadPersistence: 0 },
      }),
      busy,
    );
    assert.deepEqual(none.ttft, scattered.ttft, 'persistence 0 is the scattered draw, step for step');
    const lasting = simulate(
      colocated('vllm-v1', {
        calibration: { ...base, stepTimeSpread: spread, stepTimeSpreadPersistence: 0.95 },
      }),
      busy,
    );
    assert.ok(
      (lasting.queueing?.mean ?? 0) > (scattered.queueing?.mean ?? 0),
      'lasting slow spells queue more',
    );
  });
});
