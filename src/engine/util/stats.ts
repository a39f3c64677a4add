/** Order statistics shared by every stage that summarizes samples. */

/** numpy's default percentile (linear interpolation between closest ranks) over sorted values. */
export function percentileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const position = (q / 100) * (n - 1);
  const lo = Math.floor(position);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
}
