import {
  ValidationChartModel,
  type ValidationChartModel as ValidationChartModelType,
  type ValidationRow,
} from '../protocol/webview.js';
import type { RunSummary } from '../sim/summary.js';
import type { ValidationReport } from '../validate/report.js';

const METRICS = [
  ['ttft', 'TTFT'],
  ['tpot', 'TPOT'],
  ['itl', 'ITL'],
  ['e2e', 'E2E'],
] as const;
const STATS = ['mean', 'p90'] as const;

/** The statistics the report's target is set on: its `met` is about these alone. */
const TARGETED = new Set(['ttft:mean', 'tpot:mean']);

/** A relative error as shown everywhere (the CLI prints the same): sign, one decimal, percent. */
export function formatRelativeError(error: number): string {
  // The sign of what is shown: an error that rounds to zero reads '+0.0%', never '-0.0%'.
  const text = (100 * error).toFixed(1).replace(/^-(0\.0)$/, '$1');
  return `${text.startsWith('-') ? '' : '+'}${text}%`;
}

/** A latency as shown in the validation table: milliseconds with two decimals (TPOT is a few ms on a CPU). */
export function formatLatency(seconds: number): string {
  return `${(seconds * 1e3).toFixed(2)} ms`;
}

/**
 * What the front end adds to a first token, as the fit measured it: its mean and, where the twin's
 * responses were paired with the engine's records, its p90 (each predicted request draws its own).
 */
export function describeFrontEnd(fit: NonNullable<ValidationReport['servedStepFit']>): string {
  const mean = `${((fit.frontEndSeconds ?? 0) * 1e3).toFixed(1)} ms`;
  if (!fit.frontEndPairs || fit.frontEndP90Seconds === undefined) return mean;
  return `${mean} on average (p90 ${(fit.frontEndP90Seconds * 1e3).toFixed(1)} ms; each predicted request draws one of the ${fit.frontEndPairs} twin responses' latencies)`;
}

/** The last validation in a few words: the errors of mean TTFT and mean TPOT, e.g. 'TTFT -8.0%, TPOT -3.0%'. */
export function validationHeadline(report: ValidationReport): string {
  const rows = validationRows(report).filter((r) => r.targeted);
  if (rows.length === 0) return 'no TTFT or TPOT measured';
  return rows.map((r) => `${r.label.split(' ')[0]} ${r.errorText}`).join(', ');
}

function rowsOf(predicted: RunSummary, measured: RunSummary, report: ValidationReport): ValidationRow[] {
  const max = report.target.maxRelativeError;
  const rows: ValidationRow[] = [];
  for (const [metric, name] of METRICS) {
    const p = predicted[metric];
    const m = measured[metric];
    if (!p || !m) continue;
    for (const stat of STATS) {
      const recorded = report.errors.find((e) => e.metric === metric && e.stat === stat);
      // The report's own error where it recorded one; else the same definition (metricErrors).
      const relativeError = recorded?.relativeError ?? (m[stat] > 0 ? (p[stat] - m[stat]) / m[stat] : 0);
      rows.push({
        metric,
        stat,
        label: `${name} ${stat}`,
        predictedSeconds: p[stat],
        measuredSeconds: m[stat],
        predictedText: formatLatency(p[stat]),
        measuredText: formatLatency(m[stat]),
        relativeError,
        errorText: formatRelativeError(relativeError),
        withinTarget: Math.abs(relativeError) <= max,
        targeted: TARGETED.has(`${metric}:${stat}`),
      });
    }
  }
  return rows;
}

/** Every metric and statistic both runs have, in the order TTFT, TPOT, ITL, E2E; mean before p90. */
function validationRows(report: ValidationReport): ValidationRow[] {
  return rowsOf(report.predicted, report.measured, report);
}

/**
 * The validation panel's model: predicted against measured per metric (the report's own RunSummaries),
 * the relative error of each (the report's `errors`), and whether the target was met. A pure function of
 * the report, so the panel draws exactly what the report says.
 */
export function validationChartModel(report: ValidationReport): ValidationChartModelType {
  const percent = (100 * report.target.maxRelativeError).toFixed(0);
  const w = report.workload;
  const e = report.engine;
  const notes = [
    `Measured ${report.measured.requests.completed} of ${report.measured.requests.total} requests completed; predicted ${report.predicted.requests.completed} of ${report.predicted.requests.total}.`,
  ];
  if (w.rate !== undefined) {
    notes.push(
      w.predictedCapacity && w.utilization
        ? `Arrivals at ${w.rate.toFixed(2)} req/s: ${(100 * w.utilization).toFixed(0)}% of the capacity predicted ${report.servedStepFit ? "after the warm-up's fit" : 'from the profile'} (${w.predictedCapacity.toFixed(2)} req/s).`
        : `Arrivals at ${w.rate.toFixed(2)} req/s.`,
    );
  }
  const served = report.servedStepFit;
  if (served) {
    notes.push(
      `Step model fitted to ${served.steps} steps the engine ran serving a twin of the validated run (${served.requests} other requests, seed ${served.seed}${(served.blocks ?? 1) > 1 ? `, in ${served.blocks} blocks of ${served.blockRequests} alternating with the validated run's` : ', before it'}): kernels ×${served.computeFactor.toFixed(3)}, host costs ×${served.fixedFactor.toFixed(3)}, +${((served.perSequenceSeconds ?? 0) * 1e6).toFixed(0)} µs per sequence; the front end (HTTP, streaming) adds ${describeFrontEnd(served)} to every first token.`,
    );
  }
  const only = report.profileOnly?.errors.filter((x) => x.stat === 'mean');
  if (only && only.length > 0) {
    notes.push(
      `From the profile alone: ${only.map((x) => `${x.metric.toUpperCase()} ${formatRelativeError(x.relativeError)}`).join(', ')}.`,
    );
  }
  const fit = report.engineStepFit;
  if (fit && !served) {
    notes.push(
      `Step model fitted to ${fit.steps.length} engine steps measured by the profile: kernels ×${fit.computeFactor.toFixed(3)}, host costs ×${fit.fixedFactor.toFixed(3)}.`,
    );
  }
  const all = report.steps.find((s) => s.kind === 'all');
  if (all && all.steps > 0) {
    notes.push(
      `Step time: ${(all.measuredMeanSeconds * 1e3).toFixed(2)} ms measured against ${(all.predictedMeanSeconds * 1e3).toFixed(2)} ms predicted (${formatRelativeError(all.relativeError)}) over ${all.steps} steps.`,
    );
  }
  notes.push(`Whole run: ${report.wallSeconds.toFixed(0)} s, profile included.`);
  return ValidationChartModel.parse({
    kind: 'validation',
    title: `Validation: ${report.model} on ${report.machine.adapter}`,
    subtitle: `${w.requests} requests of ${w.source} (seed ${w.seed}); ${e.policy}, max-num-seqs ${e.maxNumSeqs}, max-num-batched-tokens ${e.maxNumBatchedTokens}, ${e.dtype}${report.quick ? '; quick' : ''}`,
    headline: validationHeadline(report),
    rows: validationRows(report),
    target: {
      maxRelativeError: report.target.maxRelativeError,
      met: report.target.met,
      rule: `|error| of mean TTFT and mean TPOT each at most ${percent}%`,
    },
    notes,
    createdAt: report.createdAt,
  });
}
