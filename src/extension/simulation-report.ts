import { describePlan } from '../engine/memory/plan.js';
import { describeServingEngine } from '../engine/perf/serving-engine.js';
import { calibrationText } from '../engine/sim/calibration-text.js';
import { kvUseText } from '../engine/sim/kv-use.js';
import { runLoadText } from '../engine/sim/load-text.js';
import type { MaxTokens } from '../engine/sim/requests.js';
import { summarySloVerdict } from '../engine/sim/slo-check.js';
import type { MetricSummary, RunSummary } from '../engine/sim/summary.js';
import { sloInWords } from '../engine/workload/slo-verdict.js';

const ms = (s: number) => (s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`);

function metricRow(name: string, m: MetricSummary | null): string {
  return m
    ? `| ${name} | ${ms(m.mean)} | ${ms(m.p50)} | ${ms(m.p90)} | ${ms(m.p99)} | ${m.count} |`
    : `| ${name} | – | – | – | – | 0 |`;
}

function deploymentText(summary: RunSummary): string {
  const deployment = summary.config?.deployment;
  if (!deployment) return '';
  if (deployment.kind === 'colocated') {
    return `${describePlan(deployment.pool.plan)}, scheduler ${deployment.pool.scheduler.policy}`;
  }
  return `prefill ${describePlan(deployment.prefill.plan)} | decode ${describePlan(deployment.decode.plan)}`;
}

const sloText = (slo: Record<string, number | undefined>) =>
  Object.entries(slo)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.toUpperCase()} ≤ ${ms(v as number)}`)
    .join(', ');

/** Per request class: latencies and the share meeting its targets (its own where the workload gives them). */
function classLines(classes: NonNullable<RunSummary['classes']>): string[] {
  const pair = (m: MetricSummary | null) => (m ? `${ms(m.p50)} / ${ms(m.p99)}` : '–');
  return [
    '',
    '## Request classes',
    '',
    '| Class | completed | TTFT p50 / p99 | TPOT p50 / p99 | E2E p50 / p99 | meet SLO |',
    '|---|---:|---:|---:|---:|---:|',
    ...classes.map((c) => {
      const share = c.sloAttainment === null ? '–' : `${(100 * c.sloAttainment).toFixed(1)}%`;
      const own = c.slo ? ` (${sloText(c.slo)})` : '';
      return `| ${c.name} | ${c.completed} of ${c.requests} | ${pair(c.ttft)} | ${pair(c.tpot)} | ${pair(c.e2e)} | ${share}${own} |`;
    }),
  ];
}

/** How the requests were sent and the max_tokens they asked, in the engine's words (`runLoadText`). */
function loadLine(summary: RunSummary, maxTokens: MaxTokens | undefined): string {
  return `- Load: ${runLoadText(summary.load ?? { mode: 'open' }, maxTokens)}`;
}

/**
 * A simulation's RunSummary as Markdown: latency percentiles, throughput, goodput, KV and batch use.
 * `maxTokens`: what the run's requests asked for, where not the default.
 */
export function simulationMarkdown(summary: RunSummary, workload: string, maxTokens?: MaxTokens): string {
  const lines = [
    `# Simulation: ${summary.label}`,
    '',
    `- Deployment: ${deploymentText(summary)} on ${summary.gpus}× ${summary.hardware}`,
    `- Workload: \`${workload}\``,
  ];
  // The engine that timed the steps, with its behaviours away from the defaults (eager, NCCL all-reduce…).
  const engine = summary.config?.engine;
  if (engine) lines.splice(3, 0, `- Engine: ${describeServingEngine(engine)}`);
  lines.push(loadLine(summary, maxTokens));
  const calibration = calibrationText(summary);
  if (calibration) lines.push(`- Step times ${calibration}`);
  if (!summary.feasible) {
    lines.push('', '**Infeasible, not simulated:**', '', ...summary.problems.map((p) => `- ${p}`), '');
    return lines.join('\n');
  }
  const r = summary.requests;
  lines.push(
    `- ${r.completed} of ${r.total} requests completed (${r.failed} failed) over ${summary.simulatedSeconds.toFixed(1)} s simulated, in ${summary.wallSeconds.toFixed(2)} s (${summary.steps} engine steps)`,
    '',
    '| Metric | mean | p50 | p90 | p99 | samples |',
    '|---|---:|---:|---:|---:|---:|',
    metricRow('TTFT', summary.ttft),
    metricRow('TPOT', summary.tpot),
    metricRow('ITL', summary.itl),
    metricRow('E2E', summary.e2e),
    metricRow('Queueing', summary.queueing),
  );
  if (summary.kvTransfer) lines.push(metricRow('KV transfer', summary.kvTransfer));
  const t = summary.throughput;
  lines.push(
    '',
    '## Throughput',
    '',
    `- ${t.requestsPerSecond.toFixed(2)} requests/s, ${t.outputTokensPerSecond.toFixed(0)} output tokens/s (${t.outputTokensPerSecondPerGpu.toFixed(0)} per GPU), ${t.totalTokensPerSecond.toFixed(0)} total tokens/s`,
  );
  if (summary.goodput) {
    const verdict = summarySloVerdict(summary);
    lines.push(
      `- Goodput: ${summary.goodput.requestsPerSecond.toFixed(2)} requests/s (${(100 * summary.goodput.fraction).toFixed(1)}% of requests meet every target); SLO ${sloInWords(summary.goodput.slo)}: ${verdict?.meets ? 'met' : 'not met'}`,
    );
  }
  lines.push(
    `- Preemptions: ${summary.preemptions}; mean batch ${summary.batchSize?.mean.toFixed(1) ?? '–'} sequences; ${kvUseText(summary)}`,
  );
  if (summary.prefixCache) {
    lines.push(`- Prefix cache hit rate: ${(100 * summary.prefixCache.hitRate).toFixed(1)}%`);
  }
  if (summary.classes) lines.push(...classLines(summary.classes));
  if (summary.problems.length > 0) lines.push('', ...summary.problems.map((p) => `> ${p}`));
  lines.push('', 'Simulated with ServeTune’s step-time model and serving simulator.', '');
  return lines.join('\n');
}
