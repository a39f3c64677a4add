// A bench:accuracy run's modelled rows as the constant fits read them (constant-fits.ts), with the
// model family and source the held-out report groups them by (held-out.ts).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type EngineBackend, isEngineBackend } from '../../src/engine/opdb/systems.js';
import type { FitRow } from './constant-fits.js';
import { mapRow } from './map-row.js';
import { type RowSource, rowSourceOf } from './row-source.js';
import type { SiliconRow } from './rows.js';
import type { SimulationJob } from './simulation-job.js';

const Times = z.object({ ttftMs: z.number(), tpotMs: z.number() });

/** The part of a result row (metrics.ts RowResult) the fits read. */
export const ResultRow = z.object({
  id: z.string(),
  modelled: z.boolean(),
  concurrency: z.number().nullable(),
  partition: z.object({ engine: z.string(), family: z.string(), mode: z.enum(['agg', 'disagg']) }),
  measured: Times,
  predicted: Times.optional(),
});
export type ResultRow = z.infer<typeof ResultRow>;

/** An accuracy.json as the fits read it: what a partial run left out, and its rows. */
export const AccuracyRun = z.object({
  run: z.object({ selection: z.string().nullable() }).optional(),
  rows: z.array(ResultRow),
});
export type AccuracyRun = z.infer<typeof AccuracyRun>;

export function readAccuracyRun(file: string): AccuracyRun {
  return AccuracyRun.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function readAccuracyResult(file: string): ResultRow[] {
  return readAccuracyRun(file).rows;
}

/** A modelled row of a serving engine, as fitted and as grouped. */
export interface ScoredRow extends FitRow {
  id: string;
  engine: EngineBackend;
  family: string;
  source: RowSource;
}

/** Sequences one decoding replica runs: the part's clients over its decode pool's replicas. */
export function sequencesPerReplica(job: Pick<SimulationJob, 'concurrency' | 'config'>): number {
  const d = job.config.deployment;
  const dp = (d.kind === 'colocated' ? d.pool.plan.dp : d.decode.plan.dp) ?? 1;
  return job.concurrency / dp;
}

/**
 * The modelled rows of `results` with a serving engine, each mapped again (map-row.ts, with the file's
 * rows as bench:accuracy maps it) for its sequences per replica, and its source read off the CSV row.
 */
export function scoredRowsOf(results: readonly ResultRow[], fileRows: readonly SiliconRow[]): ScoredRow[] {
  const byId = new Map(fileRows.map((r) => [r.id, r]));
  const scored: ScoredRow[] = [];
  for (const r of results) {
    const row = byId.get(r.id);
    if (!r.modelled || !r.predicted || !row || !isEngineBackend(r.partition.engine)) continue;
    const mapping = mapRow(row, { fileRows });
    if (!mapping.modelled) continue;
    scored.push({
      id: r.id,
      engine: r.partition.engine,
      family: r.partition.family,
      source: rowSourceOf(row, fileRows),
      mode: r.partition.mode,
      concurrency: r.concurrency,
      sequences: sequencesPerReplica(mapping.job),
      measured: r.measured,
      predicted: r.predicted,
    });
  }
  return scored;
}
