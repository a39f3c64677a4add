import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { defaultCalibrationFor } from '../../../../src/engine/perf/calibration.js';
import { capacitySummary, renderCapacityReportHtml } from '../../../../src/engine/report/capacity-html.js';
import { planCapacity } from '../../../../src/engine/search/capacity.js';
import { latencyText } from '../../../../src/engine/search/format.js';
import { Slo } from '../../../../src/engine/search/schema.js';
import { SMALL_CAPACITY_INPUT } from '../../helpers/small-capacity-plan.js';

const input = {
  ...SMALL_CAPACITY_INPUT,
  workload: 'poisson:rate=10,prompt=uniform(256,1024),output=uniform(32,192),n=120',
  sampleRequests: 120,
  prices: { l40s: 0.8 },
};
const planned = planCapacity(input);
const assets = { webviewJs: '/* webview */', webviewCss: '/* css */' };

describe('the HTML report of a capacity plan', () => {
  it('answers with the cheapest deployment, one row per GPU type, the SLO in words and the prices used', async () => {
    const plan = await planned;
    const cheapest = plan.rows.find((r) => r.cheapest)!.plan!;
    const summary = capacitySummary(plan);
    assert.equal(
      summary.answer,
      `To serve Llama-3.1-8B at 10.00 req/s within the SLO, the cheapest is ${cheapest.gpus}× ${cheapest.hardware} as ${cheapest.label}: $${cheapest.cost!.usdPerHour.toFixed(2)}/hour, $${cheapest.cost!.usdPerMillionOutputTokens!.toFixed(3)} per million output tokens.`,
    );
    assert.equal(summary.slo, '90% of requests within TTFT 1.5 s and p90 token gap 60 ms');
    const page = renderCapacityReportHtml(plan, assets);
    const table = page.slice(page.indexOf('<table class="configurations capacity">'));
    const rows = table.slice(0, table.indexOf('</tbody>')).match(/<tr[ >]/g)!;
    assert.equal(rows.length, 1 + 3, 'a header and one row per GPU type');
    assert.match(
      page,
      new RegExp(`<tr class="best"><td>${cheapest.hardware} \\(cheapest\\)</td><td>${cheapest.gpus}</td>`),
    );
    assert.match(page, /\$0\.80\/GPU-hour of l40s \(given in --price\)/);
    assert.match(page, /\$2\.69\/GPU-hour of h100-sxm \(.*deploybase\.ai.*2026-03-10\)/);
    assert.match(page, /h20: no public price listed; pass --price h20=/);
    assert.match(page, /SLO: 90% of requests within TTFT 1\.5 s and p90 token gap 60 ms\./);
    // The cost chart is the editor panel's: its model travels as the saved state.
    assert.match(page, /"kind":"capacity"/);
    assert.match(page, /"usd_per_hour":/);
    // Energy, an estimate at TDP: 700 W per H100 SXM over its output tokens/s; the H20 has no TDP listed.
    const h100 = plan.rows.find((r) => r.hardware === 'h100-sxm')!.plan!;
    assert.equal(h100.energy?.joulesPerOutputToken, 700 / h100.metrics.throughputPerGpu);
    assert.equal(plan.rows.find((r) => r.hardware === 'h20')!.plan?.energy ?? null, null);
    assert.ok(page.includes(`${h100.energy!.joulesPerOutputToken!.toPrecision(2)} J</td>`));
    assert.match(page, /Energy per output token: an estimate, each GPU drawing its datasheet power \(TDP\)/);
    assert.ok(!/ttft_p90_s/.test(page.replace(/<script>[\s\S]*?<\/script>/g, '')), 'no raw metric names');
  });

  it("gives each GPU type's latencies the SLO judges and its share within it, as the CLI; names read from the left", async () => {
    const plan = await planned;
    const page = renderCapacityReportHtml(plan, assets);
    assert.match(page, /<th>TTFT p90, TBT p90 \/ requests within SLO<\/th>/);
    const h100 = plan.rows.find((r) => r.hardware === 'h100-sxm')!.plan!;
    const cell = `<td>${latencyText(h100.metrics.ttft.p90)}, ${latencyText(h100.metrics.tbt.p90)} / ${(h100.metrics.attainment * 100).toFixed(1)}%</td>`;
    assert.ok(page.includes(cell), cell);
    const tpot = renderCapacityReportHtml({ ...plan, slo: Slo.parse({ ttft: 1.5, tpot: 0.05 }) }, assets);
    assert.match(tpot, /<th>TTFT p90, TBT p90, TPOT p90 \/ requests within SLO<\/th>/);
    // The tables align numbers right; the configuration (and the front's GPU) are names, read from the left.
    assert.match(page, /table\.capacity :is\(td, th\):nth-child\(3\)[^{]*\{ text-align: left; \}/);
  });

  it('plans with a saved calibration and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-capacity-'));
    const slow = { ...defaultCalibrationFor(getHardware('h100-sxm')), stepOverheadSeconds: 0.02 };
    const file = join(dir, 'calibration.json');
    writeFileSync(file, JSON.stringify(slow));
    const base = await planned;
    const plan = await planCapacity({ ...input, hardware: ['h100-sxm'], calibration: file });
    assert.equal(plan.calibrated, true);
    assert.equal(base.calibrated, false);
    const before = base.rows.find((r) => r.hardware === 'h100-sxm')!.plan!;
    const after = plan.rows[0].plan!;
    // 20 ms more per step slows every token: the same rate needs more GPUs or gets a slower TTFT.
    assert.ok(
      after.gpus > before.gpus || after.metrics.tpot.p90 > before.metrics.tpot.p90,
      `${after.gpus} GPUs, TPOT ${after.metrics.tpot.p90} vs ${before.gpus}, ${before.metrics.tpot.p90}`,
    );
    assert.match(capacitySummary(plan).method[0], /calibrated with a measured profile/);
  });
});
