import type { DashboardState } from '../engine/protocol/webview.js';
import type { CapacityPlan } from '../engine/search/capacity.js';
import { capacityCommandLines } from '../engine/search/capacity-commands.js';
import { priceText } from '../engine/search/cost.js';
import { ENERGY_BASIS } from '../engine/search/energy.js';
import { latencyText, shownLatencies, shownLatenciesText, sloTargetsText } from '../engine/search/format.js';
import type { EvaluationMetrics, Slo } from '../engine/search/schema.js';

const usd = (x: number | null | undefined, digits = 2) => (x == null ? '–' : `$${x.toFixed(digits)}`);

const joules = (x: number | null | undefined) => (x == null ? '–' : `${x.toPrecision(2)} J`);

/** The capacity plan as the dashboard shows it: one row per GPU type. */
export function capacityDashboard(
  plan: CapacityPlan,
  runId: string,
): NonNullable<DashboardState['capacity']> {
  return {
    runId,
    heading: `${plan.modelName} at ${plan.workload.rate.toFixed(2)} req/s, ${plan.gpus.min}..${plan.gpus.max} GPUs`,
    slo: sloTargetsText(plan.slo),
    rows: plan.rows.map((r) => ({
      hardware: r.hardware,
      cheapest: r.cheapest,
      gpus: r.plan?.gpus ?? null,
      configuration: r.plan?.label ?? r.reason ?? 'none',
      usdPerHour: usd(r.plan?.cost?.usdPerHour),
      usdPerMillionTokens: usd(r.plan?.cost?.usdPerMillionOutputTokens, 3),
      latencies: r.plan ? capacityLatenciesText(r.plan.metrics, plan.slo) : '',
    })),
  };
}

/**
 * A row's latencies at the SLO's percentile and its share of requests within the SLO, as the CLI's
 * capacity column gives them: 'TTFT p90 43.6 ms, TBT p90 8.03 ms / 100.0% within SLO'.
 */
export function capacityLatenciesText(metrics: EvaluationMetrics, slo: Slo): string {
  return `${shownLatenciesText(metrics, slo)} / ${(metrics.attainment * 100).toFixed(1)}% within SLO`;
}

/** The capacity plan as Markdown (the "Show Report" view). */
export function capacityMarkdown(plan: CapacityPlan): string {
  const p = plan.slo.percentile;
  // The latencies the SLO judges (TTFT and TBT, TPOT where targeted) and the share within it, as the CLI.
  const shown = shownLatencies(plan.slo);
  const latencyCells = (m: EvaluationMetrics) =>
    shown.map(({ metric }) => latencyText(m[metric][p])).join(' | ');
  const lines = [
    `# Capacity plan: ${plan.modelName}`,
    '',
    `- Traffic: ${plan.workload.rate.toFixed(2)} req/s of ${plan.workload.source} (${plan.workload.requests} requests sampled)`,
    `- GPUs: ${plan.gpus.min}..${plan.gpus.max}; SLO: ${sloTargetsText(plan.slo)}`,
    `- ${plan.simulations} simulations in ${plan.wallSeconds.toFixed(1)} s`,
    '',
    `| GPU | GPUs | configuration | $/hour | $/M output tokens | $/M tokens | ${shown.map(({ label }) => `${label} ${p}`).join(' | ')} | requests within SLO | J/output token (estimate) |`,
    `|---|---|---|---|---|---|${shown.map(() => '---|').join('')}---|---|`,
    ...plan.rows.map((r) =>
      r.plan
        ? `| ${r.cheapest ? '**' : ''}${r.hardware}${r.cheapest ? '** (cheapest)' : ''} | ${r.plan.gpus} | ${r.plan.label} | ${usd(r.plan.cost?.usdPerHour)} | ${usd(r.plan.cost?.usdPerMillionOutputTokens, 3)} | ${usd(r.plan.cost?.usdPerMillionTotalTokens, 3)} | ${latencyCells(r.plan.metrics)} | ${(r.plan.metrics.attainment * 100).toFixed(1)}% | ${joules(r.plan.energy?.joulesPerOutputToken)} |`
        : `| ${r.hardware} | – | ${r.reason ?? 'none'} | | | | ${shown.map(() => ' |').join('')} | |`,
    ),
    '',
    ...commandsMarkdown(plan),
    `Energy per output token: ${ENERGY_BASIS}.`,
    '',
    'Prices:',
    ...plan.rows.map(
      (r) => `- ${r.price ? priceText(r.price) : `${r.hardware}: none listed (set servetune.prices)`}`,
    ),
    '',
  ];
  return lines.join('\n');
}

/** Each GPU type's engine commands, as the CLI prints them, in a shell block. */
function commandsMarkdown(plan: CapacityPlan): string[] {
  const lines = capacityCommandLines(plan.rows);
  return lines.length === 0 ? [] : ['## Engine commands', '', '```sh', ...lines, '```', ''];
}
