import { z } from 'zod';
import type { HardwareSpec } from '../hardware/spec.js';
import type { EvaluationMetrics } from './schema.js';

// Energy per token, an estimate: each GPU is taken to draw its datasheet power (TDP) the whole time it
// serves, over the tokens the modelled deployment delivers at its rate. Real draw under partial load is
// lower (an idle GPU draws a fraction of TDP), so this bounds the GPUs' energy from above; host, network
// and cooling power are not counted.

export const Energy = z.object({
  /** The power each GPU is taken to draw: its TDP. */
  wattsPerGpu: z.number().positive(),
  /** Joules per output token: watts × GPUs ÷ output tokens/s. Null when no token is served. */
  joulesPerOutputToken: z.number().nonnegative().nullable(),
  /** Joules per token, prompt and output. */
  joulesPerToken: z.number().nonnegative().nullable(),
  /** Where the power figure comes from (a datasheet). */
  source: z.string(),
});
export type Energy = z.infer<typeof Energy>;

/** What the basis of every energy figure is, in a sentence for people. */
export const ENERGY_BASIS =
  'an estimate, each GPU drawing its datasheet power (TDP) the whole time, over the tokens served at the rate; GPUs only, so an upper bound';

/** The GPUs' energy per token of a run `metrics` describes on `hardware`; null without a power figure. */
export function energyOf(metrics: EvaluationMetrics, hardware: HardwareSpec): Energy | null {
  if (!hardware.power) return null;
  const watts = hardware.power.watts;
  // Per GPU: watts ÷ (tokens/s per GPU) is the same as the deployment's total over its total tokens.
  const perToken = (tokensPerSecondPerGpu: number) =>
    tokensPerSecondPerGpu > 0 ? watts / tokensPerSecondPerGpu : null;
  return {
    wattsPerGpu: watts,
    joulesPerOutputToken: perToken(metrics.throughputPerGpu),
    joulesPerToken: perToken(metrics.totalThroughputPerGpu ?? metrics.throughputPerGpu),
    source: hardware.power.source,
  };
}
