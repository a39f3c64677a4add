import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../src/engine/hardware/catalog.js';
import { getModel } from '../../../src/engine/model/catalog.js';
import { servingEngineFor } from '../../../src/engine/perf/serving-engine.js';
import { DashboardState } from '../../../src/engine/protocol/webview.js';
import { renderCapacityReportHtml } from '../../../src/engine/report/capacity-html.js';
import { escapeHtml } from '../../../src/engine/report/html.js';
import { CapacityInput } from '../../../src/engine/search/capacity.js';
import { engineSettingsFor } from '../../../src/engine/search/engine-commands.js';
import { latencyText } from '../../../src/engine/search/format.js';
import { loadSearchSample } from '../../../src/engine/search/run.js';
import { Slo } from '../../../src/engine/search/schema.js';
import { capacityDashboard, capacityMarkdown } from '../../../src/extension/capacity-report.js';
import { SMALL_CAPACITY_INPUT, smallCapacityPlan } from '../helpers/small-capacity-plan.js';

const plan = smallCapacityPlan();

describe('the capacity plan on the dashboard', () => {
  it('gives the dashboard one row per GPU type with its GPUs, $/hour and $/M tokens, and the SLO in words', async () => {
    const p = await plan;
    const state = DashboardState.shape.capacity.parse(capacityDashboard(p, 'capacity-1'));
    assert.ok(state);
    assert.deepEqual(
      state.rows.map((r) => r.hardware),
      ['l40s', 'h100-sxm', 'h20'],
    );
    const h100 = state.rows.find((r) => r.hardware === 'h100-sxm')!;
    const row = p.rows.find((r) => r.hardware === 'h100-sxm')!;
    assert.equal(h100.gpus, row.plan!.gpus);
    assert.equal(h100.usdPerHour, `$${row.plan!.cost!.usdPerHour.toFixed(2)}`);
    assert.equal(state.rows.find((r) => r.hardware === 'h20')!.usdPerHour, '–', 'no list price for the H20');
    assert.equal(state.slo, '90% of requests within TTFT 1.5 s and p90 token gap 60 ms');
    assert.match(capacityMarkdown(p), /\| \*\*\w[\w-]*\*\* \(cheapest\) \| \d+ \|/);
    // Energy, an estimate at TDP: 700 W per H100 SXM over its output tokens/s; none for the H20.
    const joules = (700 / row.plan!.metrics.throughputPerGpu).toPrecision(2);
    assert.match(capacityMarkdown(p), new RegExp(`\\| h100-sxm \\| .* \\| ${joules} J \\|\n`));
    assert.match(
      capacityMarkdown(p),
      /Energy per output token: an estimate, each GPU drawing its datasheet power/,
    );
  });

  it('shows the latencies the SLO judges and the share within it, TPOT where targeted, as the CLI does', async () => {
    const p = await plan;
    const header = (text: string) => text.split('\n').find((line) => line.startsWith('| GPU |')) ?? '';
    assert.match(header(capacityMarkdown(p)), /\| TTFT p90 \| TBT p90 \| requests within SLO \| J\/output/);
    const tpot = capacityMarkdown({ ...p, slo: Slo.parse({ ttft: 1.5, tpot: 0.05 }) });
    assert.match(header(tpot), /\| TTFT p90 \| TBT p90 \| TPOT p90 \| requests within SLO \|/);
    // Every row has as many cells as the header, a GPU type without a plan too.
    const cells = (line: string) => line.split('|').length;
    for (const line of tpot.split('\n').filter((l) => /^\| (\*\*)?(l40s|h100-sxm|h20)/.test(l)))
      assert.equal(cells(line), cells(header(tpot)), line);
  });

  it("gives each dashboard row its latencies and share within the SLO in the CLI's words, TPOT where targeted", async () => {
    const p = await plan;
    const row = p.rows.find((r) => r.hardware === 'h100-sxm')!;
    const m = row.plan!.metrics;
    const state = capacityDashboard(p, 'capacity-1');
    const h100 = state.rows.find((r) => r.hardware === 'h100-sxm')!;
    assert.equal(
      h100.latencies,
      `TTFT p90 ${latencyText(m.ttft.p90)}, TBT p90 ${latencyText(m.tbt.p90)} / ${(m.attainment * 100).toFixed(1)}% within SLO`,
    );
    const withTpot = capacityDashboard({ ...p, slo: Slo.parse({ ttft: 1.5, tpot: 0.05 }) }, 'capacity-2');
    assert.match(withTpot.rows.find((r) => r.hardware === 'h100-sxm')!.latencies, /, TPOT p90 [\d.]+ ms \//);
    for (const r of p.rows.filter((x) => !x.plan))
      assert.equal(state.rows.find((x) => x.hardware === r.hardware)!.latencies, '', 'no plan, no latencies');
  });
});

describe("the capacity plan's engine commands", () => {
  it('gives each GPU type the commands search prints for its configuration, in the report and the HTML', async () => {
    const p = await plan;
    const input = CapacityInput.parse(SMALL_CAPACITY_INPUT);
    const model = getModel('llama-3.1-8b');
    const { maxModelLen } = loadSearchSample(input, model);
    const servingEngine = servingEngineFor({ id: input.engine, version: input.engineVersion }, input);
    const planned = p.rows.filter((r) => r.plan);
    assert.ok(planned.length > 0);
    const markdown = capacityMarkdown(p);
    const html = renderCapacityReportHtml(p, { webviewJs: '', webviewCss: '' });
    for (const row of planned) {
      const hardware = getHardware(row.hardware);
      const expected = engineSettingsFor(input.engine, model, row.plan!.candidate, maxModelLen, {
        hardware,
        servingEngine,
      });
      assert.deepEqual(row.commands, expected, row.hardware);
      for (const server of expected.servers) {
        assert.ok(markdown.includes(server.commandLine), `${row.hardware}: ${server.commandLine}`);
        assert.ok(html.includes(escapeHtml(server.commandLine)), row.hardware);
      }
    }
    assert.match(markdown, /## Engine commands\n\n```sh\nl40s: /);
  });
});
