// Held-out accuracy of the per-engine constants: each group of rows (a model family, a source) predicted
// with constants refitted, by the fits of constant-fits.ts, on the other groups' rows alone.
import type { EngineBackend } from '../../src/engine/opdb/systems.js';
import type { EngineOverhead } from '../../src/engine/perf/serving-engine.js';
import {
  type FitRow,
  fitFrontend,
  fitStepOverhead,
  frontendPointOf,
  overheadSeconds,
  type StepOverhead,
  stepPointOf,
} from './constant-fits.js';
import type { ScoredRow } from './fit-rows.js';

/** One engine's constants as a run used them. */
export interface UsedConstants {
  overhead: EngineOverhead;
  frontendSeconds: number;
}

/** One engine's constants as refitted. */
export interface FittedConstants {
  step: StepOverhead;
  frontendSeconds: number;
}

export type Times = { ttftMs: number; tpotMs: number };

/**
 * Both constants fitted to `rows` (one engine's), or undefined where they hold no row for one of the
 * fits (the front end is fitted on the aggregated rows of few clients alone).
 */
export function fitConstants(rows: readonly FitRow[], used: UsedConstants): FittedConstants | undefined {
  const frontendPoints = rows.flatMap((r) => frontendPointOf(r, used.frontendSeconds) ?? []);
  if (rows.length === 0 || frontendPoints.length === 0) return undefined;
  const { a, b } = fitStepOverhead(rows.map((r) => stepPointOf(r, used.overhead)));
  return { step: { a, b }, frontendSeconds: fitFrontend(frontendPoints).f };
}

/**
 * A row's prediction with other constants, from the recorded one. The front end is exact: closed-loop.ts
 * adds it to each request's TTFT after the engine has run (the engine sees a client's next request when the
 * last settles), so swapping it moves TTFT by the difference and nothing else. The step overhead is the
 * fits' own first-order model: TPOT moves by the change of a + b × sequences per replica, one step per
 * output token; TTFT keeps the step overhead the run used.
 */
export function reapplied(row: FitRow, used: UsedConstants, fitted: FittedConstants): Times {
  const overhead = fitted.step.a + fitted.step.b * row.sequences;
  return {
    ttftMs: row.predicted.ttftMs + (fitted.frontendSeconds - used.frontendSeconds) * 1e3,
    tpotMs: row.predicted.tpotMs + (overhead - overheadSeconds(used.overhead, row.sequences)) * 1e3,
  };
}

/** One fold: a group left out of one engine's fit, the constants fitted without it. */
export interface Fold {
  group: string;
  engine: EngineBackend;
  rows: number;
  /** Undefined where the other groups hold no row to fit on: the group's rows get no held-out prediction. */
  fitted?: FittedConstants;
}

export interface HeldOut {
  folds: Fold[];
  /** Each row's prediction with its fold's constants, by id; absent where its fold has none. */
  predictions: Map<string, Times>;
}

/** One fold: `train`'s constants fitted and applied to `own`, whose predictions go into `predictions`. */
function runFold(
  fold: { group: string; engine: EngineBackend },
  own: readonly ScoredRow[],
  train: readonly ScoredRow[],
  used: UsedConstants,
  predictions: Map<string, Times>,
): Fold {
  const fitted = fitConstants(train, used);
  if (fitted) for (const r of own) predictions.set(r.id, reapplied(r, used, fitted));
  return { ...fold, rows: own.length, ...(fitted ? { fitted } : {}) };
}

/**
 * Leave-one-group-out: for each group and engine, that engine's constants refitted on its rows of the
 * other groups, and applied to the group's rows.
 */
export function leaveOneOut(
  rows: readonly ScoredRow[],
  groupOf: (r: ScoredRow) => string,
  usedOf: (engine: EngineBackend) => UsedConstants,
): HeldOut {
  const predictions = new Map<string, Times>();
  const keys = new Set(rows.map((r) => `${r.engine}\u0000${groupOf(r)}`));
  const folds = [...keys].sort().map((key) => {
    const [engine, group] = key.split('\u0000') as [EngineBackend, string];
    const ofEngine = rows.filter((r) => r.engine === engine);
    const own = ofEngine.filter((r) => groupOf(r) === group);
    const others = ofEngine.filter((r) => groupOf(r) !== group);
    return runFold({ group, engine }, own, others, usedOf(engine), predictions);
  });
  return { folds, predictions };
}

/** In-sample: each engine's constants refitted on all its rows and applied to them, as a fold applies its own. */
export function inSample(
  rows: readonly ScoredRow[],
  usedOf: (engine: EngineBackend) => UsedConstants,
): HeldOut {
  const predictions = new Map<string, Times>();
  const folds = [...new Set(rows.map((r) => r.engine))].sort().map((engine) => {
    const own = rows.filter((r) => r.engine === engine);
    return runFold({ group: 'all rows', engine }, own, own, usedOf(engine), predictions);
  });
  return { folds, predictions };
}
