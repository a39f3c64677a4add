import { percentileSorted } from '../util/stats.js';
import { type FrontEndLatencies, frontEndLatencies } from './front-end-latency.js';
import type { ValidationOptions } from './options.js';
import type { PredictionSetup, StepTarget } from './prediction-setup.js';
import type { ValidationReport } from './report.js';
import type { ServedBlocks } from './served-blocks.js';

/** The step model fitted to the twin's steps, and the front end measured on its responses. */
export interface TwinFit {
  /** The step target that predicts the validated run. */
  target: StepTarget;
  /** What the front end adds to each first token, drawn per predicted request. */
  frontEnd: FrontEndLatencies;
  /** The fit as the report records it. */
  record: NonNullable<ValidationReport['servedStepFit']>;
}

/**
 * Fits the step model to the twin's steps only; only step times and the front end's latency are taken
 * from the twin, never its metrics. `warmStarted`: when the warm-up began (the record's wall time
 * counts from there).
 */
export function fitToTwin(
  setup: PredictionSetup,
  options: ValidationOptions,
  blocks: ServedBlocks,
  rate: number | null,
  warmStarted: number,
): TwinFit {
  const fitted = setup.servedTarget(blocks.twin.flatMap((b) => b.steps));
  const frontEnd = frontEndLatencies(blocks.twin);
  return {
    target: fitted,
    frontEnd,
    record: {
      requests: options.requests,
      warmUpRequests: options.warmUpRequests ?? 0,
      seed: options.seed + 2,
      rate,
      blockRequests: blocks.blockRequests,
      blocks: blocks.validated.length,
      ...fitted.fit,
      frontEndSeconds: mean(frontEnd.seconds) ?? 0,
      frontEndP90Seconds: percentile(frontEnd.seconds, 90),
      frontEndPairs: frontEnd.paired,
      wallSeconds: (performance.now() - warmStarted) / 1000,
    },
  };
}

function mean(values: readonly number[]): number | null {
  return values.length > 0 ? values.reduce((sum, v) => sum + v, 0) / values.length : null;
}

function percentile(values: readonly number[], q: number): number {
  return values.length > 0 ? percentileSorted(Float64Array.from(values).sort(), q) : 0;
}
