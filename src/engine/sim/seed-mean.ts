import type { Workload } from '../workload/types.js';
import type { SimulationConfigInput } from './config.js';
import { type SimulateOptions, simulate } from './simulate.js';
import { type MetricSummary, RunSummary } from './summary.js';

/**
 * The expected run where steps take random times (a step-time spread): the workload simulated with
 * `seeds` seeds of the step-time draws (seed, seed + 1, …) and every latency, throughput and count
 * averaged over them (min and max as well; `count`s and the series over time are the first seed's). One
 * draw of the step times is one possible run: with this machine's spread and slow spells, the mean TTFT
 * of 200 requests moved by about 10% from seed to seed, noise a prediction does not need to add to the
 * measured run's own.
 */
export function simulateSeedMean(
  config: SimulationConfigInput,
  workload: Workload,
  seeds: number,
  options: SimulateOptions = {},
): RunSummary {
  const base = config.seed ?? 0;
  const runs = Array.from({ length: Math.max(1, seeds) }, (_, k) =>
    simulate({ ...config, seed: base + k }, workload, options),
  );
  if (runs.length === 1) return runs[0];
  const first = runs[0];
  const avg = (f: (s: RunSummary) => number) => runs.reduce((sum, s) => sum + f(s), 0) / runs.length;
  const metric = (pick: (s: RunSummary) => MetricSummary | null): MetricSummary | null => {
    const own = pick(first);
    if (!own || runs.some((s) => pick(s) === null)) return own;
    const of = (key: keyof MetricSummary) => avg((s) => pick(s)![key]);
    return {
      count: own.count,
      mean: of('mean'),
      p50: of('p50'),
      p90: of('p90'),
      p99: of('p99'),
      min: of('min'),
      max: of('max'),
    };
  };
  const overTime = (pick: (s: RunSummary) => RunSummary['kvUtilization']) => {
    const own = pick(first);
    if (!own || runs.some((s) => pick(s) === null)) return own;
    return { ...own, mean: avg((s) => pick(s)!.mean), peak: avg((s) => pick(s)!.peak) };
  };
  const t = first.throughput;
  return RunSummary.parse({
    ...first,
    label: `${first.label} (mean of ${runs.length} seeds of the step times)`,
    ttft: metric((s) => s.ttft),
    tpot: metric((s) => s.tpot),
    itl: metric((s) => s.itl),
    e2e: metric((s) => s.e2e),
    queueing: metric((s) => s.queueing),
    kvTransfer: metric((s) => s.kvTransfer),
    throughput: Object.fromEntries(
      (Object.keys(t) as (keyof typeof t)[]).map((key) => [key, avg((s) => s.throughput[key])]),
    ),
    goodput: first.goodput
      ? {
          ...first.goodput,
          requestsPerSecond: avg((s) => s.goodput?.requestsPerSecond ?? 0),
          fraction: avg((s) => s.goodput?.fraction ?? 0),
        }
      : null,
    kvUtilization: overTime((s) => s.kvUtilization),
    kvCached: overTime((s) => s.kvCached ?? null),
    batchSize: overTime((s) => s.batchSize),
    preemptions: Math.round(avg((s) => s.preemptions)),
    simulatedSeconds: avg((s) => s.simulatedSeconds),
    wallSeconds: runs.reduce((sum, s) => sum + s.wallSeconds, 0),
    steps: Math.round(avg((s) => s.steps)),
  });
}
