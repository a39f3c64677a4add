// Fits each engine's per-step framework overhead (perf/serving-engine.ts ENGINE_OVERHEADS) to the measured
// TPOT of silicon-calibration.csv, from a bench:accuracy result:
//   npx tsx scripts/fit-engine-overhead.ts [bench/results/accuracy.json]
// A decode step's time is its kernels plus the host's overhead, so for each modelled row
//   measured TPOT − (predicted TPOT − overhead the prediction used) ≈ a + b × sequences per replica,
// fitted per engine to the least mean absolute relative error (what bench:accuracy reports), a and b ≥ 0.
// Shared and physical only: one (a, b) per engine, no per-model or per-row term. Prints the fit; the fit
// itself is bench/accuracy/constant-fits.ts, which the held-out report refits on each fold.
import { fitStepOverhead, stepOverheadMape, stepPointOf } from '../bench/accuracy/constant-fits.js';
import { readAccuracyResult, scoredRowsOf } from '../bench/accuracy/fit-rows.js';
import { findSiliconCsv, readSiliconCsv } from '../bench/accuracy/rows.js';
import { ENGINE_OVERHEADS } from '../src/engine/perf/serving-engine.js';

function main(): void {
  const file = process.argv[2] ?? 'bench/results/accuracy.json';
  const csv = findSiliconCsv(undefined);
  if (!csv) throw new Error('no silicon-calibration.csv');
  const rows = scoredRowsOf(readAccuracyResult(file), readSiliconCsv(csv));
  for (const engine of new Set(rows.map((r) => r.engine))) {
    const points = rows
      .filter((r) => r.engine === engine)
      .map((r) => stepPointOf(r, ENGINE_OVERHEADS[engine]));
    const { a, b, mape } = fitStepOverhead(points);
    console.log(
      `${engine}: ${points.length} rows; overhead = ${(a * 1e3).toFixed(3)} ms + ${(b * 1e6).toFixed(2)} µs × sequences; TPOT MAPE with it ${mape.toFixed(1)}% (without any overhead ${stepOverheadMape(points, { a: 0, b: 0 }).toFixed(1)}%)`,
    );
  }
}

main();
