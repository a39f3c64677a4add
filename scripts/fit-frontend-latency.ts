// Fits each engine's front-end latency (perf/serving-engine.ts ENGINE_FRONTEND_SECONDS) to the measured
// TTFT of silicon-calibration.csv, from a bench:accuracy result:
//   npx tsx scripts/fit-frontend-latency.ts [bench/results/accuracy.json] [max clients, default 8]
// A request's TTFT is the time its client's request takes to reach the scheduler and its first token to
// come back (the front end) plus the engine's queueing and prefill. At low concurrency queueing is small
// and the front end is most of what the step model does not time, so for each modelled aggregated row
// of at most 8 clients
//   measured TTFT ≈ (predicted TTFT − the front-end latency the prediction used) + f,
// f ≥ 0 fitted per engine to the least mean absolute relative error (what bench:accuracy reports), by
// grid search (0–300 ms by 1 ms). The simulator adds the front end to each TTFT after the engine has run
// (sim/closed-loop.ts), so the prediction with another f is exactly this. Shared and physical only: one f
// per engine. Prints the fit; the fit itself is bench/accuracy/constant-fits.ts, which the held-out report
// refits on each fold.
import {
  FRONTEND_FIT_MAX_CLIENTS,
  fitFrontend,
  frontendMape,
  frontendPointOf,
} from '../bench/accuracy/constant-fits.js';
import { readAccuracyResult } from '../bench/accuracy/fit-rows.js';
import { isEngineBackend } from '../src/engine/opdb/systems.js';
import { ENGINE_FRONTEND_SECONDS } from '../src/engine/perf/serving-engine.js';

function main(): void {
  const file = process.argv[2] ?? 'bench/results/accuracy.json';
  const maxClients = Number(process.argv[3] ?? FRONTEND_FIT_MAX_CLIENTS);
  const byEngine = new Map<string, { engine: number; measured: number }[]>();
  for (const row of readAccuracyResult(file)) {
    const engine = row.partition.engine;
    if (!row.modelled || !row.predicted || !isEngineBackend(engine)) continue;
    const fitRow = { ...row, mode: row.partition.mode, predicted: row.predicted, sequences: 0 };
    const point = frontendPointOf(fitRow, ENGINE_FRONTEND_SECONDS[engine], maxClients);
    if (point) byEngine.set(engine, [...(byEngine.get(engine) ?? []), point]);
  }
  for (const [engine, points] of byEngine) {
    const best = fitFrontend(points);
    console.log(
      `${engine}: front end ${(best.f * 1e3).toFixed(0)} ms over ${points.length} aggregated rows of ≤ ${maxClients} clients; TTFT MAPE ${(100 * frontendMape(points, 0)).toFixed(1)}% without → ${(100 * best.mape).toFixed(1)}% with`,
    );
  }
}

main();
