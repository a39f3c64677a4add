// The held-out section of an accuracy report, from a bench:accuracy run already recorded:
//   npx tsx bench/accuracy-held-out.ts [bench/results/accuracy.json] [--csv FILE]
// Prints the markdown section bench:accuracy writes into accuracy.md (bench/accuracy/held-out-report.ts).
// The run's predictions are taken to have used the constants of this commit.
import { readAccuracyRun, scoredRowsOf } from './accuracy/fit-rows.js';
import { heldOutSection } from './accuracy/held-out-report.js';
import { heldOutSummary } from './accuracy/held-out-summary.js';
import { findSiliconCsv, readSiliconCsv } from './accuracy/rows.js';

function main(): void {
  const args = process.argv.slice(2);
  const csvAt = args.indexOf('--csv');
  const csvFlag = csvAt >= 0 ? args.splice(csvAt, 2)[1] : undefined;
  const file = args[0] ?? 'bench/results/accuracy.json';
  const csv = findSiliconCsv(csvFlag);
  if (!csv) {
    console.error(
      'no silicon-calibration.csv: pass --csv FILE, set SERVETUNE_PERF_DB, or place ../shared/data/perf-db/',
    );
    process.exit(2);
  }
  const run = readAccuracyRun(file);
  const rows = scoredRowsOf(run.rows, readSiliconCsv(csv));
  console.log(heldOutSection(heldOutSummary(rows), run.run?.selection ?? null));
}

main();
