import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latencyText, sloTargetsText } from '../../../../src/engine/search/format.js';
import { latencyFrontRows, throughputFrontRows } from '../../../../src/engine/search/front-rows.js';
import {
  type SearchConfiguration,
  type SearchResult,
  searchServing,
} from '../../../../src/engine/search/run.js';
import { Slo } from '../../../../src/engine/search/schema.js';

const search = searchServing({
  model: 'llama-3.1-8b',
  hardware: 'l40s',
  gpus: 2,
  workload: 'poisson:rate=6,prompt=lognormal(768,0.6),output=lognormal(160,0.6),n=240',
  slo: Slo.parse({ ttft: 1.5, tbt: 0.06, form: 'percentile' }),
  sampleRequests: 240,
  threads: 0,
});

/** `base` with `c` set to a point of its own, as a copy under a new id. */
function withPoint(c: SearchConfiguration, id: string, ttft: number, tbt: number): SearchConfiguration {
  const copy = structuredClone(c);
  copy.id = id;
  copy.best = false;
  copy.maxRateUnderSlo = null;
  copy.metrics.ttft.p90 = ttft;
  copy.metrics.tbt.p90 = tbt;
  return copy;
}

describe('the fronts as tables show', () => {
  it('every configuration of a real search front once, in the order the front runs', async () => {
    const result = await search;
    for (const [rows, ids] of [
      [latencyFrontRows(result), result.fronts.latency],
      [throughputFrontRows(result), result.fronts.throughput],
    ] as const) {
      assert.ok(rows.length > 0);
      assert.equal(
        rows.reduce((n, r) => n + 1 + r.sameResult, 0),
        ids.length,
      );
    }
    const ttfts = latencyFrontRows(result).map((r) => r.configuration.metrics.ttft.p90);
    const tbts = latencyFrontRows(result).map((r) => r.configuration.metrics.tbt.p90);
    for (let i = 1; i < ttfts.length; i++) {
      assert.ok(ttfts[i] >= ttfts[i - 1], 'lowest TTFT first');
      assert.ok(tbts[i] < tbts[i - 1], 'and a later row only for a lower TBT');
    }
    const perGpu = throughputFrontRows(result).map((r) => r.configuration.metricsAtMaxRate!.throughputPerGpu);
    for (let i = 1; i < perGpu.length; i++)
      assert.ok(perGpu[i] <= perGpu[i - 1], 'most tokens per GPU first');
  });

  it('one row for configurations with the same point, showing the best, else one whose rate was searched', async () => {
    const real = await search;
    const base = real.configurations[0];
    const first = withPoint(base, 'first', 0.5, 0.02);
    const searched = { ...withPoint(base, 'searched', 0.5, 0.02), maxRateUnderSlo: 7 };
    const best = { ...withPoint(base, 'best', 0.3, 0.03), best: true };
    const beforeBest = withPoint(base, 'before-best', 0.3, 0.03);
    const fast = withPoint(base, 'fast', 0.2, 0.05);
    const result: SearchResult = {
      ...real,
      configurations: [first, searched, beforeBest, best, fast],
      fronts: { latency: ['first', 'searched', 'before-best', 'best', 'fast'], throughput: [] },
    };
    const rows = latencyFrontRows(result);
    assert.deepEqual(
      rows.map((r) => [r.configuration.id, r.sameResult]),
      [
        ['fast', 0],
        ['best', 1],
        ['searched', 1],
      ],
    );
    assert.deepEqual(throughputFrontRows(result), []);
  });

  it('latencies with three significant digits, so close points still differ', () => {
    assert.equal(latencyText(0.02549), '25.5 ms');
    assert.equal(latencyText(0.0254), '25.4 ms');
    assert.equal(latencyText(0.932), '932 ms');
    assert.equal(latencyText(0.9996), '1.00 s');
    assert.equal(latencyText(2.5), '2.50 s');
    assert.equal(latencyText(0.0045), '4.50 ms');
  });

  it('an SLO in the words of its definition', () => {
    assert.equal(
      sloTargetsText(Slo.parse({ ttft: 2, tbt: 0.1 })),
      '90% of requests within TTFT 2 s and p90 token gap 100 ms',
    );
    assert.equal(
      sloTargetsText(Slo.parse({ ttft: 0.5, tbt: 0.04, tpot: 0.025, form: 'percentile', percentile: 'p99' })),
      'p99 over all requests: TTFT 500 ms, TPOT 25 ms, TBT 40 ms',
    );
  });
});
