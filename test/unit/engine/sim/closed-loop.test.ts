import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENGINE_FRONTEND_SECONDS } from '../../../../src/engine/perf/serving-engine.js';
import type { ClientModel } from '../../../../src/engine/sim/client-model.js';
import { type ClosedLoopOptions, closedLoopClient } from '../../../../src/engine/sim/closed-loop.js';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import type { FinishedRequestTimes } from '../../../../src/engine/sim/request-metrics.js';
import { type SimulateOptions, simulate } from '../../../../src/engine/sim/simulate.js';
import { RunSummary } from '../../../../src/engine/sim/summary.js';
import { generateWorkload, parseWorkloadSpec } from '../../../../src/engine/workload/spec.js';
import type { Workload } from '../../../../src/engine/workload/types.js';
import { peakInFlight } from '../../helpers/in-flight.js';

const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };
const colocated = (dp = 1): SimulationConfigInput => ({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  deployment: {
    kind: 'colocated',
    pool: { plan: { ...plan, dp }, scheduler: { policy: 'vllm-v1', maxModelLen: 8192 } },
  },
});
const disaggregated: SimulationConfigInput = {
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  deployment: {
    kind: 'disaggregated',
    prefill: { plan, scheduler: { policy: 'vllm-v1', maxModelLen: 8192 } },
    decode: { plan: { ...plan, dp: 2 }, scheduler: { policy: 'vllm-v1', maxModelLen: 8192 } },
  },
};
const workload = (spec: string, seed = 1) => generateWorkload(parseWorkloadSpec(spec), seed, spec);
const mixed = workload('poisson:rate=50,prompt=lognormal(600,0.8),output=lognormal(120,0.8),n=300,max=4000');

/** What the client saw: every settle's time, and the finished requests (send time as `arrival`). */
interface Recorded {
  settles: number[];
  finished: FinishedRequestTimes[];
}

/** A closed-loop client that records what the simulator's core tells it. */
function recording(options: ClosedLoopOptions): { client: ClientModel; recorded: Recorded } {
  const inner = closedLoopClient(options);
  const recorded: Recorded = { settles: [], finished: [] };
  const client: ClientModel = {
    arrivalOrder: (requests) => inner.arrivalOrder(requests),
    startRun: (seed, requests) => {
      const run = inner.startRun(seed, requests);
      return {
        dueTime: (index, arrival) => run.dueTime(index, arrival),
        settled: (now, arrived) => {
          recorded.settles.push(now);
          run.settled(now, arrived);
        },
        sentAt: (replica, due) => run.sentAt(replica, due),
        seen: (finished) => {
          recorded.finished = [...finished];
          return run.seen(finished);
        },
      };
    },
  };
  return { client, recorded };
}

/** The most requests sent and not finished at any instant. */
function peakOf(finished: readonly FinishedRequestTimes[]): number {
  return peakInFlight(finished.map((r) => ({ start: r.arrival, end: r.finish })));
}

function run(
  config: SimulationConfigInput,
  w: Workload,
  loop: ClosedLoopOptions,
  options: SimulateOptions = {},
): { summary: RunSummary; recorded: Recorded } {
  const { client, recorded } = recording(loop);
  return { summary: simulate(config, w, { ...options, client }), recorded };
}

