import type { OpTableColumns } from './table.js';

/** The rows sharing a value at one axis, within a range that shares all axes before it. */
export interface Group {
  /** Index of the value in the axis's levels. */
  readonly level: number;
  readonly from: number;
  readonly to: number;
}

/** Row a before row b in key order (axis by axis, by level index): negative, zero or positive. */
function compareRows(index: readonly ArrayLike<number>[], a: number, b: number): number {
  for (const column of index) {
    const d = column[a] - column[b];
    if (d !== 0) return d;
  }
  return 0;
}

function inKeyOrder(columns: OpTableColumns): boolean {
  for (let row = 1; row < columns.latencyMs.length; row++) {
    if (compareRows(columns.index, row - 1, row) > 0) return false;
  }
  return true;
}

/** Row numbers in key order. */
export function sortedRows(columns: OpTableColumns): Uint32Array {
  const rows = new Uint32Array(columns.latencyMs.length);
  for (let row = 0; row < rows.length; row++) rows[row] = row;
  return inKeyOrder(columns) ? rows : rows.sort((a, b) => compareRows(columns.index, a, b));
}

function permuted<T extends Int32Array | Float64Array>(
  values: ArrayLike<number>,
  order: Uint32Array,
  out: T,
): T {
  for (let i = 0; i < order.length; i++) out[i] = values[order[i]];
  return out;
}

/**
 * A table's rows in key order, column by column. Rows sharing the first d axes are contiguous, and within
 * them axis d is non-decreasing, so every group is found by binary search.
 */
export class KeyOrderedRows {
  private readonly index: readonly Int32Array[];
  private readonly latencyMs: Float64Array;

  constructor(columns: OpTableColumns) {
    const n = columns.latencyMs.length;
    // The shipped tables are stored in key order: their columns serve as they are.
    if (inKeyOrder(columns)) {
      this.index = columns.index.map((column) =>
        column instanceof Int32Array ? column : Int32Array.from(column),
      );
      this.latencyMs =
        columns.latencyMs instanceof Float64Array ? columns.latencyMs : Float64Array.from(columns.latencyMs);
      return;
    }
    const order = sortedRows(columns);
    this.index = columns.index.map((column) => permuted(column, order, new Int32Array(n)));
    this.latencyMs = permuted(columns.latencyMs, order, new Float64Array(n));
  }

  /** The first row in [from, to) whose level at `axis` is at least `level`. */
  lowerBound(axis: number, from: number, to: number, level: number): number {
    const column = this.index[axis];
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (column[mid] < level) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The group that starts at row `start`. */
  groupAt(axis: number, start: number, to: number): Group {
    const level = this.index[axis][start];
    return { level, from: start, to: this.lowerBound(axis, start, to, level + 1) };
  }

  /** The group that ends just before row `end`. */
  groupBefore(axis: number, from: number, end: number): Group {
    const level = this.index[axis][end - 1];
    return { level, from: this.lowerBound(axis, from, end, level), to: end };
  }

  find(axis: number, from: number, to: number, level: number): Group | undefined {
    const start = this.lowerBound(axis, from, to, level);
    return start < to && this.index[axis][start] === level ? this.groupAt(axis, start, to) : undefined;
  }

  groupsIn(axis: number, from: number, to: number): Group[] {
    const groups: Group[] = [];
    for (let start = from; start < to; ) {
      const group = this.groupAt(axis, start, to);
      groups.push(group);
      start = group.to;
    }
    return groups;
  }

  /** Rows with one whole key are one measurement repeated: their mean. */
  meanLatency(from: number, to: number): number {
    let sum = 0;
    for (let row = from; row < to; row++) sum += this.latencyMs[row];
    return sum / (to - from);
  }
}
