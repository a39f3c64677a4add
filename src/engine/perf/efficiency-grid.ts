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
    const xb = Math.log(Math.max(batch, 1e-9));
    const xl = Math.log(Math.max(length, 1e-9));
    // Index and fraction apart, not a returned pair: this runs for every attention layer of every step.
    const b0 = cellBelow(this.logBatches, xb);
    const fb = fractionAcross(this.logBatches, b0, xb);
    const l0 = cellBelow(this.logLengths, xl);
    const fl = fractionAcross(this.logLengths, l0, xl);
    const b1 = fb > 0 ? b0 + 1 : b0;
    const l1 = fl > 0 ? l0 + 1 : l0;
    const v = this.values;
    const low = v[b0 * nl + l0] * (1 - fl) + v[b0 * nl + l1] * fl;
    const high = v[b1 * nl + l0] * (1 - fl) + v[b1 * nl + l1] * fl;
    return low * (1 - fb) + high * fb;
  }
}

/** Index of the cell below x: 0 at or below the first point, the last index at or beyond the last. */
function cellBelow(logs: Float64Array, x: number): number {
  const n = logs.length;
  if (n === 1 || x <= logs[0]) return 0;
  if (x >= logs[n - 1]) return n - 1;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (logs[mid] <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** How far x lies across the cell from `lo` to the next point (0 at or beyond an edge). */
function fractionAcross(logs: Float64Array, lo: number, x: number): number {
  if (lo === logs.length - 1 || x <= logs[lo]) return 0;
  return (x - logs[lo]) / (logs[lo + 1] - logs[lo]);
}

/** Powers of two from `from` to `to` inclusive. */
export function powersOfTwo(from: number, to: number): number[] {
  const out: number[] = [];
  for (let x = from; x <= to; x *= 2) out.push(x);
  return out;
}