describe('closed-loop replay', () => {
  for (const concurrency of [1, 4, 32]) {
    it(`concurrency ${concurrency}: never more in flight, and each send is a settle's instant`, () => {
      const { summary, recorded } = run(colocated(), mixed, { concurrency });
      assert.equal(summary.requests.completed, mixed.requests.length);
      const finished = recorded.finished;
      assert.equal(peakOf(finished), concurrency, 'the concurrency is reached and never passed');
      const sends = finished.map((r) => r.arrival).sort((a, b) => a - b);
      assert.deepEqual(sends.slice(0, concurrency), new Array(concurrency).fill(0), 'the first sent at 0');
      // Every later send happens at a settle, in the order they settled: the i-th after the first
      // `concurrency` is sent as the i-th settles.
      assert.deepEqual(sends.slice(concurrency), recorded.settles.slice(0, sends.length - concurrency));
    });
  }

  it('concurrency 1: strictly sequential, each request sent as the one before finishes', () => {
    const { recorded } = run(colocated(), mixed, { concurrency: 1 });
    const byArrival = [...recorded.finished].sort((a, b) => a.arrival - b.arrival);
    assert.equal(byArrival[0].arrival, 0);
    for (let i = 1; i < byArrival.length; i++) {
      assert.equal(byArrival[i].arrival, byArrival[i - 1].finish, `request ${i}`);
      assert.ok(byArrival[i].finish > byArrival[i].arrival);
    }
  });

  it('a think time delays each next send by that much', () => {
    const { recorded } = run(colocated(), mixed, { concurrency: 4, thinkSeconds: 0.25 });
    const sends = recorded.finished.map((r) => r.arrival).sort((a, b) => a - b);
    const expected = recorded.settles.slice(0, sends.length - 4).map((t) => t + 0.25);
    sends.slice(4).forEach((send, i) => {
      assert.ok(Math.abs(send - expected[i]) < 1e-9, `send ${i + 4} at ${send}, expected ${expected[i]}`);
    });
    assert.ok(peakOf(recorded.finished) <= 4);
  });

  it('a warm-up phase: the measured requests wait for its last to settle, then go all at once', () => {
    const w = workload('constant:rate=1000,prompt=uniform(100,900),output=uniform(8,120),n=64');
    const phase = 16;
    const { summary, recorded } = run(colocated(), w, { concurrency: 4, warmUpPhase: phase });
    assert.equal(summary.requests.completed, 64);
    const bySend = [...recorded.finished].sort((a, b) => a.arrival - b.arrival);
    const warmUpEnd = recorded.settles[phase - 1];
    // The phase's last request settles with nothing else in flight, and all four clients send then.
    assert.ok(bySend.slice(0, phase).every((r) => r.finish <= warmUpEnd));
    assert.deepEqual(
      bySend.slice(phase, phase + 4).map((r) => r.arrival),
      [warmUpEnd, warmUpEnd, warmUpEnd, warmUpEnd],
    );
    assert.ok(bySend.slice(phase).every((r) => r.arrival >= warmUpEnd));
    assert.equal(peakOf(recorded.finished), 4);
    // Without the phase the next request goes as the first warm-up request settles, before its end.
    const loop = run(colocated(), w, { concurrency: 4 }).recorded;
    const sends = loop.finished.map((r) => r.arrival).sort((a, b) => a - b);
    assert.ok(sends[phase] < loop.settles[phase - 1]);
    assert.throws(() => closedLoopClient({ concurrency: 4, warmUpPhase: 1.5 }), /whole number/);
  });

  it('a front-end latency adds to every TTFT and E2E and leaves the engine serving as before', () => {
    const plain = run(colocated(), mixed, { concurrency: 8 });
    const fronted = run(colocated(), mixed, { concurrency: 8, frontendSeconds: 0.05 });
    const mean = (r: typeof plain, key: 'ttft' | 'e2e' | 'tpot') => r.summary[key]?.mean ?? 0;
    assert.ok(Math.abs(mean(fronted, 'ttft') - mean(plain, 'ttft') - 0.05) < 1e-6);
    assert.ok(Math.abs(mean(fronted, 'e2e') - mean(plain, 'e2e') - 0.05) < 1e-6);
    assert.ok(Math.abs(mean(fronted, 'tpot') - mean(plain, 'tpot')) < 1e-9);
    assert.equal(fronted.summary.requests.completed, plain.summary.requests.completed);
  });

  it('simulate takes the front-end latency of the serving engine named unless one is given', () => {
    const w = workload('constant:rate=1000,prompt=fixed(512),output=fixed(16),n=8');
    const at = (frontendSeconds?: number) =>
      simulate({ ...colocated(), engine: { id: 'vllm' } }, w, {
        closedLoop: { concurrency: 1, ...(frontendSeconds === undefined ? {} : { frontendSeconds }) },
      }).ttft?.mean ?? 0;
    const zero = at(0);
    assert.ok(Math.abs(at() - zero - ENGINE_FRONTEND_SECONDS.vllm) < 1e-6);
    assert.ok(Math.abs(at(0.1) - zero - 0.1) < 1e-6);
  });

  it('disaggregated and with replicas: the bound holds across pools and the KV transfer', () => {
    for (const config of [disaggregated, colocated(3)]) {
      const { summary, recorded } = run(config, mixed, { concurrency: 16 });
      assert.equal(summary.requests.completed, mixed.requests.length);
      assert.equal(peakOf(recorded.finished), 16);
    }
  });

  it("ignores the workload's arrival times and keeps its order and lengths", () => {
    const slow = workload('poisson:rate=0.01,prompt=fixed(300),output=uniform(10,90),n=40');
    const { summary, recorded } = run(colocated(), slow, { concurrency: 8 });
    // At 0.01 req/s open loop, 40 requests would span about an hour; closed loop they take seconds.
    assert.ok(summary.simulatedSeconds < 60, `${summary.simulatedSeconds} s`);
    const bySend = [...recorded.finished].sort((a, b) => a.arrival - b.arrival);
    assert.deepEqual(
      bySend.slice(8).map((r) => r.outputTokens),
      slow.requests.slice(8).map((r) => r.outputTokens),
      'sent in the workload order',
    );
  });

  it('a failed request frees its place at once', () => {
    const w: Workload = {
      source: 'some too long',
      hashBlockTokens: 512,
      requests: Array.from({ length: 30 }, (_, i) => ({
        arrival: i,
        promptTokens: i % 3 === 0 ? 20000 : 200,
        outputTokens: 20,
      })),
    };
    const { summary, recorded } = run(colocated(), w, { concurrency: 2 });
    assert.equal(summary.requests.failed, 10);
    assert.equal(summary.requests.completed, 20);
    assert.ok(peakOf(recorded.finished) <= 2);
  });

  it('simulate({ closedLoop }) records the loop in the summary; open loop records nothing', () => {
    const closed = simulate(colocated(), mixed, { closedLoop: { concurrency: 16 } });
    assert.deepEqual(closed.load, { mode: 'closed', concurrency: 16, thinkSeconds: 0 });
    assert.equal(closed.requests.completed, mixed.requests.length);
    RunSummary.parse(closed);
    const open = simulate(colocated(), mixed);
    assert.equal('load' in open, false);
    const recorded = run(colocated(), mixed, { concurrency: 16 }).summary;
    assert.deepEqual({ ...recorded, load: closed.load, wallSeconds: 0 }, { ...closed, wallSeconds: 0 });
    assert.throws(
      () =>
        simulate(colocated(), mixed, {
          closedLoop: { concurrency: 4 },
          client: recording({ concurrency: 4 }).client,
        }),
      /give `closedLoop` or `client`/,
    );
    assert.throws(() => simulate(colocated(), mixed, { closedLoop: { concurrency: 0 } }), /positive integer/);
  });

  it('a think time past a day is refused: the clock would lose the step times', () => {
    for (const thinkSeconds of [1e300, Number.POSITIVE_INFINITY, Number.NaN, -1, 86_401])
      assert.throws(
        () => closedLoopClient({ concurrency: 8, thinkSeconds }),
        /think time must be 0 to 86400/,
      );
    const day = run(colocated(), workload('constant:rate=100,prompt=fixed(128),output=fixed(16),n=16'), {
      concurrency: 8,
      thinkSeconds: 86_400,
    });
    assert.ok(
      (day.summary.ttft?.min ?? 0) > 0,
      'every TTFT still counts its prefill after a day of thinking',
    );
  });

  it('more clients serve more requests per second, each more slowly', () => {
    const at = (concurrency: number) => simulate(colocated(), mixed, { closedLoop: { concurrency } });
    const one = at(1);
    const many = at(32);
    assert.ok(many.throughput.requestsPerSecond > 5 * one.throughput.requestsPerSecond);
    assert.ok(many.tpot!.mean > one.tpot!.mean);
    // Alone, a request never queues: its TTFT is its prefill.
    assert.ok(one.queueing!.max < 1e-9);
  });
});

