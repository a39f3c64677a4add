// Fits each engine's per-step framework overhead (perf/serving-engine.ts ENGINE_OVERHEADS) to the measured
// TPOT of silicon-calibration.csv, from a bench:accuracy result:
//   npx tsx scripts/fit-engine-overhead.ts [bench/results/accuracy.json]
// A decode step's time is its kernels plus the host's overhead, so for each modelled row
//   measured TPOT − (predicted TPOT − overhead the prediction used) ≈ a + b × sequences per replica,
// fitted per engine by least squares on relative error (each row weighs 1/measured²), a and b kept ≥ 0.
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

/** Weighted least squares of y = a + b x with a, b ≥ 0 (the unconstrained fit, else the best one-term fit). */
function fitNonNegative(points: readonly Point[]): { a: number; b: number } {
  const w = points.map((p) => 1 / p.measured ** 2);
  const sums = { w: 0, x: 0, y: 0, xx: 0, xy: 0 };
  points.forEach((p, i) => {
    sums.w += w[i];
    sums.x += w[i] * p.sequences;
    sums.y += w[i] * p.residual;
    sums.xx += w[i] * p.sequences ** 2;
    sums.xy += w[i] * p.sequences * p.residual;
  });
  const det = sums.w * sums.xx - sums.x ** 2;
  const b = (sums.w * sums.xy - sums.x * sums.y) / det;
  const a = (sums.y - b * sums.x) / sums.w;
  if (a >= 0 && b >= 0) return { a, b };
  const onlyA = { a: Math.max(0, sums.y / sums.w), b: 0 };
  const onlyB = { a: 0, b: Math.max(0, sums.xy / sums.xx) };
  const cost = (f: { a: number; b: number }) =>
    points.reduce((sum, p, i) => sum + w[i] * (p.residual - f.a - f.b * p.sequences) ** 2, 0);
  return cost(onlyA) <= cost(onlyB) ? onlyA : onlyB;
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
    const mape = (f: { a: number; b: number }) =>
      (100 / points.length) *
      points.reduce((sum, p) => sum + Math.abs(p.residual - f.a - f.b * p.sequences) / p.measured, 0);
    console.log(
      `${engine}: ${points.length} rows; overhead = ${(a * 1e3).toFixed(3)} ms + ${(b * 1e6).toFixed(2)} µs × sequences; TPOT MAPE with it ${mape({ a, b }).toFixed(1)}% (without any overhead ${mape({ a: 0, b: 0 }).toFixed(1)}%)`,
    );
  }
}

main();
