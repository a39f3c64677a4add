// The fits of the per-engine constants (perf/serving-engine.ts ENGINE_OVERHEADS, ENGINE_FRONTEND_SECONDS)
// to a bench:accuracy run's rows: the procedure scripts/fit-engine-overhead.ts and
// scripts/fit-frontend-latency.ts print, and the held-out report (held-out.ts) refits on each fold.
// docs/architecture/engine-overheads.md "How it was fitted" states both fits.
import type { EngineOverhead } from '../../src/engine/perf/serving-engine.js';

/** A modelled row as both fits read it: its engine's results, times in milliseconds. */
export interface FitRow {
  mode: 'agg' | 'disagg';
  /** The row's whole client count. */
  concurrency: number | null;
  /** Sequences one decoding replica runs: the part's clients over its decode pool's replicas. */
  sequences: number;
  measured: { ttftMs: number; tpotMs: number };
  predicted: { ttftMs: number; tpotMs: number };
}

/** A step overhead a + b × sequences, seconds. */
export interface StepOverhead {
  a: number;
  b: number;
}

/** The overhead per step a prediction ran with, at a replica's sequences (the per-token term at one token each). */
export function overheadSeconds(used: EngineOverhead, sequences: number): number {
  return used.stepSeconds + (used.perSequenceSeconds + used.perTokenSeconds) * sequences;
}

export interface StepPoint {
  sequences: number;
  /** Measured TPOT minus the predicted kernels' share, seconds. */
  residual: number;
  measured: number;
}

/**
 * A decode step's time is its kernels plus the host's overhead, so
 *   measured TPOT − (predicted TPOT − overhead the prediction used) ≈ a + b × sequences per replica.
 */
export function stepPointOf(row: FitRow, used: EngineOverhead): StepPoint {
  const measured = row.measured.tpotMs / 1e3;
  const kernels = row.predicted.tpotMs / 1e3 - overheadSeconds(used, row.sequences);
  return { sequences: row.sequences, residual: measured - kernels, measured };
}

/** Mean absolute relative TPOT error, percent, with overhead a + b × sequences. */
export function stepOverheadMape(points: readonly StepPoint[], { a, b }: StepOverhead): number {
  let sum = 0;
  for (const p of points) sum += Math.abs(p.residual - a - b * p.sequences) / p.measured;
  return (100 * sum) / points.length;
}

/**
 * The (a, b) ≥ 0 of least mean absolute relative error (what bench:accuracy reports), by grid search:
 * a in 0–3 ms by 10 µs, b in 0–50 µs by 0.25 µs.
 */
export function fitStepOverhead(points: readonly StepPoint[]): StepOverhead & { mape: number } {
  let best = { a: 0, b: 0, mape: stepOverheadMape(points, { a: 0, b: 0 }) };
  for (let i = 0; i <= 300; i++) {
    for (let j = 0; j <= 200; j++) {
      const a = i * 1e-5;
      const b = j * 0.25e-6;
      const mape = stepOverheadMape(points, { a, b });
      if (mape < best.mape) best = { a, b, mape };
    }
  }
  return best;
}

/**
 * The rows the front end is fitted on: aggregated, at most this many clients. At low concurrency queueing
 * is small and the front end is most of what the step model does not time.
 */
export const FRONTEND_FIT_MAX_CLIENTS = 8;

export interface FrontendPoint {
  /** The predicted TTFT without the front end, seconds. */
  engine: number;
  measured: number;
}

/**
 * measured TTFT ≈ (predicted TTFT − the front-end latency the prediction used) + f, for an aggregated row
 * of at most `maxClients` clients; undefined for the other rows.
 */
export function frontendPointOf(
  row: FitRow,
  usedSeconds: number,
  maxClients = FRONTEND_FIT_MAX_CLIENTS,
): FrontendPoint | undefined {
  if (row.mode !== 'agg' || row.concurrency === null || row.concurrency > maxClients) return undefined;
  return { engine: row.predicted.ttftMs / 1e3 - usedSeconds, measured: row.measured.ttftMs / 1e3 };
}

/** Mean absolute relative TTFT error (a fraction) with front end f, seconds. */
export function frontendMape(points: readonly FrontendPoint[], f: number): number {
  return points.reduce((sum, p) => sum + Math.abs(p.engine + f - p.measured) / p.measured, 0) / points.length;
}

/** The f ≥ 0 of least mean absolute relative error, by grid search (0–300 ms by 1 ms); seconds. */
export function fitFrontend(points: readonly FrontendPoint[]): { f: number; mape: number } {
  let best = { f: 0, mape: Number.POSITIVE_INFINITY };
  for (let ms = 0; ms <= 300; ms++) {
    const f = ms / 1000;
    const mape = frontendMape(points, f);
    if (mape < best.mape) best = { f, mape };
  }
  return best;
}
