import { sloVerdict } from '../workload/slo-verdict.js';
import type { EvaluationMetrics, Slo } from './schema.js';

// The search's side of the one SLO evaluator (`sloVerdict`): a configuration's run at a rate is judged
// exactly as `simulate` judges the same run.

function verdict(metrics: EvaluationMetrics, slo: Slo) {
  return sloVerdict(slo, {
    stable: metrics.stable,
    attainment: metrics.attainment,
    ttft: metrics.ttft,
    tbt: metrics.tbt,
    tpot: metrics.tpot,
    e2e: metrics.e2e,
  });
}

/** Head-room over the SLO (`SloVerdict.margin`); −∞ for an unstable run. */
export function sloMargin(metrics: EvaluationMetrics, slo: Slo): number {
  return verdict(metrics, slo).margin;
}

export function meetsSlo(metrics: EvaluationMetrics, slo: Slo): boolean {
  return verdict(metrics, slo).meets;
}

/**
 * Of runs none of which need meet the SLO, the nearest to meeting it: the largest head-room (`sloMargin`),
 * the first of equals; undefined when there are none.
 */
export function nearestToSlo<T extends { metrics: EvaluationMetrics }>(
  runs: readonly T[],
  slo: Slo,
): T | undefined {
  let nearest: { run: T; margin: number } | undefined;
  for (const run of runs) {
    const margin = sloMargin(run.metrics, slo);
    if (!nearest || margin > nearest.margin) nearest = { run, margin };
  }
  return nearest?.run;
}
