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
