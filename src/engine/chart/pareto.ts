import { dominates as dominatesVector, paretoFront2d, type Sense } from '../util/pareto.js';

/** A point as far as Pareto dominance is concerned: two values and which direction is better on each. */
interface Objectives {
  x: number;
  y: number;
}

export type Better = 'lower' | 'higher';

const sense = (better: Better): Sense => (better === 'lower' ? 'min' : 'max');

/**
 * Indices of the points no other point dominates, in chart terms (axes with a better direction).
 * Points with a non-finite value are never on the front.
 */
export function paretoFront(points: readonly Objectives[], xBetter: Better, yBetter: Better): number[] {
  return paretoFront2d(
    points.map((p) => [p.x, p.y] as const),
    [sense(xBetter), sense(yBetter)],
  );
}

export function dominates(a: Objectives, b: Objectives, xBetter: Better, yBetter: Better): boolean {
  return dominatesVector([a.x, a.y], [b.x, b.y], [sense(xBetter), sense(yBetter)]);
}
