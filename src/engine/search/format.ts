import { runLoadText } from '../sim/load-text.js';
import { type SloDefinition, sloInWords } from '../workload/slo-verdict.js';
import type { EvaluationMetrics, Slo } from './schema.js';

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

/**
 * What a search compared configurations at: 'at 4.00 req/s', or a closed loop in the words of a run's
 * load (`runLoadText`): 'closed loop, 64 clients, no think time' (a search's clients send at once).
 */
export function searchLoadText(workload: { rate: number; concurrency?: number }): string {
  return workload.concurrency === undefined
    ? `at ${workload.rate.toFixed(2)} req/s`
    : runLoadText({ mode: 'closed', concurrency: workload.concurrency, thinkSeconds: 0 });
}

/** A latency a search, a tune or a config lens shows for each configuration, at the SLO's percentile. */
export interface ShownLatency {
  metric: 'ttft' | 'tbt' | 'tpot';
  label: string;
}

/**
 * The latencies results show next to each configuration: TTFT and TBT always (the latency front's
 * axes), and TPOT too when the SLO targets it. Without it a TPOT target is judged where only TBT is
 * shown, and 'TBT p99 121 ms … meets SLO: yes' under 'TPOT 50 ms' reads as a contradiction (TBT, a
 * request's token gaps, runs above its mean gap, TPOT, whenever a prefill stalls a decode step).
 */
export function shownLatencies(slo: Pick<Slo, 'tpot'>): ShownLatency[] {
  return [
    { metric: 'ttft', label: 'TTFT' },
    { metric: 'tbt', label: 'TBT' },
    ...(slo.tpot === undefined ? [] : [{ metric: 'tpot' as const, label: 'TPOT' }]),
  ];
}

/** `shownLatencies` of one run in words: 'TTFT p90 385 ms, TBT p90 103 ms, TPOT p90 31.2 ms'. */
export function shownLatenciesText(metrics: EvaluationMetrics, slo: Slo): string {
  const p = slo.percentile;
  return shownLatencies(slo)
    .map(({ metric, label }) => `${label} ${p} ${latencyText(metrics[metric][p])}`)
    .join(', ');
}

/** The run's latencies at the SLO's percentile for the targets it gives, e.g. 'TBT p90 35.6 ms'. */
export function targetLatenciesText(metrics: EvaluationMetrics, slo: Slo): string {
  const p = slo.percentile;
  const given = [
    slo.ttft === undefined ? null : `TTFT ${p} ${latencyText(metrics.ttft[p])}`,
    slo.tbt === undefined ? null : `TBT ${p} ${latencyText(metrics.tbt[p])}`,
    slo.tpot === undefined ? null : `TPOT ${p} ${latencyText(metrics.tpot[p])}`,
  ];
  return given.filter((x): x is string => x !== null).join(', ');
}

/**
 * What a configuration's run misses of the SLO, in words: attainment form, the share of requests that
 * met every target against the share required; percentile form, each given target its percentile
 * exceeds (an absent target is unconstrained, so it is never missed). Empty when it meets the SLO.
 */
export function sloMisses(metrics: EvaluationMetrics, slo: Slo): string[] {
  const misses: string[] = [];
  if (slo.form === 'attainment') {
    if (metrics.attainment < slo.attainment)
      misses.push(
        `${(metrics.attainment * 100).toFixed(1)}% of requests meet every target, < ${(slo.attainment * 100).toFixed(0)}%`,
      );
  } else {
    const p = slo.percentile;
    const targets = [
      ['TTFT', metrics.ttft[p], slo.ttft],
      ['TBT', metrics.tbt[p], slo.tbt],
      ['TPOT', metrics.tpot[p], slo.tpot],
    ] as const;
    for (const [name, value, target] of targets)
      if (target !== undefined && value > target)
        misses.push(`${name} ${p} ${latencyText(value)} > ${latencyText(target)}`);
  }
  if (!metrics.stable)
    misses.push(
      metrics.requestThroughput === 0
        ? 'it served no request (none could be admitted)'
        : 'its queue grows without end',
    );
  return misses;
}
