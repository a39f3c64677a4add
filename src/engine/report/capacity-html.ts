import { capacityChartModel } from '../chart/capacity-chart.js';
import type { ParetoPanelState } from '../protocol/webview.js';
import type { CapacityOption, CapacityPlan, CapacityRow } from '../search/capacity.js';
import { priceText } from '../search/cost.js';
import { ENERGY_BASIS } from '../search/energy.js';
import { latencyText, shownLatencies, sloTargetsText } from '../search/format.js';
import { escapeHtml, type ReportAssets, reportPage, serverBlocks } from './html.js';
import type { ReportSummary } from './summary.js';

// The HTML report of a capacity plan: the answer first, then one row per GPU type (the overall cheapest
// marked), the chart of cost against latency, the front, and the prices used with their source and date.

const usd = (x: number | null | undefined, digits = 2) => (x == null ? '–' : `$${x.toFixed(digits)}`);

function answerOf(plan: CapacityPlan): string {
  const rate = `${plan.workload.rate.toFixed(2)} req/s`;
  const cheapest = plan.rows.find((r) => r.cheapest)?.plan;
  const planned = plan.rows.filter((r) => r.plan);
  if (planned.length === 0) {
    return `No GPU type of ${plan.rows.map((r) => r.hardware).join(', ')} serves ${plan.modelName} at ${rate} within the SLO on ${plan.gpus.min}..${plan.gpus.max} GPUs.`;
  }
  if (!cheapest) {
    const fewest = [...planned].sort((a, b) => a.plan!.gpus - b.plan!.gpus)[0].plan!;
    return `To serve ${plan.modelName} at ${rate} within the SLO, the fewest GPUs are ${fewest.gpus}× ${fewest.hardware} as ${fewest.label}; no price is known for the types that qualify.`;
  }
  const perM = cheapest.cost?.usdPerMillionOutputTokens;
  return `To serve ${plan.modelName} at ${rate} within the SLO, the cheapest is ${cheapest.gpus}× ${cheapest.hardware} as ${cheapest.label}: ${usd(cheapest.cost?.usdPerHour)}/hour${perM == null ? '' : `, ${usd(perM, 3)} per million output tokens`}.`;
}

/** 'h100-sxm 700 W (datasheet …); h20 none listed'. */
function powersText(plan: CapacityPlan): string {
  return plan.rows
    .map((r) => {
      const e = r.plan?.energy;
      return e ? `${r.hardware} ${e.wattsPerGpu} W (${e.source})` : `${r.hardware} none used`;
    })
    .join('; ');
}

/** The top of a capacity report, in sentences a person reads (plain text; the caller escapes it). */
export function capacitySummary(plan: CapacityPlan): ReportSummary {
  const w = plan.workload;
  return {
    answer: answerOf(plan),
    workload: `${w.rate.toFixed(2)} req/s of ${w.source} (${w.requests} requests sampled), served with ${plan.engine}, on ${plan.gpus.min}..${plan.gpus.max} GPUs of ${plan.rows.map((r) => r.hardware).join(', ')}.`,
    slo: sloTargetsText(plan.slo),
    method: [
      `Each GPU type's replica configurations (parallel plan and scheduler settings) were simulated (discrete-event, step times from the roofline model${plan.calibrated ? ' calibrated with a measured profile' : ''}) on the same ${w.requests} requests.`,
      'Replicas are identical and routed round-robin: one replica is simulated on its share of the rate, and the fewest replicas meeting the SLO is found by bisection on the replica count.',
      'Cost per hour is the GPU-hour price × GPUs; per million tokens it is that cost over the tokens the deployment delivers at the target rate.',
      `Energy per output token: ${ENERGY_BASIS}. Power figures: ${powersText(plan)}.`,
      ...plan.rows.flatMap((r) => (r.calibrationNote ? [`${r.hardware}: ${r.calibrationNote}`] : [])),
    ],
  };
}

function rowHtml(r: CapacityRow, slo: CapacityPlan['slo']): string {
  const o = r.plan;
  const p = slo.percentile;
  const name = `${escapeHtml(r.hardware)}${r.cheapest ? ' (cheapest)' : ''}`;
  if (!o) return `<tr><td>${name}</td><td>–</td><td colspan="8">${escapeHtml(r.reason ?? 'none')}</td></tr>`;
  return `<tr${r.cheapest ? ' class="best"' : ''}><td>${name}</td><td>${o.gpus}</td><td>${escapeHtml(o.label)}</td><td>${usd(o.cost?.usdPerHour)}</td><td>${usd(o.cost?.usdPerMillionOutputTokens, 3)}</td><td>${usd(o.cost?.usdPerMillionTotalTokens, 3)}</td><td>${o.metrics.throughputPerGpu.toFixed(0)}</td><td>${o.metrics.speedPerUser.toFixed(1)}</td><td>${shownLatencies(
    slo,
  )
    .map(({ metric }) => latencyText(o.metrics[metric][p]))
    .join(
      ', ',
    )} / ${(o.metrics.attainment * 100).toFixed(1)}%</td><td>${o.energy?.joulesPerOutputToken == null ? '–' : `${o.energy.joulesPerOutputToken.toPrecision(2)} J`}</td></tr>`;
}

