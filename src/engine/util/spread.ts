/**
 * The ratios as `bins` equally probable values: sorted, cut into bins of (nearly) equal count, each
 * bin's mean, scaled to mean 1. A rare stall keeps its true share instead of being interpolated over a
 * whole quantile interval.
 */
export function spreadOf(ratios: readonly number[], bins = 50): number[] {
  const sorted = [...ratios].sort((a, b) => a - b);
  const n = sorted.length;
  const k = Math.max(1, Math.min(bins, n));
  const values: number[] = [];
  for (let b = 0; b < k; b++) {
    const from = Math.floor((b * n) / k);
    const to = Math.floor(((b + 1) * n) / k);
    let sum = 0;
    for (let i = from; i < to; i++) sum += sorted[i];
    values.push(sum / Math.max(1, to - from));
  }
  const mean = values.reduce((a, v) => a + v, 0) / k;
  const out = values.map((v) => Math.max(1e-6, v / mean));
  return out.length >= 2 ? out : [out[0] ?? 1, out[0] ?? 1];
}
