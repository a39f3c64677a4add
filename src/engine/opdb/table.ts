import {
  type Axis,
  type AxisValue,
  type ChoiceAxis,
  clampExponent,
  interpolate,
  localExponent,
  type NumericAxis,
} from './axes.js';
import { type Group, KeyOrderedRows } from './key-ordered-rows.js';
import type { OpKind } from './ops.js';

/** Where one table came from: enough for `step` to say where an op's time came from. */
export interface OpTableOrigin {
  readonly kind: OpKind;
  readonly system: string;
  /** vllm, sglang, trtllm, or nccl for the collectives. */
  readonly backend: string;
  readonly version: string;
  /** The measured file, relative to the database root (`data/h100_sxm/gemm/vllm/0.24.0/gemm_perf.parquet`). */
  readonly file: string;
  /** What the reader had to decide on the way (reused versions, rows averaged or left out). */
  readonly notes: readonly string[];
}

/** A table's measurements column by column: per axis, its distinct values and each row's index into them. */
export interface OpTableColumns {
  /** Per axis: numeric axes ascending, choice axes in name order. */
  readonly levels: readonly (readonly AxisValue[])[];
  /** Per axis, per row: the index of the row's value in `levels`. */
  readonly index: readonly ArrayLike<number>[];
  readonly latencyMs: ArrayLike<number>;
}

export interface OpTimeSource extends Omit<OpTableOrigin, 'notes'> {
  /** measured: this exact shape; interpolated: between measured shapes; extrapolated: beyond them. */
  readonly how: 'measured' | 'interpolated' | 'extrapolated';
  /** Kernels whose measurements the time comes from. */
  readonly kernels: readonly string[];
  /** For each dimension not matched exactly: between which measured values, or how it was extrapolated. */
  readonly steps: readonly string[];
}

export interface OpTime {
  readonly seconds: number;
  readonly source: OpTimeSource;
}

/** One line: what an op's time came from. */
export function describeOpTimeSource(source: OpTimeSource): string {
  const where = `${source.system} ${source.backend} ${source.version} ${source.kind}`;
  const kernels = source.kernels.length > 0 ? ` [${source.kernels.join(', ')}]` : '';
  const steps = source.steps.length > 0 ? `: ${source.steps.join('; ')}` : '';
  return `${source.how} from ${where}${kernels}${steps}`;
}

/**
 * What one lookup found on its way down, to build its source. Only a traced lookup records its steps
 * and kernels: lookups are hot, and most callers read the time alone.
 */
class Trace {
  interpolated = false;
  extrapolated = false;
  readonly steps = new Set<string>();
  readonly kernels = new Set<string>();
  constructor(readonly recording: boolean) {}
}

const MAX_STEPS_NAMED = 12;

/**
 * One measured op table. Its rows, in key order, form an implicit trie: the rows sharing a key prefix are
 * one contiguous range, found by binary search, so a table of 150 000 rows costs its columns and nothing
 * more. A lookup walks the axes (the last is the kernel) and answers any query, exactly, by
 * interpolation, or by extrapolation, and says which.
 */
export class OpTable {
  private readonly rows: KeyOrderedRows;
  /** Per axis, level index of each value. */
  private readonly levelOf: readonly ReadonlyMap<AxisValue, number>[];
  /** Per axis, level indices by how many rows have them, most first: the default where a query names none. */
  private readonly preference: readonly (readonly number[])[];
  readonly rowCount: number;

  constructor(
    readonly origin: OpTableOrigin,
    readonly axes: readonly Axis[],
    readonly columns: OpTableColumns,
  ) {
    this.rowCount = columns.latencyMs.length;
    this.rows = new KeyOrderedRows(columns);
    this.levelOf = columns.levels.map((values) => new Map(values.map((v, i) => [v, i])));
    this.preference = columns.levels.map((values, a) => levelsByRowCount(values.length, columns.index[a]));
  }

  /**
   * Time for one key (one value per axis; undefined for a choice axis means "the most measured"). The
   * source is worked out when first read.
   */
  lookup(key: readonly (AxisValue | undefined)[]): OpTime {
    const seconds = this.evaluate(0, this.rowCount, 0, key, new Trace(false)) / 1000;
    let source: OpTimeSource | undefined;
    const trace = () => {
      const trace = new Trace(true);
      this.evaluate(0, this.rowCount, 0, key, trace);
      const { notes: _notes, ...origin } = this.origin;
      const how = trace.extrapolated ? 'extrapolated' : trace.interpolated ? 'interpolated' : 'measured';
      const steps = [...trace.steps].slice(0, MAX_STEPS_NAMED);
      return { ...origin, how, kernels: [...trace.kernels], steps } as const;
    };
    return {
      seconds,
      get source() {
        source ??= trace();
        return source;
      },
    };
  }

  /** Every measured shape (one value per axis) with its latency in ms. */
  *measured(): Generator<{ key: AxisValue[]; latencyMs: number }> {
    const { levels, index, latencyMs } = this.columns;
    for (let row = 0; row < latencyMs.length; row++) {
      yield { key: levels.map((values, a) => values[index[a][row]]), latencyMs: latencyMs[row] };
    }
  }