function frontHtml(front: readonly CapacityOption[], p: CapacityPlan['slo']['percentile']): string {
  if (front.length === 0) return '<p class="muted">No priced deployment meets the SLO: no cost front.</p>';
  const rows = front
    .map(
      (o) =>
        `<tr><td>${usd(o.cost?.usdPerHour)}</td><td>${escapeHtml(o.hardware)}</td><td>${o.gpus}</td><td>${escapeHtml(o.label)}</td><td>${latencyText(o.metrics.ttft[p])}</td></tr>`,
    )
    .join('\n');
  return `<div class="table-scroll"><table class="configurations front"><thead><tr><th>$ per hour</th><th>GPU</th><th>GPUs</th><th>configuration</th><th>TTFT ${p}</th></tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
}

/** Each GPU type's engine commands, as `search` gives them for that configuration. */
function commandsHtml(rows: readonly CapacityRow[]): string {
  const sections = rows.flatMap((r) => {
    if (!r.plan) return [];
    const heading = `<h3>${escapeHtml(r.hardware)}: ${escapeHtml(r.plan.label)}</h3>`;
    return [
      r.commands
        ? `${heading}${serverBlocks(r.commands.servers)}`
        : `${heading}<p class="muted">No command: ${escapeHtml(r.commandsUnavailable ?? 'none')}</p>`,
    ];
  });
  return sections.length === 0 ? '' : `<h2>Engine commands</h2>\n${sections.join('\n')}`;
}

function pricesHtml(plan: CapacityPlan): string {
  const items = plan.rows.map((r) =>
    r.price
      ? `<li>${escapeHtml(priceText(r.price))}</li>`
      : `<li>${escapeHtml(r.hardware)}: no public price listed; pass --price ${escapeHtml(r.hardware)}=&lt;US dollars per GPU-hour&gt;</li>`,
  );
  return `<ul class="prices">${items.join('')}</ul><p class="muted">Catalog prices are on-demand list prices on the date shown; override them with --price, servetune.json or the editor setting.</p>`;
}

/** A self-contained HTML report of a capacity plan: the cost chart drawn by the editor panel's own code. */
export function renderCapacityReportHtml(plan: CapacityPlan, assets: ReportAssets): string {
  const model = capacityChartModel(plan);
  const state: ParetoPanelState = { model, selectedId: model.bestId, variants: {} };
  const p = plan.slo.percentile;
  const summary = capacitySummary(plan);
  const summaryHtml = `<section class="summary">
<p class="answer"><strong>${escapeHtml(summary.answer)}</strong></p>
<p>Workload: ${escapeHtml(summary.workload)}</p>
<p>SLO: ${escapeHtml(summary.slo)}.</p>
<details><summary>How these numbers were obtained</summary><ul>${summary.method.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>
<p class="muted">${plan.simulations} simulations in ${plan.wallSeconds.toFixed(1)} s.</p></details>
</section>`;
  const body = `<h2>Cheapest configuration per GPU type meeting the SLO at the rate</h2>
<div class="table-scroll"><table class="configurations capacity">
<thead><tr><th>GPU</th><th>GPUs</th><th>configuration</th><th>$ per hour</th><th>$ per million output tokens</th><th>$ per million tokens (prompt + output)</th><th>output tokens/s per GPU</th><th>output tokens/s per user</th><th>${shownLatencies(
    plan.slo,
  )
    .map(({ label }) => `${label} ${p}`)
    .join(', ')} / requests within SLO</th><th>energy per output token (estimate)</th></tr></thead>
<tbody>
${plan.rows.map((r) => rowHtml(r, plan.slo)).join('\n')}
</tbody>
</table></div>
${commandsHtml(plan.rows)}
<h2>Cost against latency (each cheaper deployment has a higher TTFT ${p})</h2>
${frontHtml(plan.front, p)}
<h2>Prices used</h2>
${pricesHtml(plan)}`;
  return reportPage(
    `ServeTune capacity plan: ${escapeHtml(plan.modelName)} at ${plan.workload.rate.toFixed(2)} req/s`,
    { summary: summaryHtml, body },
    state,
    assets,
  );
}
