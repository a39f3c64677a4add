import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { searchChartModel } from '../../../../src/engine/chart/search-chart.js';
import { reportSummary } from '../../../../src/engine/report/summary.js';
import { sloMisses } from '../../../../src/engine/search/format.js';
import { searchServing } from '../../../../src/engine/search/run.js';
import { Slo } from '../../../../src/engine/search/schema.js';

// An SLO with one target (TTFT alone for batch and RAG, TBT alone for chat streaming): the absent target
// is unconstrained, so "meets the SLO" follows the given one alone, and no missing target leaks into the
// result, the chart's SLO box or the report as NaN, Infinity or null.

const input = {
  model: 'llama-3.1-8b',
  hardware: 'l40s',
  gpus: 2,
  workload: 'poisson:rate=6,prompt=lognormal(768,0.6),output=lognormal(160,0.6),n=120',
  sampleRequests: 120,
  threads: 0,
};

/** Every number in a JSON text: none may be NaN or infinite (JSON.stringify writes both as null). */
function assertNoNonFinite(value: unknown, where: string): void {
  const text = JSON.stringify(value, (_key, v) => {
    if (typeof v === 'number') assert.ok(Number.isFinite(v), `${where}: a non-finite number`);
    return v;
  });
  assert.doesNotMatch(text, /NaN|Infinity/, where);
}

describe('an SLO with one target', () => {
  it('needs at least one target the search ranks by', () => {
    assert.throws(() => Slo.parse({}), /at least one of ttft, tbt, tpot/);
    assert.throws(() => Slo.parse({ e2e: 5 }), /at least one of ttft, tbt, tpot/);
    assert.deepEqual(Slo.parse({ ttft: 2 }).tbt, undefined);
  });

  it('TTFT alone: a configuration meets it by its TTFT, whatever its TBT', async () => {
    const slo = Slo.parse({ ttft: 0.25, form: 'percentile' });
    const result = await searchServing({ ...input, slo });
    assert.ok(result.configurations.length > 0);
    // The TBT of the configurations spreads well past any chat target, and none is held to one.
    assert.ok(result.configurations.some((c) => c.meetsSlo && c.metrics.tbt.p90 > 0.06));
    for (const c of result.configurations) {
      assert.equal(c.meetsSlo, c.metrics.stable && c.metrics.ttft.p90 <= 0.25, c.label);
      assert.ok(Number.isFinite(c.sloMargin), c.label);
      if (!c.meetsSlo)
        assert.ok(
          sloMisses(c.metrics, slo).every((m) => !m.startsWith('TBT')),
          c.label,
        );
    }
    const best = result.configurations.find((c) => c.best);
    assert.ok(best?.meetsSlo, 'a best configuration');
    const region = searchChartModel(result).charts.find((c) => c.id === 'latency-p90')?.region;
    assert.deepEqual(region, { yMax: 0.25, label: 'SLO (p90)' }, 'the box is unbounded in TBT');
    const tpotOnly = { ...result, slo: Slo.parse({ tpot: 0.05, form: 'percentile' }) };
    assert.equal(
      searchChartModel(tpotOnly).charts.find((c) => c.id === 'latency-p90')?.region,
      null,
      'a TPOT target alone bounds neither axis: no box',
    );
    assert.match(reportSummary(result).answer, /\(TTFT p90 [\d.]+ ms, [\d.]+% of requests/);
    assert.equal(reportSummary(result).slo, 'p90 over all requests: TTFT 250 ms');
    assertNoNonFinite(result, 'result');
    assertNoNonFinite(searchChartModel(result), 'chart');
  });

  it('TBT alone: a configuration meets it by its token gaps, whatever its TTFT', async () => {
    const slo = Slo.parse({ tbt: 0.04, form: 'percentile' });
    const result = await searchServing({ ...input, slo });
    for (const c of result.configurations) {
      assert.equal(c.meetsSlo, c.metrics.stable && c.metrics.tbt.p90 <= 0.04, c.label);
      if (!c.meetsSlo && c.metrics.stable)
        assert.deepEqual(
          sloMisses(c.metrics, slo).map((m) => m.split(' ')[0]),
          ['TBT'],
          c.label,
        );
    }
    assert.ok(result.configurations.some((c) => c.meetsSlo));
    const region = searchChartModel(result).charts.find((c) => c.id === 'latency-p90')?.region;
    assert.deepEqual(region, { xMax: 40, label: 'SLO (p90)' }, 'the box is unbounded in TTFT');
    assert.match(reportSummary(result).answer, /\(TBT p90 [\d.]+ ms, [\d.]+% of requests/);
    assertNoNonFinite(result, 'result');
  });

  it('in the attainment form, a request is held to the given target only', async () => {
    const result = await searchServing({ ...input, slo: Slo.parse({ ttft: 0.25 }) });
    const tight = await searchServing({ ...input, slo: Slo.parse({ ttft: 0.25, tbt: 0.02 }) });
    assert.ok(result.configurations.some((c) => c.meetsSlo));
    // A TBT target can only lower the share of requests within every target, configuration by configuration.
    const loose = new Map(result.configurations.map((c) => [c.id, c.metrics.attainment]));
    const both = tight.configurations.filter((c) => loose.has(c.id));
    assert.ok(both.length > 0);
    for (const c of both) assert.ok(c.metrics.attainment <= loose.get(c.id)!, c.label);
    assert.ok(
      both.some((c) => c.metrics.attainment < loose.get(c.id)!),
      'the TBT target is what held requests back',
    );
    assertNoNonFinite(result, 'result');
  });
});
