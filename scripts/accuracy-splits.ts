// What scripts/split-ttft-by-isl.ts and scripts/split-tpot-by-osl.ts share: the rows of a bench:accuracy
// result they read, their grouping into rows that differ in one length only, and the least-squares line
// each fits through a group.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const AccuracyRow = z.object({
  modelled: z.boolean(),
  isl: z.number(),
  osl: z.number(),
  concurrency: z.number().nullable(),
  deployment: z.string().optional(),
  partition: z.object({ engine: z.string(), gpu: z.string(), family: z.string(), mode: z.string() }),
  measured: z.object({ ttftMs: z.number(), tpotMs: z.number() }),
  predicted: z.object({ ttftMs: z.number(), tpotMs: z.number() }).optional(),
});
export type AccuracyRow = z.infer<typeof AccuracyRow>;
/** A modelled row with its prediction and its closed loop's client count. */
export type PredictedRow = AccuracyRow & {
  predicted: NonNullable<AccuracyRow['predicted']>;
  concurrency: number;
};

const AccuracyResult = z.object({ rows: z.array(AccuracyRow) });

/** `y ≈ intercept + slope × x` by least squares over two or more distinct x (slope 0 where all x agree). */
export function fitLine(xs: readonly number[], ys: readonly number[]): { intercept: number; slope: number } {
  const n = xs.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i];
    sy += ys[i];
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { intercept: my - slope * mx, slope };
}

/**
 * The modelled closed-loop rows of `file` whose partition (`engine·gpu·family·mode`) matches `filter`,
 * grouped by `keyOf` (its partition passed in), groups sorted by key.
 */
export function groupedRows(
  file: string,
  filter: RegExp,
  keyOf: (row: PredictedRow, partition: string) => string,
): [string, PredictedRow[]][] {
  const result = AccuracyResult.parse(JSON.parse(readFileSync(file, 'utf8')));
  const groups = new Map<string, PredictedRow[]>();
  for (const row of result.rows) {
    if (!row.modelled || !row.predicted || row.concurrency === null) continue;
    const p = row.partition;
    const partition = `${p.engine}·${p.gpu}·${p.family}·${p.mode}`;
    if (!filter.test(partition)) continue;
    const predicted = row as PredictedRow;
    const key = keyOf(predicted, partition);
    const rows = groups.get(key) ?? [];
    rows.push(predicted);
    groups.set(key, rows);
  }
  return [...groups].sort(([x], [y]) => x.localeCompare(y));
}
