import { describePlan, type Plan } from '../engine/memory/plan.js';
import { engineWeightsSentence, type PlansReport } from '../engine/memory/plans.js';
import type { ChartModel } from '../engine/protocol/webview.js';
import { capacityMarkdown } from './capacity-report.js';
import { searchMarkdown } from './search-report.js';
import { simulationMarkdown } from './simulation-report.js';
import type { StoredRun } from './state.js';
import { validationMarkdown } from './validation-report.js';

const GiB = 1024 ** 3;

function gib(bytes: number): string {
  return (bytes / GiB).toFixed(1);
}

/** A plans report as Markdown: one row per layout, the fitting ones first. */
export function plansMarkdown(report: PlansReport, chart: ChartModel | null): string {
  const lines = [
    `# Memory and plan report: ${report.model} on ${report.gpus}× ${report.hardware}`,
    '',
    chart?.bestId ? `Most concurrent sequences: **${chart.bestId}** (${chart.bestRule}).` : 'No layout fits.',
    '',
    ...engineWeightsLines(report),
    '| Plan | Weights GiB/GPU | KV cache GiB/GPU | KV tokens/replica | Concurrent seqs (cluster) | Fits |',
    '|---|---:|---:|---:|---:|---|',
  ];
  const ordered = [...report.plans].sort((a, b) => Number(b.fits) - Number(a.fits));
  for (const p of ordered) {
    lines.push(
      `| ${describePlan(p.plan as Plan)} | ${gib(p.perGpu.weightBytes)} | ${gib(p.perGpu.kvCacheBytes)} | ` +
        `${p.perReplica.kvCapacityTokens.toLocaleString('en-US')} | ${p.cluster.maxConcurrentSequences.toLocaleString('en-US')} | ` +
        `${p.fits ? 'yes' : `no: ${p.problems.join('; ').replaceAll('|', '\\|')}`} |`,
    );
  }
  if (report.rejected.length > 0) {
    lines.push('', '## Layouts the model cannot use', '');
    for (const r of report.rejected) lines.push(`- ${r.plan}: ${r.problems.join('; ')}`);
  }
  lines.push('', 'Memory only: latency and throughput come from a simulation or a search.', '');
  return lines.join('\n');
}

/** The engine's layout of the weights, above the table where it changes them. */
function engineWeightsLines(report: PlansReport): string[] {
  const sentence = engineWeightsSentence(report);
  return sentence ? [sentence, ''] : [];
}

export function runMarkdown(run: StoredRun): string {
  switch (run.report.kind) {
    case 'memory':
      return plansMarkdown(run.report.plans, run.chart);
    case 'simulate':
      return simulationMarkdown(run.report.summary, run.report.workload, run.report.maxTokens);
    case 'search':
      return searchMarkdown(run.report.result);
    case 'capacity':
      return capacityMarkdown(run.report.plan);
    case 'validation':
      return validationMarkdown(run.report.validation, run.report.file);
  }
}
