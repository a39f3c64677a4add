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

function describeLength(d: LengthDistribution): string {
  switch (d.kind) {
    case 'fixed':
      return `fixed(${d.value})`;
    case 'uniform':
      return `uniform(${d.min},${d.max})`;
    case 'lognormal':
      return `lognormal(${d.median},${d.sigma})`;
    case 'empirical':
      return `empirical(${d.values.length} values)`;
  }
}

/** A distribution as the spec grammar writes it (empirical values in full), so that it parses back the same. */
export function printLength(d: LengthDistribution): string {
  return d.kind === 'empirical' ? `empirical(${d.values.join(';')})` : describeLength(d);
}
