// What the sourced accuracy-benchmark files (agg-configs, disagg-recipes, launch-settings) share: where
// each fact was read, and the counts they transcribe.
import { z } from 'zod';

/** A positive whole number as a configuration writes it (GPUs, workers, clients, tokens). */
export const count = z.number().int().positive();

/** The public file a fact was read from: repository, path and the commit it was read at. */
export const Source = z.object({
  repo: z.string().min(1),
  path: z.string().min(1),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
});
