import { z } from 'zod';

/**
 * How a synthetic workload's rate changes over time: the spec's `rate=` times a multiplier m(t).
 *   diurnal(PERIOD,LOW): m = LOW at 0, rising as a cosine to 1 at PERIOD/2 and back (rate= is the peak).
 *   steps(T1:M1;T2:M2;…): m = Mi from time Ti on (1 before the first; times increasing).
 *   burst(EVERY,LENGTH,FACTOR): m = FACTOR for the first LENGTH seconds of every EVERY seconds, else 1.
 */
export const RateCurve = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('diurnal'),
    periodSeconds: z.number().positive(),
    low: z.number().gt(0).lte(1),
  }),
  z.object({
    kind: z.literal('steps'),
    steps: z
      .array(z.object({ at: z.number().nonnegative(), factor: z.number().positive() }))
      .min(1)
      .refine((s) => s.every((x, i) => i === 0 || x.at > s[i - 1].at), 'step times must increase'),
  }),
  z.object({
    kind: z.literal('burst'),
    everySeconds: z.number().positive(),
    lengthSeconds: z.number().positive(),
    factor: z.number().positive(),
  }),
]);
export type RateCurve = z.infer<typeof RateCurve>;

/** The curve's multiplier of the base rate at time `t` (seconds). */
export function rateFactorAt(curve: RateCurve, t: number): number {
  switch (curve.kind) {
    case 'diurnal': {
      const wave = (1 - Math.cos((2 * Math.PI * t) / curve.periodSeconds)) / 2;
      return curve.low + (1 - curve.low) * wave;
    }
    case 'steps': {
      let factor = 1;
      for (const s of curve.steps) {
        if (s.at > t) break;
        factor = s.factor;
      }
      return factor;
    }
    case 'burst':
      return t % curve.everySeconds < curve.lengthSeconds ? curve.factor : 1;
  }
}

/** A curve as the spec grammar writes it: it parses back to the same curve. */
export function printRateCurve(curve: RateCurve): string {
  switch (curve.kind) {
    case 'diurnal':
      return `diurnal(${curve.periodSeconds},${curve.low})`;
    case 'steps':
      return `steps(${curve.steps.map((s) => `${s.at}:${s.factor}`).join(';')})`;
    case 'burst':
      return `burst(${curve.everySeconds},${curve.lengthSeconds},${curve.factor})`;
  }
}
