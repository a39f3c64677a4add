import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { memoryReport } from '../../../../src/engine/memory/model.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { maxRatesUnderSlo } from '../../../../src/engine/search/rate.js';
import { loadSearchSample } from '../../../../src/engine/search/run.js';
import { type Candidate, type EvaluationMetrics, Slo } from '../../../../src/engine/search/schema.js';
import {
  type EvaluationTask,
  type Evaluator,
  runSearch,
  type SearchRequest,
} from '../../../../src/engine/search/search.js';
import { colocatedCandidates, feasibleReplicaShapes } from '../../../../src/engine/search/space.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { paretoFront2d, paretoFrontBrute } from '../../../../src/engine/util/pareto.js';
import { everyColocatedCandidate } from '../../helpers/brute-force.js';

/** A small seeded PRNG for test data (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Pareto fronts', () => {
  it('the O(n log n) 2-D front equals the brute-force front on random points', () => {
    const random = prng(7);
    for (let trial = 0; trial < 50; trial++) {
      const points = Array.from(
        { length: 40 },
        () => [Math.round(random() * 20), Math.round(random() * 20)] as const,
      );
      for (const senses of [
        ['min', 'min'],
        ['max', 'max'],
        ['min', 'max'],
      ] as const) {
        assert.deepEqual(
          paretoFront2d(points, senses),
          paretoFrontBrute(points, senses),
          JSON.stringify({ points, senses }),
        );
      }
    }
  });
});

describe('max-rate search', () => {
  it('brackets each threshold within the precision, in parallel rounds', async () => {
    const thresholds = [0.3, 1, 5.5, 40, 0.001];
    const rounds: number[] = [];
    const rates = await maxRatesUnderSlo(
      thresholds.length,
      async (round) => {
        rounds.push(round.length);
        return round.map(({ index, rate }) => ({ holds: rate <= thresholds[index], payload: rate }));
      },
      { start: 1, precision: 0.05, maxSteps: 6 },
    );
    for (let i = 0; i < 4; i++) {
      const { rate, payload } = rates[i];
      assert.ok(rate! <= thresholds[i] && rate! >= thresholds[i] / 1.05, `${rate} vs ${thresholds[i]}`);
      // The payload is what the evaluation at the returned rate gave.
      assert.equal(payload, rate);
    }
    // 0.001 is below 1 / 2^6: never held within the steps allowed.
    assert.deepEqual(rates[4], { rate: null, payload: null });
    assert.equal(rounds[0], thresholds.length);
  });
});

/**
 * A closed-form stand-in for the simulator, smooth and monotone in the rate, so that search logic can be
 * checked against brute force exactly: more TP speeds steps, bigger chunks lower TTFT but raise TBT,
 * more sequences raise capacity until the KV cache caps them.
 */
class AnalyticEvaluator implements Evaluator {
  calls = 0;
  constructor(private readonly kvTokens: (c: Candidate) => number) {}
  async evaluate(tasks: readonly EvaluationTask[]): Promise<EvaluationMetrics[]> {
    this.calls += tasks.length;
    return tasks.map((task) => {
      if (!('rate' in task)) throw new Error('open loop only');
      const { candidate, rate } = task;
      if (candidate.kind !== 'colocated') throw new Error('colocated only');
      const { plan, knobs } = candidate.pool;
      const step = (0.02 * 8) / (plan.tp * (plan.pp === 1 ? 1 : 0.8));
      const tbt =
        step *
        (1 + knobs.maxNumBatchedTokens / 8192) *
        (knobs.chunkedPrefill ? 1 : 1.6) *
        (1 + knobs.maxNumSeqs / 2048);
      const concurrency = Math.min(knobs.maxNumSeqs, this.kvTokens(candidate) / plan.dp / 1500);
      const capacity = (plan.dp * concurrency) / (250 * tbt);
      const rho = rate / capacity;
      const stable = rho < 0.98;
      const queue = stable ? 1 / (1 - rho) : 1e3;
      const ttft = step * 6 * Math.sqrt(8192 / knobs.maxNumBatchedTokens) * queue;
      const dist = (x: number) => ({ mean: x, p50: x, p90: x * 1.3, p99: x * 1.8 });
      return {
        rate,
        ttft: dist(ttft),
        tbt: dist(tbt),
        tpot: dist(tbt),
        e2e: dist(ttft + 250 * tbt),
        throughputPerGpu: (Math.min(rate, capacity) * 250) / (plan.tp * plan.pp * plan.dp),
        speedPerUser: 1 / tbt,
        requestThroughput: Math.min(rate, capacity),
        goodput: stable && ttft * 1.3 <= 2 && tbt * 1.3 <= 0.1 ? rate : 0,
        attainment: stable && ttft * 1.3 <= 2 && tbt * 1.3 <= 0.1 ? 1 : 0,
        preemptions: 0,
        stable,
      };
    });
  }
}

