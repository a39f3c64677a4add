import type { Slo } from './schema.js';

/**
 * A latency as search results show it: three significant digits, so points a front separates by a
 * fraction of a millisecond still read apart.
 */
export function latencyText(seconds: number): string {
  if (seconds >= 0.9995) return `${seconds.toFixed(2)} s`;
  return `${(seconds * 1000).toPrecision(3)} ms`;
}

/** The targets of an SLO, e.g. 'TTFT ≤ 2.00 s, TBT ≤ 100 ms, TPOT ≤ 50.0 ms'. */
export function sloTargetsText(slo: Pick<Slo, 'ttft' | 'tbt' | 'tpot'>): string {
  const tpot = slo.tpot === undefined ? '' : `, TPOT ≤ ${latencyText(slo.tpot)}`;
  return `TTFT ≤ ${latencyText(slo.ttft)}, TBT ≤ ${latencyText(slo.tbt)}${tpot}`;
}

/** What a search compared configurations at: 'at 4.00 req/s', or 'closed loop, 64 in flight'. */
export function searchLoadText(workload: { rate: number; concurrency?: number }): string {
  return workload.concurrency === undefined
    ? `at ${workload.rate.toFixed(2)} req/s`
    : `closed loop, ${workload.concurrency} in flight`;
}
