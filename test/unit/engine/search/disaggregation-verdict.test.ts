import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainDisaggregation } from '../../../../src/engine/search/disaggregation-verdict.js';
import { searchServing } from '../../../../src/engine/search/run.js';
import { smallSearchInput } from '../../helpers/small-search.js';

describe('whether to disaggregate (search --disaggregation)', () => {
  it('compares the best split with the best colocated configuration, and says which was chosen', async () => {
    const input = smallSearchInput('constant:rate=2,prompt=fixed(768),output=fixed(64),n=120', 120);
    const result = await searchServing({ ...input, disaggregation: true });
    const best = result.configurations.find((c) => c.best);
    assert.ok(best, 'a configuration meets this SLO');
    const verdict = result.disaggregation ?? '';
    const chosen = best.candidate.kind === 'disaggregated';
    assert.match(verdict, chosen ? /^disaggregation chosen: / : /^disaggregation not chosen: /);
    assert.match(verdict, /the best disaggregated configuration, prefill .* \| decode .*, serves /);
    assert.match(verdict, /, against [\d.]+ req\/s under the SLOs .* for the best colocated, TP/);
    // Asked nothing about disaggregation, the result says nothing of it.
    assert.equal((await searchServing(input)).disaggregation, undefined);
  });

  it('says neither meets the SLOs when none does, and still compares the two', () => {
    const metrics = (attainment: number) => ({
      rate: 1,
      ttft: { mean: 20, p50: 20, p90: 30, p99: 40 },
      tbt: { mean: 0.02, p50: 0.02, p90: 0.03, p99: 0.04 },
      tpot: { mean: 0.02, p50: 0.02, p90: 0.03, p99: 0.04 },
      e2e: { mean: 30, p50: 30, p90: 40, p99: 50 },
      throughputPerGpu: 10,
      totalThroughputPerGpu: 100,
      speedPerUser: 50,
      requestThroughput: 1,
      goodput: 0,
      attainment,
      preemptions: 0,
      stable: false,
    });
    const pool = {} as never;
    const verdict = explainDisaggregation(
      [
        {
          candidate: { kind: 'colocated', id: 'a', pool },
          label: 'TP8×DP2',
          metrics: metrics(0.445),
          maxRateUnderSlo: null,
          best: false,
        },
        {
          candidate: { kind: 'disaggregated', id: 'b', prefill: pool, decode: pool },
          label: 'prefill TP8 | decode TP8',
          metrics: metrics(0.02),
          maxRateUnderSlo: null,
          best: false,
        },
      ],
      'p90',
    );
    assert.match(
      verdict,
      /^disaggregation: neither meets the SLOs: the best disaggregated configuration, prefill TP8 \| decode TP8, serves no rate under the SLOs \(at the search rate 2\.0% of requests within the targets, TTFT p90 30\.00 s, TBT p90 30\.0 ms\), against no rate under the SLOs \(at the search rate 44\.5% /,
    );
  });
});
