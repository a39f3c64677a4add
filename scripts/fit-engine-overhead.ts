// Fits each engine's per-step framework overhead (perf/serving-engine.ts ENGINE_OVERHEADS) to the measured
// TPOT of silicon-calibration.csv, from a bench:accuracy result:
//   npx tsx scripts/fit-engine-overhead.ts [bench/results/accuracy.json]
// A decode step's time is its kernels plus the host's overhead, so for each modelled row
//   measured TPOT − (predicted TPOT − overhead the prediction used) ≈ a + b × sequences per replica,
// fitted per engine to the least mean absolute relative error (what bench:accuracy reports), a and b ≥ 0.
// Shared and physical only: one (a, b) per engine, no per-model or per-row term. Prints the fit.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { mapRow } from '../bench/accuracy/map-row.js';
import { findSiliconCsv, readSiliconCsv } from '../bench/accuracy/rows.js';
import { isEngineBackend } from '../src/engine/opdb/systems.js';
import { ENGINE_OVERHEADS, type EngineOverhead } from '../src/engine/perf/serving-engine.js';

const Result = z.object({
  rows: z.array(
    z.object({
      id: z.string(),
      modelled: z.boolean(),
      measured: z.object({ tpotMs: z.number() }),
      predicted: z.object({ tpotMs: z.number() }).optional(),
    }),
  ),
});

interface Point {
  sequences: number;
  /** Measured TPOT minus the predicted kernels' share, seconds. */
  residual: number;
  measured: number;
}

/** Sequences one decoding replica runs: the part's clients over its decode pool's replicas. */
function sequencesPerReplica(job: { concurrency: number; config: { deployment: unknown } }): number {
  const d = job.config.deployment as {
    kind: string;
    pool?: { plan: { dp: number } };
    decode?: { plan: { dp: number } };
  };
  const dp = (d.kind === 'colocated' ? d.pool?.plan.dp : d.decode?.plan.dp) ?? 1;
  return job.concurrency / dp;
}

/** Mean absolute relative TPOT error with overhead a + b × sequences. */
function mapeOf(points: readonly Point[], a: number, b: number): number {
  let sum = 0;
  for (const p of points) sum += Math.abs(p.residual - a - b * p.sequences) / p.measured;
  return (100 * sum) / points.length;
}

/**
 * The (a, b) ≥ 0 of least mean absolute relative error (what bench:accuracy reports), by grid search:
 * a in 0–3 ms by 10 µs, b in 0–50 µs by 0.25 µs.
 */
function fitNonNegative(points: readonly Point[]): { a: number; b: number } {
  let best = { a: 0, b: 0, mape: mapeOf(points, 0, 0) };
  for (let i = 0; i <= 300; i++) {
    for (let j = 0; j <= 200; j++) {
      const a = i * 1e-5;
      const b = j * 0.25e-6;
      const mape = mapeOf(points, a, b);
      if (mape < best.mape) best = { a, b, mape };
    }
  }
  return best;
}

function main(): void {
  const file = process.argv[2] ?? 'bench/results/accuracy.json';
  const result = Result.parse(JSON.parse(readFileSync(file, 'utf8')));
  const csv = findSiliconCsv(undefined);
  if (!csv) throw new Error('no silicon-calibration.csv');
  const rows = new Map(readSiliconCsv(csv).map((r) => [r.id, r]));
  const byEngine = new Map<string, Point[]>();
  for (const r of result.rows) {
    const row = rows.get(r.id);
    if (!r.modelled || !r.predicted || !row || !isEngineBackend(row.backend)) continue;
    const mapping = mapRow(row);
    if (!mapping.modelled) continue;
    const sequences = sequencesPerReplica(mapping.job);
    const used: EngineOverhead = ENGINE_OVERHEADS[row.backend];
    const overhead = used.stepSeconds + (used.perSequenceSeconds + used.perTokenSeconds) * sequences;
    const measured = r.measured.tpotMs / 1e3;
    const point = { sequences, residual: measured - (r.predicted.tpotMs / 1e3 - overhead), measured };
    byEngine.set(row.backend, [...(byEngine.get(row.backend) ?? []), point]);
  }
  for (const [engine, points] of byEngine) {
    const { a, b } = fitNonNegative(points);
    const mape = (f: { a: number; b: number }) => mapeOf(points, f.a, f.b);
    console.log(
      `${engine}: ${points.length} rows; overhead = ${(a * 1e3).toFixed(3)} ms + ${(b * 1e6).toFixed(2)} µs × sequences; TPOT MAPE with it ${mape({ a, b }).toFixed(1)}% (without any overhead ${mape({ a: 0, b: 0 }).toFixed(1)}%)`,
    );
  }
}

main();
