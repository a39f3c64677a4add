import type { BatchShape } from '../perf/shape.js';
import type { StepRecord } from '../serve/local/engine.js';
import { percentileSorted } from '../util/stats.js';
import type { StepComparison, ValidationReport } from './report.js';
import type { ServedRun } from './serving-runs.js';

/**
 * Measured steps against the step model, over all of them and by kind (decode-only, with prefill). With
 * the step-time `spread` the simulator draws each step's factor from, the predicted percentiles are
 * those of the model's times with it (every step's time times every, equally probable, factor): without
 * it they would only show how the batches differ, and a measured p99 several times the typical step
 * would look missed by a prediction that does draw such steps.
 */
export function compareSteps(
  records: readonly { shape: BatchShape; seconds: number; forwardSeconds: number }[],
  predict: (shape: BatchShape) => number,
  spread?: readonly number[],
): StepComparison[] {
  const factors = spread && spread.length > 0 ? Float64Array.from(spread).sort() : null;
  const predictedQuantile = (times: number[], q: number) =>
    factors ? spreadQuantile(times, factors, q) : quantile(times, q);
  const groups: Record<
    StepComparison['kind'],
    { n: number; measured: number; forward: number; predicted: number; m: number[]; p: number[] }
  > = {
    all: { n: 0, measured: 0, forward: 0, predicted: 0, m: [], p: [] },
    'decode-only': { n: 0, measured: 0, forward: 0, predicted: 0, m: [], p: [] },
    'with-prefill': { n: 0, measured: 0, forward: 0, predicted: 0, m: [], p: [] },
  };
  for (const r of records) {
    const p = predict(r.shape);
    for (const kind of ['all', r.shape.prefillTokens > 0 ? 'with-prefill' : 'decode-only'] as const) {
      groups[kind].n++;
      groups[kind].measured += r.seconds;
      groups[kind].forward += r.forwardSeconds;
      groups[kind].m.push(r.seconds);
      groups[kind].p.push(p);
      groups[kind].predicted += p;
    }
  }
  return (Object.keys(groups) as StepComparison['kind'][]).map((kind) => {
    const g = groups[kind];
    return {
      kind,
      steps: g.n,
      measuredMeanSeconds: g.n > 0 ? g.measured / g.n : 0,
      predictedMeanSeconds: g.n > 0 ? g.predicted / g.n : 0,
      measuredForwardMeanSeconds: g.n > 0 ? g.forward / g.n : 0,
      measuredP90Seconds: quantile(g.m, 90),
      measuredP99Seconds: quantile(g.m, 99),
      predictedP90Seconds: predictedQuantile(g.p, 90),
      predictedP99Seconds: predictedQuantile(g.p, 99),
      relativeError: g.measured > 0 ? g.predicted / g.measured - 1 : 0,
    };
  });
}

/** The blocks in the order served (twin, validated, twin, …), each with its steps' error. */
export function servedBlockRecords(
  twin: readonly ServedRun[],
  validated: readonly ServedRun[],
  blockRequests: number,
  compare: (steps: readonly StepRecord[]) => StepComparison[],
): NonNullable<ValidationReport['servedBlocks']> {
  return validated.flatMap((v, i) =>
    (
      [
        ['twin', twin[i]],
        ['validated', v],
      ] as const
    ).map(([kind, block]) => {
      const all = compare(block.steps).find((c) => c.kind === 'all');
      return {
        kind,
        skip: i * blockRequests,
        requests: block.requests.length,
        steps: block.steps.length,
        measuredStepMeanSeconds: all?.measuredMeanSeconds ?? 0,
        predictedStepMeanSeconds: all?.predictedMeanSeconds ?? 0,
        wallSeconds: block.summary.wallSeconds,
      };
    }),
  );
}

/** The q-th percentile (0–100) of `values`, as the run summaries take theirs. */
function quantile(values: readonly number[], q: number): number {
  return percentileSorted(Float64Array.from(values).sort(), q);
}

/**
 * The q-th percentile (0–100) of t × f, t over `times` and f over the sorted, equally probable `factors`:
 * the smallest x (to a millionth of the range) with at least q% of the pairs at or below it.
 */
function spreadQuantile(times: readonly number[], factors: Float64Array, q: number): number {
  if (times.length === 0) return 0;
  const pairsAtOrBelow = (x: number) => {
    let count = 0;
    for (const t of times) count += t > 0 ? atOrBelow(factors, x / t) : factors.length;
    return count;
  };
  const wanted = (q / 100) * times.length * factors.length;
  let lo = 0;
  let hi = times.reduce((most, t) => Math.max(most, t), 0) * factors[factors.length - 1];
  for (let i = 0; i < 60 && hi - lo > 1e-6 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (pairsAtOrBelow(mid) >= wanted) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** How many of the sorted `values` are at or below `x`. */
function atOrBelow(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
