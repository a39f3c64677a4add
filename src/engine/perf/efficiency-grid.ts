/**
 * Efficiency (speed-of-light time / measured time) over a grid of batch sizes × lengths, interpolated
 * bilinearly in log batch and log length, clamped at the grid's edges. Built once per plan from measured
 * attention tables; read allocation-free in the simulator's hot loop.
 */
export class EfficiencyGrid {
  private readonly logBatches: Float64Array;
  private readonly logLengths: Float64Array;

  /** `values[b * lengths.length + l]`: efficiency at batches[b], lengths[l]; both grids ascending. */
  constructor(
    readonly batches: readonly number[],
    readonly lengths: readonly number[],
    readonly values: Float64Array,
  ) {
    this.logBatches = Float64Array.from(batches, Math.log);
    this.logLengths = Float64Array.from(lengths, Math.log);
  }

  /** Efficiency at (batch, length); the nearest edge outside the grid. */
  at(batch: number, length: number): number {
    const nl = this.lengths.length;
    const [b0, fb] = bracket(this.logBatches, Math.log(Math.max(batch, 1e-9)));
    const [l0, fl] = bracket(this.logLengths, Math.log(Math.max(length, 1e-9)));
    const b1 = fb > 0 ? b0 + 1 : b0;
    const l1 = fl > 0 ? l0 + 1 : l0;
    const v = this.values;
    const low = v[b0 * nl + l0] * (1 - fl) + v[b0 * nl + l1] * fl;
    const high = v[b1 * nl + l0] * (1 - fl) + v[b1 * nl + l1] * fl;
    return low * (1 - fb) + high * fb;
  }
}

/** Index of the cell below x and the fraction across it (0 at or beyond an edge). */
function bracket(logs: Float64Array, x: number): [number, number] {
  const n = logs.length;
  if (n === 1 || x <= logs[0]) return [0, 0];
  if (x >= logs[n - 1]) return [n - 1, 0];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (logs[mid] <= x) lo = mid;
    else hi = mid;
  }
  return [lo, (x - logs[lo]) / (logs[hi] - logs[lo])];
}

/** Powers of two from `from` to `to` inclusive. */
export function powersOfTwo(from: number, to: number): number[] {
  const out: number[] = [];
  for (let x = from; x <= to; x *= 2) out.push(x);
  return out;
}