  /** Time (ms) over the rows [from, to), which share the key's first `depth` axes. */
  private evaluate(
    from: number,
    to: number,
    depth: number,
    key: readonly (AxisValue | undefined)[],
    trace: Trace,
  ): number {
    if (depth === this.axes.length) return this.rows.meanLatency(from, to);
    const axis = this.axes[depth];
    const within = (group: Group) => this.evaluate(group.from, group.to, depth + 1, key, trace);
    if (axis.kind === 'choice') {
      const group = this.choose(axis, depth, from, to, key[depth], trace);
      if (trace.recording && axis.name === 'kernel')
        trace.kernels.add(String(this.columns.levels[depth][group.level]));
      return within(group);
    }
    const values = this.columns.levels[depth] as readonly number[];
    return this.evaluateNumeric(axis, depth, values, from, to, key[depth], within, trace);
  }

  private choose(
    axis: ChoiceAxis,
    depth: number,
    from: number,
    to: number,
    wanted: AxisValue | undefined,
    trace: Trace,
  ): Group {
    const find = (value: AxisValue | undefined) => {
      const level = value === undefined ? undefined : this.levelOf[depth].get(value);
      return level === undefined ? undefined : this.rows.find(depth, from, to, level);
    };
    const preferred = (): Group => {
      for (const level of this.preference[depth]) {
        const group = this.rows.find(depth, from, to, level);
        if (group) return group;
      }
      return this.rows.groupAt(depth, from, to);
    };
    if (wanted === undefined) return preferred();
    const exact = find(String(wanted));
    if (exact) return exact;
    const values = this.columns.levels[depth] as readonly string[];
    let chosen = axis.substitutes?.[String(wanted)]?.map(find).find((group) => group !== undefined);
    if (!chosen && axis.nearestNumber) {
      const present = this.rows.groupsIn(depth, from, to);
      chosen = find(
        nearestNumberIn(
          String(wanted),
          present.map((g) => values[g.level]),
        ),
      );
    }
    chosen ??= preferred();
    trace.extrapolated = true;
    if (trace.recording) trace.steps.add(`${axis.name} ${wanted} not measured: used ${values[chosen.level]}`);
    return chosen;
  }

  private evaluateNumeric(
    axis: NumericAxis,
    depth: number,
    values: readonly number[],
    from: number,
    to: number,
    wanted: AxisValue | undefined,
    within: (group: Group) => number,
    trace: Trace,
  ): number {
    const x = Number(wanted);
    const sizeOf = (group: Group) => values[group.level];
    if (!(x > 0) || !Number.isFinite(x)) {
      const first = this.rows.groupAt(depth, from, to);
      trace.extrapolated = true;
      if (trace.recording)
        trace.steps.add(`${axis.name} ${String(wanted)} is not a positive number: used ${sizeOf(first)}`);
      return within(first);
    }
    const r = this.rows.lowerBound(depth, from, to, lowerBound(values, x));
    const upper = r < to ? this.rows.groupAt(depth, r, to) : undefined;
    if (upper && sizeOf(upper) === x) return within(upper);
    const lower = r > from ? this.rows.groupBefore(depth, from, r) : undefined;
    if (lower && upper) {
      const [x0, x1] = [sizeOf(lower), sizeOf(upper)];
      const { time, rule } = interpolate(axis, x, x0, within(lower), x1, within(upper));
      trace.interpolated = true;
      if (trace.recording) trace.steps.add(`${axis.name} ${x}: between ${x0} and ${x1} (${rule})`);
      return time;
    }
    // Beyond the measured values: continue the slope of the two outermost, clamped to the axis's range.
    const near = (upper ?? lower) as Group;
    const far = upper
      ? near.to < to
        ? this.rows.groupAt(depth, near.to, to)
        : undefined
      : near.from > from
        ? this.rows.groupBefore(depth, from, near.from)
        : undefined;
    const xNear = sizeOf(near);
    const tNear = within(near);
    trace.extrapolated = true;
    if (!far) {
      if (trace.recording)
        trace.steps.add(`${axis.name} ${x}: only ${xNear} measured, scaled as ${axis.name}^${axis.assumed}`);
      return tNear * (x / xNear) ** axis.assumed;
    }
    const slope = localExponent(sizeOf(far), within(far), xNear, tNear);
    const exponent = clampExponent(slope, upper ? axis.below : axis.above);
    const side = upper ? 'below the smallest' : 'above the largest';
    if (trace.recording)
      trace.steps.add(
        `${axis.name} ${x}: ${side} measured ${xNear}, scaled as ${axis.name}^${round2(exponent)}`,
      );
    return tNear * (x / xNear) ** exponent;
  }
}

/** Window sizes: the value nearest to `wanted` on a log scale (0, full attention, only for 0). */
function nearestNumberIn(wanted: string, values: readonly string[]): string | undefined {
  const w = Number(wanted);
  const positive = values.filter((v) => Number(v) > 0).sort((a, b) => Number(a) - Number(b));
  if (!(w > 0) || positive.length === 0) return values.find((v) => Number(v) === 0);
  // On a tie, the larger: the closer to what the kernel does.
  let best = positive[0];
  for (const v of positive)
    if (Math.abs(Math.log(Number(v) / w)) <= Math.abs(Math.log(Number(best) / w))) best = v;
  return best;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The first index whose value is at least x. */
function lowerBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function levelsByRowCount(levelCount: number, index: ArrayLike<number>): number[] {
  const counts = new Array<number>(levelCount).fill(0);
  for (let row = 0; row < index.length; row++) counts[index[row]]++;
  return counts
    .map((count, level) => ({ level, count }))
    .sort((a, b) => b.count - a.count)
    .map((e) => e.level);
}
