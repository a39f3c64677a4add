import { z } from 'zod';
import type { Rng } from './rng.js';

/** Distributions of prompt or output lengths (tokens). Samples are rounded and at least 1. */
export const LengthDistribution = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), value: z.number().positive() }),
  z.object({ kind: z.literal('uniform'), min: z.number().positive(), max: z.number().positive() }),
  /** Log-normal with the given median (e^μ) and σ of the underlying normal. */
  z.object({ kind: z.literal('lognormal'), median: z.number().positive(), sigma: z.number().nonnegative() }),
  /** Draws uniformly from observed values. */
  z.object({ kind: z.literal('empirical'), values: z.array(z.number().positive()).min(1) }),
]);
export type LengthDistribution = z.infer<typeof LengthDistribution>;

export function sampleLength(d: LengthDistribution, rng: Rng, max = Number.POSITIVE_INFINITY): number {
  let x: number;
  switch (d.kind) {
    case 'fixed':
      x = d.value;
      break;
    case 'uniform':
      x = d.min + rng.next() * (d.max - d.min + 1);
      x = Math.floor(x);
      break;
    case 'lognormal':
      x = d.median * Math.exp(d.sigma * rng.normal());
      break;
    case 'empirical':
      x = d.values[Math.floor(rng.next() * d.values.length)];
      break;
  }
  return Math.min(max, Math.max(1, Math.round(x)));
}
