/**
 * m ≈ Σ x_j · columns_j by least squares on relative error (weights 1/m²) with every x_j ≥ 0: the best
 * of the unconstrained fits over every subset of the columns whose solution is non-negative.
 */
export function nonNegativeRelativeFit(
  points: readonly { columns: readonly number[]; m: number }[],
): number[] {
  const k = points[0]?.columns.length ?? 0;
  let best: { x: number[]; residual: number } | null = null;
  for (let mask = 1; mask < 1 << k; mask++) {
    const used = Array.from({ length: k }, (_, j) => j).filter((j) => mask & (1 << j));
    const x = solveWeighted(points, used);
    if (!x || x.some((v) => v < 0)) continue;
    const full = Array.from({ length: k }, (_, j) => x[used.indexOf(j)] ?? 0);
    const residual = points.reduce(
      (sum, p) => sum + ((p.columns.reduce((t, c, j) => t + full[j] * c, 0) - p.m) / p.m) ** 2,
      0,
    );
    if (!best || residual < best.residual) best = { x: full, residual };
  }
  return best?.x ?? Array.from({ length: k }, () => 0);
}

/** The weighted normal equations over the `used` columns, by Gaussian elimination; null if singular. */
function solveWeighted(
  points: readonly { columns: readonly number[]; m: number }[],
  used: readonly number[],
): number[] | null {
  const n = used.length;
  const a = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (const p of points) {
    const w = 1 / (p.m * p.m);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) a[r][c] += w * p.columns[used[r]] * p.columns[used[c]];
      a[r][n] += w * p.columns[used[r]] * p.m;
    }
  }
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (!(Math.abs(a[pivot][col]) > 1e-300)) return null;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let c = col; c <= n; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((row, i) => row[n] / row[i]);
}
