import { latencyText } from './format.js';
import type { EvaluatedConfiguration, SloPercentile } from './schema.js';

/** What ranking a configuration needs: its plan kind and what it delivered. */
type Ranked = Pick<EvaluatedConfiguration, 'candidate' | 'metrics' | 'maxRateUnderSlo' | 'best'>;

/** What the verdict needs of a configuration: what ranking needs, and its name. */
type Judged = Ranked & { label: string };

/**
 * Best first: the highest rate under the SLOs, then (none meeting them, the usual case of a search
 * that has to ask whether to split) the most requests within the targets at the search rate, then
 * throughput per GPU.
 */
const rank = (a: Ranked, b: Ranked) =>
  (b.maxRateUnderSlo ?? -1) - (a.maxRateUnderSlo ?? -1) ||
  b.metrics.attainment - a.metrics.attainment ||
  b.metrics.throughputPerGpu - a.metrics.throughputPerGpu;

/**
 * Whether to split prefill and decode, the question `--disaggregation` asks: the best disaggregated
 * configuration against the best colocated one, by what each serves under the SLOs and, at the search
 * rate, the share of requests within the targets and TTFT and TBT at the SLO's percentile. Without it
 * the answer was left to reading the fronts, where a split that lost is only a row further down.
 */
export function explainDisaggregation(configurations: readonly Judged[], p: SloPercentile): string {
  const split = bestSplit(configurations);
  const together = configurations.filter((c) => c.candidate.kind === 'colocated').sort(rank)[0];
  if (!split) return 'disaggregation: no disaggregated configuration fits these GPUs';
  const delivers = (c: Judged) =>
    `${c.maxRateUnderSlo === null ? 'no rate' : `${c.maxRateUnderSlo.toFixed(2)} req/s`} under the SLOs (at the search rate ${(100 * c.metrics.attainment).toFixed(1)}% of requests within the targets, TTFT ${p} ${latencyText(c.metrics.ttft[p])}, TBT ${p} ${latencyText(c.metrics.tbt[p])})`;
  const verdict = split.best
    ? 'disaggregation chosen'
    : together?.best
      ? 'disaggregation not chosen'
      : 'disaggregation: neither meets the SLOs';
  const against = together ? `, against ${delivers(together)} for the best colocated, ${together.label}` : '';
  return `${verdict}: the best disaggregated configuration, ${split.label}, serves ${delivers(split)}${against}`;
}

/** The disaggregated configuration the verdict judges (the best split), whose commands are printed with it. */
export function bestSplit<T extends Ranked>(configurations: readonly T[]): T | undefined {
  return configurations.filter((c) => c.candidate.kind === 'disaggregated').sort(rank)[0];
}
