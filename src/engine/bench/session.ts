import { z } from 'zod';
import { RunSummary } from '../sim/summary.js';
import { MeasuredRequest } from './requests-file.js';

/**
 * One run asked of `servetune bench --session`, one JSON line on its stdin: which of the workload's
 * requests to send (seed, skip, count) and at what rate. The endpoint and the workload are the
 * session's own (its flags).
 */
export const BenchSessionRun = z
  .object({
    seed: z.number().int(),
    skip: z.number().int().nonnegative().optional(),
    maxRequests: z.number().int().positive(),
    rate: z.number().positive().optional(),
  })
  .strict();
export type BenchSessionRun = z.infer<typeof BenchSessionRun>;

/** What a session prints for each run, one JSON line on its stdout: the run, or why it failed. */
export const BenchSessionResult = z.union([
  z.object({ summary: RunSummary, requests: z.array(MeasuredRequest) }).strict(),
  z.object({ error: z.string() }).strict(),
]);
export type BenchSessionResult = z.infer<typeof BenchSessionResult>;
