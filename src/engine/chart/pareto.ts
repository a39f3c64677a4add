/** A point as far as Pareto dominance is concerned: two values and which direction is better on each. */
export interface Objectives {
  x: number;
  y: number;
}

export type Better = 'lower' | 'higher';

function atLeastAsGood(a: number, b: number, better: Better): boolean {
  return better === 'lower' ? a <= b : a >= b;
}

function strictlyBetter(a: number, b: number, better: Better): boolean {
  return better === 'lower' ? a < b : a > b;
}

/**
 * Indices of the points no other point dominates (at least as good on both axes, strictly better on
 * one). Points with a non-finite value are never on the front. O(n log n): sort by x, sweep y.
 */
export function paretoFront(points: readonly Objectives[], xBetter: Better, yBetter: Better): number[] {
  const order = points
    .map((point, index) => ({ point, index }))
    .filter(({ point }) => Number.isFinite(point.x) && Number.isFinite(point.y))
    .sort((a, b) => {
      if (a.point.x !== b.point.x) return strictlyBetter(a.point.x, b.point.x, xBetter) ? -1 : 1;
      if (a.point.y !== b.point.y) return strictlyBetter(a.point.y, b.point.y, yBetter) ? -1 : 1;
      return a.index - b.index;
    });
  const front: number[] = [];
  let bestY: number | undefined;
  let bestYx: number | undefined;
  for (const { point, index } of order) {
    if (bestY === undefined || strictlyBetter(point.y, bestY, yBetter)) {
      front.push(index);
      bestY = point.y;
      bestYx = point.x;
    } else if (point.y === bestY && point.x === bestYx) {
      // An exact duplicate of a front member is not dominated by it.
      front.push(index);
    }
  }
  return front.sort((a, b) => a - b);
}

/** Brute-force reference used by the tests: O(n²) dominance check. */
export function dominates(a: Objectives, b: Objectives, xBetter: Better, yBetter: Better): boolean {
  return (
    atLeastAsGood(a.x, b.x, xBetter) &&
    atLeastAsGood(a.y, b.y, yBetter) &&
    (strictlyBetter(a.x, b.x, xBetter) || strictlyBetter(a.y, b.y, yBetter))
  );
}
