import type { EvaluationMetrics, Slo } from './schema.js';

/** The SLO targets and the metric each bounds, at the SLO's percentile. */
function targets(metrics: EvaluationMetrics, slo: Slo): [number, number][] {
  const p = slo.percentile;
  const pairs: [number, number][] = [
    [metrics.ttft[p], slo.ttft],
    [metrics.tbt[p], slo.tbt],
  ];
  if (slo.tpot !== undefined) pairs.push([metrics.tpot[p], slo.tpot]);
  return pairs;
}

/** Smallest relative headroom over the targets: 0.2 means every metric is at least 20% under its target. */
export function sloMargin(metrics: EvaluationMetrics, slo: Slo): number {
  if (!metrics.stable) return Number.NEGATIVE_INFINITY;
  return Math.min(...targets(metrics, slo).map(([value, target]) => (target - value) / target));
}

export function meetsSlo(metrics: EvaluationMetrics, slo: Slo): boolean {
  return sloMargin(metrics, slo) >= 0;
}