const model = getModel('llama-3.1-70b');
const hardware = getHardware('h100-sxm');
const request: SearchRequest = {
  model,
  hardware,
  gpus: 8,
  engine: 'vllm',
  rate: 2,
  slo: Slo.parse({ ttft: 2, tbt: 0.1, form: 'percentile' }),
  maxSequenceTokens: 8192,
  allowQuantization: false,
  disaggregation: false,
};
const kvTokens = (c: Candidate) => {
  if (c.kind !== 'colocated') return 0;
  const r = memoryReport(model, hardware, c.pool.plan, {
    gpuMemoryUtilization: c.pool.knobs.gpuMemoryUtilization,
    maxNumBatchedTokens: c.pool.knobs.maxNumBatchedTokens,
    maxNumSeqs: c.pool.knobs.maxNumSeqs,
    contextLength: 8192,
  });
  return r.cluster.kvCapacityTokens;
};

describe('search space', () => {
  it('prunes by divisibility and memory, with reasons, and keeps every plan that fits', () => {
    const { shapes, pruned } = feasibleReplicaShapes(request, 8);
    const kept = shapes.map((s) => `${s.tp}x${s.pp}`).sort();
    // 70B in bf16 needs at least 2 GPUs' memory (131 GiB of weights); every TP×PP with ≥ 2 GPUs fits.
    assert.deepEqual(kept, ['1x2', '1x4', '1x8', '2x1', '2x2', '2x4', '4x1', '4x2', '8x1']);
    assert.ok(pruned.some((p) => p.reason === 'memory' && /TP1 /.test(p.what)));
    for (const c of colocatedCandidates(request, shapes)) {
      assert.equal(c.kind, 'colocated');
      if (c.kind === 'colocated') assert.equal(c.pool.plan.tp * c.pool.plan.pp * c.pool.plan.dp, 8);
    }
  });
});

