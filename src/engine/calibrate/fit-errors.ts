import type { MetricSummary, RunSummary } from '../sim/summary.js';

/** One metric after the fit: measured, predicted and the relative error (predicted / measured − 1). */
export interface MetricError {
  metric: string;
  measured: number;
  predicted: number;
  error: number;
}

/** A fit that leaves any of these metrics off by more than this fraction does not explain the run. */
export const EXPLAINED_WITHIN = 0.2;
/** The metrics the verdict looks at: what a serving engineer reads first. */
const VERDICT_METRICS = ['TTFT mean', 'TTFT p90', 'TPOT mean', 'TPOT p90', 'ITL mean', 'E2E mean'];

const STATS = ['mean', 'p50', 'p90', 'p99'] as const;

/**
 * Every latency metric of the measured run against the prediction, and output throughput. `frontEnd`:
 * seconds the front end adds before the first token, so to TTFT and E2E (the simulator's are the
 * engine's own).
 */
export function metricErrors(measured: RunSummary, predicted: RunSummary, frontEnd: number): MetricError[] {
  const errors: MetricError[] = [];
  const add = (metric: string, m: number | undefined, p: number | undefined) => {
    if (m === undefined || p === undefined || !(m > 0)) return;
    errors.push({ metric, measured: m, predicted: p, error: p / m - 1 });
  };
  const each = (name: string, m: MetricSummary | null, p: MetricSummary | null, shift: number) => {
    for (const stat of STATS) add(`${name} ${stat}`, m?.[stat], p ? p[stat] + shift : undefined);
  };
  each('TTFT', measured.ttft, predicted.ttft, frontEnd);
  each('TPOT', measured.tpot, predicted.tpot, 0);
  each('ITL', measured.itl, predicted.itl, 0);
  each('E2E', measured.e2e, predicted.e2e, frontEnd);
  add(
    'output tokens/s',
    measured.throughput.outputTokensPerSecond,
    predicted.throughput.outputTokensPerSecond,
  );
  return errors;
}

/** Whether the fit explains the run, and in words: which metrics it leaves off, and by how much. */
export function fitVerdict(errors: readonly MetricError[]): { explains: boolean; verdict: string } {
  const off = errors.filter(
    (e) => VERDICT_METRICS.includes(e.metric) && Math.abs(e.error) > EXPLAINED_WITHIN,
  );
  const within = `${(EXPLAINED_WITHIN * 100).toFixed(0)}%`;
  if (off.length === 0)
    return {
      explains: true,
      verdict: `the fit explains the run: ${VERDICT_METRICS.join(', ')} within ${within}`,
    };
  const list = off
    .map((e) => `${e.metric} ${e.error > 0 ? '+' : ''}${(e.error * 100).toFixed(1)}%`)
    .join(', ');
  return {
    explains: false,
    verdict: `the fit does NOT explain the run: ${list} (more than ${within} off after fitting decode, prefill and the front end); the step model leaves out something this run has (another deployment, a different scheduler, CPU contention, a load the workload record does not show), so do not trust predictions from this calibration for it`,
  };
}
