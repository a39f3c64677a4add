// Splits each closed-loop deployment's mean TTFT into a part that grows with the prompt and a part that
// does not, for the measurement and the prediction of a bench:accuracy result:
//   npx tsx scripts/split-ttft-by-isl.ts [bench/results/accuracy.json] [partition regex] [max clients]
// At low load a request's TTFT is the front end, the wait for the step in flight, its own prompt step
// and the step that returns the token, so over rows that differ only in ISL (same partition,
// deployment, OSL and clients)
//   TTFT ≈ a + b × ISL,
// b the prompt's cost per token and a what every prompt pays whatever its length. A gap in a with b
// agreeing is a per-prompt (or per-step) cost the model lacks; a gap in b is a compute miss that grows
// with the prompt. Rows above `max clients` (default 16) are left out: queueing there grows with the ISL.
import { fitLine, groupedRows } from './accuracy-splits.js';

/** Least-squares intercept (ms) and slope (ms a prompt token) of ttft ≈ a + b × isl over two or more ISLs. */
export function splitTtft(points: readonly { isl: number; ttftMs: number }[]): { a: number; b: number } {
  const { intercept, slope } = fitLine(
    points.map((p) => p.isl),
    points.map((p) => p.ttftMs),
  );
  return { a: intercept, b: slope };
}

function main(): void {
  const file = process.argv[2] ?? 'bench/results/accuracy.json';
  const filter = new RegExp(process.argv[3] ?? '.');
  const maxClients = Number(process.argv[4] ?? 16);
  const groups = groupedRows(
    file,
    filter,
    (row, partition) => `${partition}\t${row.deployment ?? '?'}\tOSL ${row.osl}\tc${row.concurrency}`,
  );
  console.log('group\ta measured\ta predicted\ta gap\tµs/token measured\tµs/token predicted');
  for (const [key, all] of groups) {
    const rows = all.filter((row) => row.concurrency <= maxClients);
    if (new Set(rows.map((row) => row.isl)).size < 2) continue;
    const measured = splitTtft(rows.map((row) => ({ isl: row.isl, ttftMs: row.measured.ttftMs })));
    const predicted = splitTtft(rows.map((row) => ({ isl: row.isl, ttftMs: row.predicted.ttftMs })));
    console.log(
      [
        key,
        measured.a.toFixed(0),
        predicted.a.toFixed(0),
        (measured.a - predicted.a).toFixed(0),
        (measured.b * 1e3).toFixed(1),
        (predicted.b * 1e3).toFixed(1),
      ].join('\t'),
    );
  }
}

main();
