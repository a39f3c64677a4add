import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSearchReportHtml } from '../../../../src/engine/report/html.js';
import { reportThemeCss } from '../../../../src/engine/report/report-theme.js';
import { reportSummary } from '../../../../src/engine/report/summary.js';
import { searchServing } from '../../../../src/engine/search/run.js';
import { Slo } from '../../../../src/engine/search/schema.js';

const search = searchServing({
  model: 'llama-3.1-8b',
  hardware: 'l40s',
  gpus: 2,
  workload: 'poisson:rate=4,prompt=uniform(256,1024),output=uniform(32,192),n=150',
  slo: Slo.parse({ ttft: 1.5, tbt: 0.06 }),
  sampleRequests: 150,
  threads: 0,
  prices: { l40s: 0.8 },
});
const assets = { webviewJs: '/* webview */', webviewCss: '/* css */' };

describe('the HTML report of a search', () => {
  it('opens with the answer in one sentence, the workload in one line and the SLO in words', async () => {
    const result = await search;
    const best = result.configurations.find((c) => c.best)!;
    const summary = reportSummary(result);
    assert.match(
      summary.answer,
      /^Run Llama-3\.1-8B on 2× l40s as .*: it sustains up to [\d.]+ req\/s within the SLO \(TTFT p90 [\d.]+ ms, TBT p90 [\d.]+ ms, [\d.]+% of requests within every target\), costing \$1\.60\/hour/,
    );
    assert.ok(summary.answer.includes(best.label));
    assert.match(
      summary.workload,
      /^150 requests of poisson:.* at [\d.]+ req\/s, longest request \d+ tokens; served with vllm\.$/,
    );
    assert.equal(summary.slo, '90% of requests within TTFT 1.5 s and p90 token gap 60 ms');
    assert.ok(summary.method.some((m) => m.includes('$0.80/GPU-hour of l40s (given in --price)')));
    // Energy, an estimate at TDP: 350 W per L40S over its output tokens/s at the highest rate within the SLO.
    const joules = 350 / best.metricsAtMaxRate!.throughputPerGpu;
    assert.equal(best.energy?.joulesPerOutputToken, joules);
    assert.ok(
      summary.answer.endsWith(`; about ${joules.toPrecision(2)} J per output token (an estimate at TDP).`),
    );
    const page = renderSearchReportHtml(result, assets);
    const top = page.slice(page.indexOf('<section class="summary">'));
    assert.ok(
      top.startsWith(`<section class="summary">\n<p class="answer"><strong>Run Llama-3.1-8B`),
      'the answer comes first',
    );
    assert.ok(
      page.indexOf('<section class="summary">') < page.indexOf('<main id="app">'),
      'the summary sits above the charts, at the top of the page',
    );
    assert.ok(page.includes('How these numbers were obtained'));
    assert.ok(
      !/ttft_p90_s|throughputPerGpu/.test(page.replace(/<script>[\s\S]*?<\/script>/g, '')),
      'no field names outside the chart data',
    );
  });

  it('themes itself as the reader’s scheme and hides the buttons that need the editor', async () => {
    const page = renderSearchReportHtml(await search, assets);
    const style = page.slice(page.indexOf('<style>'), page.indexOf('</style>'));
    assert.ok(style.includes(reportThemeCss()), 'the theme variables, light and dark');
    for (const action of ['apply', 'export-csv', 'export-png'])
      assert.match(style, new RegExp(`\\[data-action='${action}'\\][^{]*\\{ display: none; \\}`));
    assert.match(page, /<div class="table-scroll"><table class="configurations">/);
  });

  it('shows the commands once per parallel plan, folding the plan’s other scheduler settings', async () => {
    const result = await search;
    const page = renderSearchReportHtml(result, assets);
    const withSettings = result.configurations.filter((c) => c.settings);
    const plans = new Set(
      withSettings.map((c) =>
        JSON.stringify(c.candidate.kind === 'colocated' ? c.candidate.pool.plan : c.candidate),
      ),
    );
    const sections = page.match(/<section class="settings/g) ?? [];
    assert.equal(sections.length, plans.size, 'one section per plan');
    const folded = withSettings.length - plans.size;
    assert.equal(folded > 0, page.includes('more with the same plan, other scheduler settings'));
  });
});
