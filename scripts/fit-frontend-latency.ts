// Fits each engine's front-end latency (perf/serving-engine.ts ENGINE_FRONTEND_SECONDS) to the measured
// TTFT of silicon-calibration.csv, from a bench:accuracy result:
//   npx tsx scripts/fit-frontend-latency.ts [bench/results/accuracy.json] [max clients, default 8]
// A request's TTFT is the time its client's request takes to reach the scheduler and its first token to
// come back (the front end) plus the engine's queueing and prefill. At low concurrency queueing is small
// and the front end is most of what the step model does not time, so for each modelled aggregated row
// of at most 8 clients
//   measured TTFT ≈ (predicted TTFT − the front-end latency the prediction used) + f,
// f ≥ 0 fitted per engine to the least mean absolute relative error (what bench:accuracy reports), by
// grid search (0–300 ms by 1 ms). To first order: a longer front end also spaces a client's requests,
// which this ignores. Shared and physical only: one f per engine. Prints the fit.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isEngineBackend } from '../src/engine/opdb/systems.js';
import { ENGINE_FRONTEND_SECONDS } from '../src/engine/perf/serving-engine.js';

const Result = z.object({
  rows: z.array(
    z.object({
      modelled: z.boolean(),
      concurrency: z.number().nullable(),
      partition: z.object({ engine: z.string(), mode: z.string() }),
      measured: z.object({ ttftMs: z.number() }),
      predicted: z.object({ ttftMs: z.number() }).optional(),
    }),
  ),
});

/** The f of least mean absolute relative error over (engine part, measured) pairs, seconds. */
function fit(points: readonly { engine: number; measured: number }[]): { f: number; mape: number } {
  let best = { f: 0, mape: Number.POSITIVE_INFINITY };
  for (let ms = 0; ms <= 300; ms++) {
    const f = ms / 1000;
    const mape =
      points.reduce((sum, p) => sum + Math.abs(p.engine + f - p.measured) / p.measured, 0) / points.length;
    if (mape < best.mape) best = { f, mape };
  }
  return best;
}

function main(): void {
  const file = process.argv[2] ?? 'bench/results/accuracy.json';
  const maxClients = Number(process.argv[3] ?? 8);
  const result = Result.parse(JSON.parse(readFileSync(file, 'utf8')));
  const byEngine = new Map<string, { engine: number; measured: number }[]>();
  for (const row of result.rows) {
    const engine = row.partition.engine;
    if (!row.modelled || !row.predicted || row.partition.mode !== 'agg' || !isEngineBackend(engine)) continue;
    if (row.concurrency === null || row.concurrency > maxClients) continue;
    const used = ENGINE_FRONTEND_SECONDS[engine];
    const points = byEngine.get(engine) ?? [];
    points.push({ engine: row.predicted.ttftMs / 1e3 - used, measured: row.measured.ttftMs / 1e3 });
    byEngine.set(engine, points);
  }
  for (const [engine, points] of byEngine) {
    const best = fit(points);
    const zero = points.reduce((s, p) => s + Math.abs(p.engine - p.measured) / p.measured, 0) / points.length;
    console.log(
      `${engine}: front end ${(best.f * 1e3).toFixed(0)} ms over ${points.length} aggregated rows of ≤ ${maxClients} clients; TTFT MAPE ${(100 * zero).toFixed(1)}% without → ${(100 * best.mape).toFixed(1)}% with`,
    );
  }
}

main();
