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

/** What names one benchmark configuration and the deployment it ran: model, GPU, engine, format, image. */
export const ConfigurationKey = z.object({
  /** The configuration's key (InferenceMAX: `dsr1-fp4-b200-trt-mtp`, `dsr1-fp4-b200-dynamo-trt`). */
  config: z.string().min(1),
  /** Repositories the rows name the model by (a database dump names DeepSeek-R1 runs DeepSeek-V3). */
  modelPaths: z.array(z.string().min(1)).min(1),
  system: z.string().min(1),
  backend: z.string().min(1),
  precision: z.string().min(1),
  /** The container image the configuration ran (as it writes it, `nvcr.io/…`): a row must name the same one. */
  image: z.string().min(1),
});
