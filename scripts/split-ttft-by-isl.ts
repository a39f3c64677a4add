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
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Result = z.object({
  rows: z.array(
    z.object({
      modelled: z.boolean(),
      isl: z.number(),
      osl: z.number(),
      concurrency: z.number().nullable(),
      deployment: z.string().optional(),
      partition: z.object({ engine: z.string(), gpu: z.string(), family: z.string(), mode: z.string() }),
      measured: z.object({ ttftMs: z.number() }),
      predicted: z.object({ ttftMs: z.number() }).optional(),
    }),
  ),
});

/** Least-squares intercept (ms) and slope (ms a prompt token) of ttft ≈ a + b × isl over two or more ISLs. */
export function splitTtft(points: readonly { isl: number; ttftMs: number }[]): { a: number; b: number } {
  const n = points.length;
  const mx = points.reduce((sum, p) => sum + p.isl, 0) / n;
  const my = points.reduce((sum, p) => sum + p.ttftMs, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.isl - mx) * (p.ttftMs - my);
    sxx += (p.isl - mx) ** 2;
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

function main(): void {
  const file = process.argv[2] ?? 'bench/results/accuracy.json';
  const filter = new RegExp(process.argv[3] ?? '.');
  const maxClients = Number(process.argv[4] ?? 16);
  const result = Result.parse(JSON.parse(readFileSync(file, 'utf8')));
  const groups = new Map<string, { isl: number; measured: number; predicted: number }[]>();
  for (const row of result.rows) {
    if (!row.modelled || !row.predicted || row.concurrency === null || row.concurrency > maxClients) continue;
    const p = row.partition;
    const partition = `${p.engine}·${p.gpu}·${p.family}·${p.mode}`;
    if (!filter.test(partition)) continue;
    const key = `${partition}\t${row.deployment ?? '?'}\tOSL ${row.osl}\tc${row.concurrency}`;
    const points = groups.get(key) ?? [];
    points.push({ isl: row.isl, measured: row.measured.ttftMs, predicted: row.predicted.ttftMs });
    groups.set(key, points);
  }
  console.log('group\ta measured\ta predicted\ta gap\tµs/token measured\tµs/token predicted');
  for (const [key, points] of [...groups].sort(([x], [y]) => x.localeCompare(y))) {
    if (new Set(points.map((p) => p.isl)).size < 2) continue;
    const measured = splitTtft(points.map((p) => ({ isl: p.isl, ttftMs: p.measured })));
    const predicted = splitTtft(points.map((p) => ({ isl: p.isl, ttftMs: p.predicted })));
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
