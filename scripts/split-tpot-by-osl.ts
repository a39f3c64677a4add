// Splits each closed-loop deployment's mean TPOT into its decode step and the prompts mixed into it, for
// the measurement and the prediction of a bench:accuracy result:
//   npx tsx scripts/split-tpot-by-osl.ts [bench/results/accuracy.json] [partition regex]
// In a closed loop of C clients with fixed lengths, each client sends one prompt per request, so a
// request's OSL decode steps carry about C other clients' prompts (fewer where the engine batches
// several into one step, or when TTFT is a large share of the request). Its mean TPOT is therefore
//   TPOT ≈ D + S / OSL,   S ≈ C × (cost one prompt adds to the steps it joins),
// D the decode-only step. Rows that differ only in OSL (same partition, deployment, ISL and clients)
// give D and S by least squares, for the measured and the predicted TPOT alike: where the predicted S
// is short of the measured one and D agrees, the prompts' cost in a mixed step is what the step model
// misses, not the decode step (and the reverse). S / C is printed as the per-prompt cost (ms).
import { fitLine, groupedRows } from './accuracy-splits.js';

/** Least-squares D and S of tpot ≈ D + S / osl over two or more distinct OSLs. */
export function splitTpot(points: readonly { osl: number; tpotMs: number }[]): { d: number; s: number } {
  const { intercept, slope } = fitLine(
    points.map((p) => 1 / p.osl),
    points.map((p) => p.tpotMs),
  );
  return { d: intercept, s: slope };
}

function main(): void {
  const file = process.argv[2] ?? 'bench/results/accuracy.json';
  const filter = new RegExp(process.argv[3] ?? '.');
  const groups = groupedRows(
    file,
    filter,
    (row, partition) => `${partition}\t${row.deployment ?? '?'}\tISL ${row.isl}\tc${row.concurrency}`,
  );
  console.log('group\tD measured\tD predicted\tper-prompt measured\tper-prompt predicted\tratio');
  for (const [key, rows] of groups) {
    if (new Set(rows.map((row) => row.osl)).size < 2) continue;
    const clients = rows[0].concurrency;
    const measured = splitTpot(rows.map((row) => ({ osl: row.osl, tpotMs: row.measured.tpotMs })));
    const predicted = splitTpot(rows.map((row) => ({ osl: row.osl, tpotMs: row.predicted.tpotMs })));
    const perPrompt = (s: number) => s / clients;
    console.log(
      [
        key,
        measured.d.toFixed(2),
        predicted.d.toFixed(2),
        perPrompt(measured.s).toFixed(1),
        perPrompt(predicted.s).toFixed(1),
        predicted.s > 0 ? (measured.s / predicted.s).toFixed(2) : '-',
      ].join('\t'),
    );
  }
}

main();
