import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { searchChartModel } from '../../../../src/engine/chart/search-chart.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import type { SearchResult } from '../../../../src/engine/search/run.js';
import { type Candidate, type EvaluationMetrics, Slo } from '../../../../src/engine/search/schema.js';
import {
  type EvaluationTask,
  type Evaluator,
  runSearch,
  type SearchRequest,
} from '../../../../src/engine/search/search.js';

const zero = { mean: 0, p50: 0, p90: 0, p99: 0 };
const infeasibleMetrics = (rate: number): EvaluationMetrics => ({
  rate,
  ttft: zero,
  tbt: zero,
  tpot: zero,
  e2e: zero,
  throughputPerGpu: 0,
  speedPerUser: 0,
  requestThroughput: 0,
  goodput: 0,
  attainment: 0,
  preemptions: 0,
  stable: false,
});

/** Candidates on one GPU per replica (TP1) cannot hold a sequence: the simulator returns zeros for them. */
const infeasible = (c: Candidate) => c.kind === 'colocated' && c.pool.plan.tp === 1;

class Evaluating implements Evaluator {
  async evaluate(tasks: readonly EvaluationTask[]): Promise<EvaluationMetrics[]> {
    return tasks.map((task) => {
      if (!('rate' in task)) throw new Error('open loop only');
      const { candidate, rate } = task;
      if (candidate.kind !== 'colocated') throw new Error('colocated only');
      if (infeasible(candidate)) return infeasibleMetrics(rate);
      const tp = candidate.pool.plan.tp;
      const knobs = candidate.pool.knobs;
      const tbt = (0.03 / tp) * (1 + knobs.maxNumBatchedTokens / 8192);
      const ttft = 0.2 * Math.sqrt(8192 / knobs.maxNumBatchedTokens) * (1 + rate / 10);
      const dist = (x: number) => ({ mean: x, p50: x, p90: x * 1.3, p99: x * 1.8 });
      return {
        rate,
        ttft: dist(ttft),
        tbt: dist(tbt),
        tpot: dist(tbt),
        e2e: dist(ttft + 200 * tbt),
        throughputPerGpu: (rate * 200) / 8,
        speedPerUser: 1 / tbt,
        requestThroughput: rate,
        goodput: rate,
        attainment: 1,
        preemptions: 0,
        stable: rate < 10 * tp,
      };
    });
  }
}

const request: SearchRequest = {
  model: getModel('llama-3.1-8b'),
  hardware: getHardware('h100-sxm'),
  gpus: 8,
  engine: 'vllm',
  rate: 2,
  slo: Slo.parse({ ttft: 2, tbt: 0.1, form: 'percentile', percentile: 'p90' }),
  maxSequenceTokens: 8192,
  allowQuantization: false,
  disaggregation: false,
};

describe('infeasible configurations', () => {
  it('are never on a front, though their zero latencies would beat every other', async () => {
    const outcome = await runSearch({ ...request, refineRounds: 0 }, new Evaluating());
    const byId = new Map(outcome.configurations.map((c) => [c.id, c]));
    assert.ok(
      outcome.configurations.some((c) => infeasible(c.candidate)),
      'some were evaluated',
    );
    for (const id of [...outcome.frontLatency, ...outcome.frontThroughput])
      assert.ok(!infeasible(byId.get(id)!.candidate), `${id} is on a front`);
    assert.ok(outcome.frontLatency.length > 0, 'the feasible ones still make a latency front');
  });

  it('stay off the chart’s latency axes (log scales), and the chart still draws the latency fronts', async () => {
    const outcome = await runSearch({ ...request, refineRounds: 0 }, new Evaluating());
    const result = {
      slo: request.slo,
      workload: { source: 'test', requests: 100, rate: 2, maxSequenceTokens: 8192 },
      modelName: 'Llama',
      gpus: 8,
      hardware: 'h100-sxm',
      engine: 'vllm',
      best: outcome.best,
      fronts: { latency: outcome.frontLatency, throughput: outcome.frontThroughput },
      configurations: outcome.configurations.map((c) => ({ ...c, label: c.id, settings: null })),
    } as unknown as SearchResult;
    const chart = searchChartModel(result);
    for (const point of chart.points) {
      const c = outcome.configurations.find((x) => x.id === point.id)!;
      if (infeasible(c.candidate)) {
        assert.equal(point.metrics.ttft_p90_s, undefined);
        assert.deepEqual(point.fronts, []);
      }
    }
    for (const p of ['p50', 'p90', 'p99'])
      assert.ok(
        chart.points.some((x) => x.fronts.includes(`latency-${p}`)),
        `latency-${p} has a front`,
      );
  });
});