describe('warm-up', () => {
  it('leaves out the requests finished by the K-th completion and the time until it', () => {
    const w = workload('constant:rate=1,prompt=fixed(512),output=fixed(64),n=64');
    const all = simulate(colocated(), w, { closedLoop: { concurrency: 4 } });
    const warm = simulate(colocated(), w, { closedLoop: { concurrency: 4 }, warmUpRequests: 8 });
    assert.deepEqual(warm.load, { mode: 'closed', concurrency: 4, thinkSeconds: 0, warmUpRequests: 8 });
    // Four identical requests run nearly in lockstep (the first alone in the first step, one step
    // ahead): the 8th completion ends the second round, which leaves out exactly the first two rounds,
    // and every later request's first token, so all its gaps, come after it.
    assert.equal(warm.requests.completed, 64, 'the counts cover the whole run');
    assert.equal(warm.ttft!.count, 56);
    assert.equal(warm.tokens.output, 56 * 64);
    assert.equal(warm.itl!.count, 56 * 63, 'the gaps of the rounds after the warm-up');
    assert.ok(warm.simulatedSeconds < all.simulatedSeconds * (56 / 64) + 1e-9);
    // The first round's TTFT carries the start-up (four prefills at once); the rest the steady state.
    assert.ok(warm.ttft!.max <= all.ttft!.max);
    const rate = (s: RunSummary) => s.throughput.requestsPerSecond;
    assert.ok(Math.abs(rate(warm) - rate(all)) / rate(all) < 0.05, `${rate(warm)} vs ${rate(all)}`);
  });

  it('run as a phase: recorded, and the measured window holds exactly the requests after it', () => {
    const w = workload('constant:rate=1,prompt=fixed(512),output=fixed(64),n=64');
    const phased = simulate(colocated(), w, {
      closedLoop: { concurrency: 4, warmUpPhase: 8 },
      warmUpRequests: 8,
    });
    assert.deepEqual(phased.load, {
      mode: 'closed',
      concurrency: 4,
      thinkSeconds: 0,
      warmUpRequests: 8,
      warmUpPhase: true,
    });
    assert.equal(phased.ttft!.count, 56);
    assert.equal(phased.itl!.count, 56 * 63);
  });

  it('works open loop too, and a warm-up longer than the run leaves nothing measured', () => {
    const open = simulate(colocated(), mixed, { warmUpRequests: 100 });
    assert.deepEqual(open.load, { mode: 'open', warmUpRequests: 100 });
    assert.ok(open.ttft!.count <= mixed.requests.length - 100);
    assert.ok(open.ttft!.count >= mixed.requests.length - 120);
    const none = simulate(colocated(), mixed, { warmUpRequests: 1000 });
    assert.equal(none.ttft, null);
    assert.equal(none.itl, null);
    assert.equal(none.throughput.requestsPerSecond, 0);
    assert.equal(none.requests.completed, mixed.requests.length);
    assert.throws(() => simulate(colocated(), mixed, { warmUpRequests: 1.5 }), /whole number/);
  });
});
