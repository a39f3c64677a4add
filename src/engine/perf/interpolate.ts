/**
 * Piecewise-linear interpolation over points sorted by x, in log x: op efficiencies and times change
 * smoothly over orders of magnitude of size. Outside the points the end values hold. No allocation.
 */
export function interpolateLogX(xs: Float64Array, ys: Float64Array, x: number): number {
  const n = xs.length;
  if (n === 1 || x <= xs[0]) return ys[0];
  if (x >= xs[n - 1]) return ys[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo];
  const x1 = xs[hi];
  const f = Math.log(x / x0) / Math.log(x1 / x0);
  return ys[lo] + f * (ys[hi] - ys[lo]);
}

/** Linear interpolation in x (and linear extrapolation past the last point), for times that grow with size. */
export function interpolateLinear(xs: Float64Array, ys: Float64Array, x: number): number {
  const n = xs.length;
  if (n === 1) return ys[0];
  if (x <= xs[0]) return ys[0] * (xs[0] > 0 ? Math.max(x, 0) / xs[0] : 1);
  let lo = 0;
  let hi = n - 1;
  if (x >= xs[n - 1]) {
    lo = n - 2;
    hi = n - 1;
  } else {
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] <= x) lo = mid;
      else hi = mid;
    }
  }
  const x0 = xs[lo];
  const x1 = xs[hi];
  return ys[lo] + ((x - x0) / (x1 - x0)) * (ys[hi] - ys[lo]);
}

/** A curve as typed arrays, for interpolation without allocation. */
export interface Curve {
  xs: Float64Array;
  ys: Float64Array;
}

/** Sorted copies of (x, y) pairs as typed arrays; duplicate x values are averaged. */
export function toSortedArrays(points: readonly (readonly [number, number])[]): Curve {
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const xs: number[] = [];
  const ys: number[] = [];
  const counts: number[] = [];
  for (const [x, y] of sorted) {
    const last = xs.length - 1;
    if (last >= 0 && xs[last] === x) {
      ys[last] += y;
      counts[last] += 1;
    } else {
      xs.push(x);
      ys.push(y);
      counts.push(1);
    }
  }
  return { xs: Float64Array.from(xs), ys: Float64Array.from(ys.map((y, i) => y / counts[i])) };
}

/**
 * Token counts at which per-plan cost tables are precomputed: every integer up to 64, then 16 points
 * per doubling up to 2^21. Integer batches below 64 are exact; above, a linear interpolation between
 * neighbours 4% apart.
 */
const TOKEN_GRID_DENSE = 64;
const STEPS_PER_DOUBLING = 16;
const GRID_MAX_LOG2 = 21;

export function tokenGrid(): Float64Array {
  const points: number[] = [];
  for (let t = 1; t <= TOKEN_GRID_DENSE; t++) points.push(t);
  const octaves = GRID_MAX_LOG2 - Math.log2(TOKEN_GRID_DENSE);
  for (let i = 1; i <= octaves * STEPS_PER_DOUBLING; i++) {
    points.push(TOKEN_GRID_DENSE * 2 ** (i / STEPS_PER_DOUBLING));
  }
  return Float64Array.from(points);
}

/** Value of a table over `tokenGrid()` at `tokens` (≥ 0): direct index below 64, log-spaced search above. */
export function lookupTokenTable(grid: Float64Array, table: Float64Array, tokens: number): number {
  if (tokens <= 0) return 0;
  if (tokens <= TOKEN_GRID_DENSE) {
    const i = Math.floor(tokens);
    if (i === tokens) return table[i - 1];
    if (i === 0) return table[0] * tokens;
    return table[i - 1] + (tokens - i) * (table[i] - table[i - 1]);
  }
  const position = TOKEN_GRID_DENSE - 1 + Math.log2(tokens / TOKEN_GRID_DENSE) * STEPS_PER_DOUBLING;
  let lo = Math.floor(position);
  const last = grid.length - 1;
  if (lo >= last) lo = last - 1;
  // Rounding in log2 can land one slot off; step to the bracketing pair.
  while (lo > 0 && grid[lo] > tokens) lo--;
  while (lo < last - 1 && grid[lo + 1] < tokens) lo++;
  const x0 = grid[lo];
  const x1 = grid[lo + 1];
  return table[lo] + ((tokens - x0) / (x1 - x0)) * (table[lo + 1] - table[lo]);
}
