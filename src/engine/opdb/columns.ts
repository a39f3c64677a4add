import type { AxisValue } from './axes.js';
import type { OpRow, OpSpec } from './ops.js';
import type { OpTableColumns } from './table.js';

/** One measured shape: its key (one value per axis) and latency in ms. */
export interface KeyedLatency {
  readonly key: readonly AxisValue[];
  readonly latencyMs: number;
}

/** The rows a spec keeps, keyed; with how many it left out and why. */
export function keyRows(spec: OpSpec, rows: readonly OpRow[]): { keyed: KeyedLatency[]; notes: string[] } {
  const kept = spec.keep ? rows.filter(spec.keep.test) : rows;
  const notes: string[] = [];
  if (spec.keep && kept.length < rows.length) {
    notes.push(`${rows.length - kept.length} of ${rows.length} ${spec.keep.reason}`);
  }
  const keyed = kept.map((row) => ({ key: spec.keyOf(row), latencyMs: row.latency }));
  // Sizes of zero have no place on the log scales lookups use.
  const numericAxes = spec.axes.flatMap((axis, a) => (axis.kind === 'numeric' ? [a] : []));
  const usable = keyed.filter(({ key }) => numericAxes.every((a) => (key[a] as number) > 0));
  if (usable.length < keyed.length)
    notes.push(`${keyed.length - usable.length} rows with a size of 0 left out`);
  return { keyed: usable, notes };
}

export const keyText = (key: readonly AxisValue[]) => key.join('\u0000');

/**
 * Columns for an OpTable: levels per axis (numbers ascending, text in name order) and each row's index
 * into them. Rows measured more than once (same shape, same kernel) become one, at their mean latency.
 */
export function columnsOf(
  rows: readonly KeyedLatency[],
  axisCount: number,
): {
  columns: OpTableColumns;
  merged: number;
} {
  const byKey = new Map<string, { key: readonly AxisValue[]; sum: number; count: number }>();
  for (const { key, latencyMs } of rows) {
    const text = keyText(key);
    const entry = byKey.get(text);
    if (entry) {
      entry.sum += latencyMs;
      entry.count += 1;
    } else byKey.set(text, { key, sum: latencyMs, count: 1 });
  }
  const unique = [...byKey.values()];
  const levels = Array.from({ length: axisCount }, (_, a) => {
    const values = [...new Set(unique.map((u) => u.key[a]))];
    return typeof values[0] === 'number'
      ? (values as number[]).sort((x, y) => x - y)
      : (values as string[]).sort();
  });
  const positions = levels.map((values) => new Map<AxisValue, number>(values.map((v, i) => [v, i])));
  const index = levels.map(() => new Int32Array(unique.length));
  const latencyMs = new Float64Array(unique.length);
  unique.forEach((u, row) => {
    for (let a = 0; a < axisCount; a++) index[a][row] = positions[a].get(u.key[a]) ?? 0;
    latencyMs[row] = u.sum / u.count;
  });
  return { columns: { levels, index, latencyMs }, merged: rows.length - unique.length };
}
