import { z } from 'zod';
import { KvDtype, WeightDtype } from '../dtypes.js';
import { PlansReport } from '../memory/plans.js';

/**
 * Messages between a client (the extension, tests) and the engine worker process, one JSON object per
 * line over stdio. Every request carries an id; the worker answers with exactly one `result` or `error`
 * for it, possibly after `progress` messages.
 */
export const PlansParams = z.object({
  model: z.string(),
  hardware: z.string(),
  gpus: z.number().int().positive(),
  weightDtype: WeightDtype.default('bf16'),
  kvDtype: KvDtype.default('bf16'),
  gpuMemoryUtilization: z.number().gt(0).lte(1).default(0.9),
});

export const WorkerRequest = z.discriminatedUnion('method', [
  z.object({ id: z.number().int(), method: z.literal('plans'), params: PlansParams }),
  z.object({
    id: z.number().int(),
    method: z.literal('cancel'),
    params: z.object({ target: z.number().int() }),
  }),
]);
export type WorkerRequest = z.infer<typeof WorkerRequest>;

export const WorkerError = z.object({ message: z.string(), code: z.string(), where: z.string().optional() });

export const WorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), version: z.string() }),
  z.object({
    type: z.literal('result'),
    id: z.number().int(),
    method: z.literal('plans'),
    result: PlansReport,
  }),
  z.object({ type: z.literal('error'), id: z.number().int().nullable(), error: WorkerError }),
  z.object({
    type: z.literal('progress'),
    id: z.number().int(),
    done: z.number(),
    total: z.number(),
    message: z.string().optional(),
  }),
]);
export type WorkerMessage = z.infer<typeof WorkerMessage>;
