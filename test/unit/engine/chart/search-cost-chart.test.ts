import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { searchChartModel } from '../../../../src/engine/chart/search-chart.js';
import { searchServing } from '../../../../src/engine/search/run.js';
import { Slo } from '../../../../src/engine/search/schema.js';
import { smallSearchInput } from '../../helpers/small-search.js';

const input = smallSearchInput('poisson:rate=4,prompt=uniform(256,1024),output=uniform(32,192),n=120', 120);

describe('the Pareto panel of a priced search', () => {
  it('charts cost per million output tokens against TTFT, with its front', async () => {
    const result = await searchServing({ ...input, prices: { l40s: 0.8 } });
    const model = searchChartModel(result);
    const chart = model.charts.find((c) => c.id === 'cost');
    assert.ok(chart, 'a cost chart');
    assert.equal(chart.y.metric, 'usd_per_m_output_tokens');
    assert.equal(chart.x.label, 'TTFT p90');
    const costed = model.points.filter((p) => p.metrics.usd_per_m_output_tokens !== undefined);
    assert.equal(
      costed.length,
      result.configurations.filter((c) => c.cost?.usdPerMillionOutputTokens != null).length,
    );
    assert.ok(costed.length > 0);
    const front = costed.filter((p) => p.fronts.includes('cost'));
    assert.ok(front.length >= 1);
    for (const a of front) {
      for (const b of costed) {
        const dominated =
          b.metrics.usd_per_m_output_tokens < a.metrics.usd_per_m_output_tokens &&
          b.metrics.ttft_at_max_rate_s < a.metrics.ttft_at_max_rate_s;
        assert.ok(!dominated, `${a.id} on the cost front is beaten by ${b.id}`);
      }
    }
    assert.match(model.subtitle, /SLO: 90% of requests within TTFT 1\.5 s and p90 token gap 60 ms/);
  });

  it("marks the SLO's percentile as the latency chart shown first, with no SLO box in the attainment form", async () => {
    // Without the mark the panel fell back to the first variant (p50) when no chart carried a box.
    const result = await searchServing({
      ...input,
      slo: Slo.parse({ ttft: 1.5, tbt: 0.06, percentile: 'p99' }),
    });
    const latency = searchChartModel(result).charts.filter((c) => c.group === 'latency');
    assert.deepEqual(
      latency.filter((c) => c.shownFirst).map((c) => c.variant),
      ['p99'],
    );
    assert.ok(latency.every((c) => c.region === null));
  });
});
