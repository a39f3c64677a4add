// The held-out figures of a run (held-out.ts) as accuracy.json records them: recorded, refitted in-sample,
// and with each model family's (each source's) rows left out of the fit that predicts them.
import type { EngineBackend } from '../../src/engine/opdb/systems.js';
import { ENGINE_FRONTEND_SECONDS, ENGINE_OVERHEADS } from '../../src/engine/perf/serving-engine.js';
import type { ScoredRow } from './fit-rows.js';
import {
  type Fold,
  type HeldOut,
  inSample,
  leaveOneOut,
  type Times,
  type UsedConstants,
} from './held-out.js';
import { type ErrorStats, errorStats } from './metrics.js';

/** Three predictions of the same rows: those the folds of one grouping predict. */
export interface HeldOutFigures {
  rows: number;
  /** The simulator's own predictions, with the constants it ran. */
  recorded: ErrorStats;
  /** Each engine's constants refitted on all its rows, re-applied as the folds' are. */
  inSample: ErrorStats;
  /** Each row predicted with constants fitted without its group's rows. */
  heldOut: ErrorStats;
}

/** One grouping's figures, overall and by engine. */
export interface HeldOutGrouping {
  overall: HeldOutFigures;
  engines: Record<string, HeldOutFigures>;
  /** Modelled rows no fold predicts (their engine has no other group's rows to fit on): left out above. */
  notHeldOut: number;
  folds: FoldSummary[];
}

/** One fold: the group left out, the constants fitted without it, and its rows in-sample and held out. */
export interface FoldSummary {
  group: string;
  engine: EngineBackend;
  rows: number;
  /** Null where the other groups hold no row to fit on. */
  fitted: { stepMs: number; perSequenceUs: number; frontendMs: number } | null;
  inSample: ErrorStats;
  heldOut: ErrorStats;
}

export interface HeldOutSummary {
  /** Each model family left out in turn. */
  family: HeldOutGrouping;
  /** Each source left out in turn (row-source.ts). */
  source: HeldOutGrouping;
  /** The constants the recorded predictions ran with, as the re-application assumes. */
  used: Record<string, { stepMs: number; perSequenceUs: number; frontendMs: number }>;
}

/** The constants of this commit: what a run of it used. */
export const currentConstants = (engine: EngineBackend): UsedConstants => ({
  overhead: ENGINE_OVERHEADS[engine],
  frontendSeconds: ENGINE_FRONTEND_SECONDS[engine],
});

const errorOf = (row: ScoredRow, p: Times) => ({
  ttft: (p.ttftMs - row.measured.ttftMs) / row.measured.ttftMs,
  tpot: (p.tpotMs - row.measured.tpotMs) / row.measured.tpotMs,
});

function statsOf(rows: readonly ScoredRow[], predict: (r: ScoredRow) => Times | undefined): ErrorStats {
  return errorStats(rows.flatMap((r) => [predict(r)].flatMap((p) => (p ? [errorOf(r, p)] : []))));
}

function figuresOf(rows: readonly ScoredRow[], fitted: HeldOut, heldOut: HeldOut): HeldOutFigures {
  return {
    rows: rows.length,
    recorded: statsOf(rows, (r) => r.predicted),
    inSample: statsOf(rows, (r) => fitted.predictions.get(r.id)),
    heldOut: statsOf(rows, (r) => heldOut.predictions.get(r.id)),
  };
}

function foldSummary(rows: readonly ScoredRow[], fold: Fold, fitted: HeldOut, heldOut: HeldOut): FoldSummary {
  const f = fold.fitted;
  return {
    group: fold.group,
    engine: fold.engine,
    rows: fold.rows,
    fitted: f
      ? { stepMs: f.step.a * 1e3, perSequenceUs: f.step.b * 1e6, frontendMs: f.frontendSeconds * 1e3 }
      : null,
    inSample: statsOf(rows, (r) => fitted.predictions.get(r.id)),
    heldOut: statsOf(rows, (r) => heldOut.predictions.get(r.id)),
  };
}

/** Leave-one-group-out of `all`, beside the in-sample refit, over the rows its folds predict. */
function grouping(
  all: readonly ScoredRow[],
  groupOf: (r: ScoredRow) => string,
  fitted: HeldOut,
  usedOf: (engine: EngineBackend) => UsedConstants,
): HeldOutGrouping {
  const heldOut = leaveOneOut(all, groupOf, usedOf);
  const rows = all.filter((r) => heldOut.predictions.has(r.id));
  const engines = [...new Set(rows.map((r) => r.engine))].sort();
  return {
    overall: figuresOf(rows, fitted, heldOut),
    engines: Object.fromEntries(
      engines.map((e) => [
        e,
        figuresOf(
          rows.filter((r) => r.engine === e),
          fitted,
          heldOut,
        ),
      ]),
    ),
    notHeldOut: all.length - rows.length,
    folds: heldOut.folds.map((fold) => {
      const own = all.filter((r) => r.engine === fold.engine && groupOf(r) === fold.group);
      return foldSummary(own, fold, fitted, heldOut);
    }),
  };
}

/** The held-out figures of a run's rows; `usedOf`: the constants its predictions ran with. */
export function heldOutSummary(
  all: readonly ScoredRow[],
  usedOf: (engine: EngineBackend) => UsedConstants = currentConstants,
): HeldOutSummary {
  const fitted = inSample(all, usedOf);
  const used: HeldOutSummary['used'] = {};
  for (const engine of [...new Set(all.map((r) => r.engine))].sort()) {
    const u = usedOf(engine);
    used[engine] = {
      stepMs: u.overhead.stepSeconds * 1e3,
      perSequenceUs: (u.overhead.perSequenceSeconds + u.overhead.perTokenSeconds) * 1e6,
      frontendMs: u.frontendSeconds * 1e3,
    };
  }
  return {
    family: grouping(all, (r) => r.family, fitted, usedOf),
    source: grouping(all, (r) => r.source, fitted, usedOf),
    used,
  };
}
