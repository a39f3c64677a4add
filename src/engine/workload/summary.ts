import { z } from 'zod';
import { percentileSorted } from '../util/stats.js';
import { modelCounts } from './trace-options.js';
import { arrivalRate } from './transform.js';
import type { Workload } from './types.js';

const LengthSummary = z.object({
  mean: z.number().nonnegative(),
  p50: z.number().nonnegative(),
  p90: z.number().nonnegative(),
  p99: z.number().nonnegative(),
  max: z.number().nonnegative(),
});
type LengthSummary = z.infer<typeof LengthSummary>;

/** What a workload holds, in a few numbers: how many requests, over how long, and how long they are. */
export const WorkloadSummary = z.object({
  source: z.string(),
  requests: z.number().int().nonnegative(),
  /** First to last arrival, seconds. */
  durationSeconds: z.number().nonnegative(),
  /** Mean arrival rate over that span, requests/s (null when every request arrives at once). */
  ratePerSecond: z.number().nonnegative().nullable(),
  promptTokens: LengthSummary,
  outputTokens: LengthSummary,
  /** Requests carrying prefix block hashes (Mooncake `hash_ids`), which the prefix cache can share. */
  withPrefixHashes: z.number().int().nonnegative(),
  /** Requests per model, most first, where the trace records models (BurstGPT: ChatGPT, GPT-4). */
  models: z.array(z.object({ model: z.string(), requests: z.number().int().nonnegative() })).optional(),
});
export type WorkloadSummary = z.infer<typeof WorkloadSummary>;

function lengths(values: Float64Array): LengthSummary {
  if (values.length === 0) return { mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  values.sort();
  let sum = 0;
  for (const v of values) sum += v;
  return {
    mean: sum / values.length,
    p50: percentileSorted(values, 50),
    p90: percentileSorted(values, 90),
    p99: percentileSorted(values, 99),
    max: values[values.length - 1],
  };
}

export function summarizeWorkload(workload: Workload): WorkloadSummary {
  const r = workload.requests;
  const rate = arrivalRate(workload);
  const models = modelCounts(workload);
  return {
    source: workload.source,
    requests: r.length,
    durationSeconds: r.length > 1 ? r[r.length - 1].arrival - r[0].arrival : 0,
    ratePerSecond: rate > 0 ? rate : null,
    promptTokens: lengths(Float64Array.from(r, (q) => q.promptTokens)),
    outputTokens: lengths(Float64Array.from(r, (q) => q.outputTokens)),
    withPrefixHashes: r.filter((q) => q.hashIds !== undefined && q.hashIds.length > 0).length,
    ...(models.length > 0 ? { models: models.map(([model, requests]) => ({ model, requests })) } : {}),
  };
}
