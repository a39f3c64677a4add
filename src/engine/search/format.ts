import { type SloDefinition, sloInWords } from '../workload/slo-verdict.js';

/**
 * A latency as search results show it: three significant digits, so points a front separates by a
 * fraction of a millisecond still read apart.
 */
export function latencyText(seconds: number): string {
  if (seconds >= 0.9995) return `${seconds.toFixed(2)} s`;
  return `${(seconds * 1000).toPrecision(3)} ms`;
}

/** An SLO in the words of its definition, e.g. '90% of requests within TTFT 2 s and p90 token gap 100 ms'. */
export function sloTargetsText(slo: SloDefinition): string {
  return sloInWords(slo);
}

/** What a search compared configurations at: 'at 4.00 req/s', or 'closed loop, 64 in flight'. */
export function searchLoadText(workload: { rate: number; concurrency?: number }): string {
  return workload.concurrency === undefined
    ? `at ${workload.rate.toFixed(2)} req/s`
    : `closed loop, ${workload.concurrency} in flight`;
}
