/** Direction of one objective. */
export type Sense = 'min' | 'max';

/** True when `a` is at least as good as `b` on every objective and better on one. */
export function dominates(a: readonly number[], b: readonly number[], senses: readonly Sense[]): boolean {
  let strictly = false;
  for (let i = 0; i < senses.length; i++) {
    const better = senses[i] === 'min' ? a[i] < b[i] : a[i] > b[i];
    const worse = senses[i] === 'min' ? a[i] > b[i] : a[i] < b[i];
    if (worse) return false;
    if (better) strictly = true;
  }
  return strictly;
}

/**
 * Indices of the non-dominated points for two objectives, in O(n log n): sort by the first objective
 * (best first, ties broken by the second) and keep each point that improves on the best second value so
 * far. Exact duplicates are all kept (neither dominates the other).
 */
export function paretoFront2d(
  points: readonly (readonly [number, number])[],
  senses: readonly [Sense, Sense],
): number[] {
  const sign = senses.map((s) => (s === 'min' ? 1 : -1));
  const order = points
    .map((p, i) => ({ i, x: p[0] * sign[0], y: p[1] * sign[1] }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .sort((a, b) => a.x - b.x || a.y - b.y);
  const front: number[] = [];
  let bestY = Number.POSITIVE_INFINITY;
  let last: { x: number; y: number } | undefined;
  for (const p of order) {
    if (p.y < bestY) {
      front.push(p.i);
      bestY = p.y;
      last = p;
    } else if (last && p.x === last.x && p.y === last.y) {
      front.push(p.i);
    }
  }
  return front.sort((a, b) => a - b);
}

/** Indices of the non-dominated points for any number of objectives (O(n²), for checks and small sets). */
export function paretoFrontBrute(points: readonly (readonly number[])[], senses: readonly Sense[]): number[] {
  const front: number[] = [];
  for (let i = 0; i < points.length; i++) {
    if (!points[i].every(Number.isFinite)) continue;
    if (!points.some((q, j) => j !== i && q.every(Number.isFinite) && dominates(q, points[i], senses)))
      front.push(i);
  }
  return front;
}
