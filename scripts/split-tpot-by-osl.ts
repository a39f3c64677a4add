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
      measured: z.object({ tpotMs: z.number() }),
      predicted: z.object({ tpotMs: z.number() }).optional(),
    }),
  ),
});

/** Least-squares D and S of tpot ≈ D + S / osl over two or more distinct OSLs. */
export function splitTpot(points: readonly { osl: number; tpotMs: number }[]): { d: number; s: number } {
  const n = points.length;
  const xs = points.map((p) => 1 / p.osl);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = points.reduce((a, p) => a + p.tpotMs, 0) / n;
  let sxy = 0;
  let sxx = 0;
  points.forEach((p, i) => {
    sxy += (xs[i] - mx) * (p.tpotMs - my);
    sxx += (xs[i] - mx) ** 2;
  });
  const s = sxx > 0 ? sxy / sxx : 0;
  return { d: my - s * mx, s };
}

function main(): void {
  const file = process.argv[2] ?? 'bench/results/accuracy.json';
  const filter = new RegExp(process.argv[3] ?? '.');
  const result = Result.parse(JSON.parse(readFileSync(file, 'utf8')));
  const groups = new Map<string, { osl: number; measured: number; predicted: number }[]>();
  for (const row of result.rows) {
    if (!row.modelled || !row.predicted || row.concurrency === null) continue;
    const p = row.partition;
    const partition = `${p.engine}·${p.gpu}·${p.family}·${p.mode}`;
    if (!filter.test(partition)) continue;
    const key = `${partition}\t${row.deployment ?? '?'}\tISL ${row.isl}\tc${row.concurrency}`;
    const points = groups.get(key) ?? [];
    points.push({ osl: row.osl, measured: row.measured.tpotMs, predicted: row.predicted.tpotMs });
    groups.set(key, points);
  }
  console.log('group\tD measured\tD predicted\tper-prompt measured\tper-prompt predicted\tratio');
  for (const [key, points] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    if (new Set(points.map((p) => p.osl)).size < 2) continue;
    const clients = Number(key.split('\tc').pop());
    const measured = splitTpot(points.map((p) => ({ osl: p.osl, tpotMs: p.measured })));
    const predicted = splitTpot(points.map((p) => ({ osl: p.osl, tpotMs: p.predicted })));
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
