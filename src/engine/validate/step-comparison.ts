import type { BatchShape } from '../perf/shape.js';
import type { StepRecord } from '../serve/local/engine.js';
import { percentileSorted } from '../sim/metrics.js';
import type { StepComparison, ValidationReport } from './report.js';
import type { ServedRun } from './serving-runs.js';

/** Measured steps against the step model, over all of them and by kind (decode-only, with prefill). */
export function compareSteps(
  records: readonly { shape: BatchShape; seconds: number; forwardSeconds: number }[],
  predict: (shape: BatchShape) => number,
): StepComparison[] {
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
      predictedP90Seconds: quantile(g.p, 90),
      predictedP99Seconds: quantile(g.p, 99),
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
