import { z } from 'zod';

/** A kernel's measured time: what every timed dispatch returns and every profile table records. */
export const Timing = z.object({
  /** Median over repetitions, seconds per kernel invocation. */
  median: z.number().nonnegative(),
  p10: z.number().nonnegative(),
  p90: z.number().nonnegative(),
  samples: z.number().int().positive(),
});
export type Timing = z.infer<typeof Timing>;

export const ShaderDtype = z.enum(['f32', 'f16']);
export type ShaderDtype = z.infer<typeof ShaderDtype>;