describe('plan search with an analytic evaluator', () => {
  it('every configuration it reports fits in memory, and exactly one is best', async () => {
    const outcome = await runSearch(request, new AnalyticEvaluator(kvTokens));
    for (const c of outcome.configurations) {
      assert.equal(c.candidate.kind, 'colocated');
      if (c.candidate.kind === 'colocated') {
        const r = memoryReport(model, hardware, c.candidate.pool.plan, {
          gpuMemoryUtilization: c.candidate.pool.knobs.gpuMemoryUtilization,
          maxNumBatchedTokens: c.candidate.pool.knobs.maxNumBatchedTokens,
          maxNumSeqs: c.candidate.pool.knobs.maxNumSeqs,
          contextLength: 8192,
        });
        assert.ok(r.fits, c.id);
      }
    }
    assert.equal(outcome.configurations.filter((c) => c.best).length, 1);
    assert.ok(outcome.frontLatency.length > 0 && outcome.frontThroughput.length > 0);
  });

  it('dominance pruning keeps the same best and fronts as searching every rate', async () => {
    const pruned = new AnalyticEvaluator(kvTokens);
    const full = new AnalyticEvaluator(kvTokens);
    // The same configurations evaluated (no refinement), so only the max-rate pruning differs.
    const a = await runSearch({ ...request, refineRounds: 0 }, pruned);
    const b = await runSearch({ ...request, refineRounds: 0, pruneDominated: false }, full);
    assert.equal(a.best, b.best);
    assert.deepEqual(a.frontLatency, b.frontLatency);
    assert.deepEqual(a.frontThroughput, b.frontThroughput);
    assert.ok(a.pruned.some((p) => p.reason === 'dominated'));
    assert.ok(pruned.calls < full.calls, `${pruned.calls} vs ${full.calls}`);
  });

  it('coarse-to-fine finds the same best as brute force over the whole knob grid', async () => {
    const evaluator = new AnalyticEvaluator(kvTokens);
    const outcome = await runSearch(request, evaluator);
    // Brute force: every feasible plan × every fine knob value, each with its max rate.
    const { shapes } = feasibleReplicaShapes(request, 8);
    const all = everyColocatedCandidate(shapes, 8);
    const brute = new AnalyticEvaluator(kvTokens);
    const atRate = await brute.evaluate(all.map((candidate) => ({ candidate, rate: request.rate })));
    const meeting = all.filter(
      (_, i) => atRate[i].stable && atRate[i].ttft.p90 <= 2 && atRate[i].tbt.p90 <= 0.1,
    );
    const rates = await maxRatesUnderSlo(
      meeting.length,
      async (round) => {
        const m = await brute.evaluate(round.map(({ index, rate }) => ({ candidate: meeting[index], rate })));
        return m.map((x) => ({ holds: x.stable && x.ttft.p90 <= 2 && x.tbt.p90 <= 0.1, payload: undefined }));
      },
      { start: request.rate, precision: 0.05, maxSteps: 6 },
    );
    const bestRate = Math.max(...rates.map((r) => r.rate ?? 0));
    const found = outcome.configurations.find((c) => c.best)!;
    // The search's best sustains the brute-force optimum's rate (to the bisection's precision).
    assert.ok(found.maxRateUnderSlo! >= bestRate / 1.05, `${found.maxRateUnderSlo} vs ${bestRate}`);
    assert.ok(evaluator.calls < brute.calls, `${evaluator.calls} vs ${brute.calls}`);
  });
});

describe('the sample a search or a tune simulates', () => {
  const model = { name: 'a 4k model', maxContextLength: 4096 };
  const sample = (workload: string, rate?: number, sampleRequests = 50) =>
    loadSearchSample({ workload, sampleRequests, seed: 1, rate }, model);

  it('keeps the first requests, their rate and the context the engines are set to', () => {
    const { workload, rate, maxSequenceTokens, maxModelLen } = sample(
      'poisson:rate=3,prompt=fixed(1000),output=fixed(500)',
    );
    assert.equal(workload.requests.length, 50);
    assert.ok(rate > 1 && rate < 6, `rate ${rate}`);
    assert.equal(maxSequenceTokens, 1500);
    assert.equal(maxModelLen, 2048);
    assert.equal(sample('poisson:rate=3,prompt=fixed(1000),output=fixed(500)', 7).rate, 7);
  });

  it('refuses a request longer than the context, and a workload with no rate, naming the flag', () => {
    const refused = (workload: string, where: string, message: RegExp, sampleRequests?: number) =>
      assert.throws(
        () => sample(workload, undefined, sampleRequests),
        (error: unknown) => isServeTuneError(error) && error.where === where && message.test(error.message),
      );
    refused(
      'poisson:rate=3,prompt=fixed(4000),output=fixed(200)',
      '--workload',
      /4200 tokens, longer than a 4k model's context of 4096/,
    );
    // One request has no arrival rate of its own.
    refused('constant:rate=3,prompt=fixed(10),output=fixed(10)', '--rate', /no arrival rate/, 1);
  });
});
