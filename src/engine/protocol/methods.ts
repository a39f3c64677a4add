import { z } from 'zod';
import { MAX_THINK_SECONDS } from '../sim/closed-loop.js';
import { SimulationConfig } from '../sim/config.js';
import { WorkloadSummary } from '../workload/summary.js';

// Params and results of the engine worker's long methods (profile, simulate, importTrace); `search`
// takes the engine's own SearchInput. The method table itself is in worker.ts.

export const ProfileParams = z.object({
  /** A short run: a smaller grid of shapes, fewer repetitions. */
  quick: z.boolean().default(true),
  /** Model whose attention and layer shapes are measured (catalog id or a config.json path). */
  model: z.string().min(1).default('llama-3.1-8b'),
});

export const SimulateParams = z.object({
  config: SimulationConfig,
  /** A workload spec or a trace file. */
  workload: z.string().min(1),
  /** Scale arrivals to this mean rate (requests/s). */
  rate: z.number().positive().optional(),
  /** Keep the first requests only. */
  requests: z.number().int().positive().optional(),
  seed: z.number().int().default(0),
  /**
   * Closed loop: keep this many requests in flight, the next sent as one settles (the workload's
   * arrival times are ignored; not with `rate`).
   */
  concurrency: z.number().int().positive().optional(),
  /** Closed loop: seconds between a request settling and its client's next send (default 0). */
  thinkSeconds: z.number().nonnegative().max(MAX_THINK_SECONDS).optional(),
  /** Leave the first completions out of the metrics (`RunLoad.warmUpRequests`). */
  warmUpRequests: z.number().int().nonnegative().optional(),
  /**
   * Closed loop: run the `warmUpRequests` as a phase of their own, the measured requests sent once every
   * warm-up request has settled, all clients at once (`--warm-up-phase`, `ClosedLoopOptions.warmUpPhase`).
   */
  warmUpPhase: z.boolean().optional(),
  /**
   * The max_tokens every request asks for (`SimulateOptions.maxTokens`): a positive whole number, or
   * 'output', each request its own output length, as benchmark clients send it with ignore_eos.
   */
  maxTokens: z.union([z.number().int().positive(), z.literal('output')]).optional(),
  /** A folder of measured op tables in aiconfigurator's layout (`--perf-db`); see SearchInput. */
  perfDb: z.string().min(1).optional(),
  /**
   * A saved calibration file (`--calibration`, `servetune calibrate --out`), read by the worker; it
   * replaces `config.calibration`.
   */
  calibration: z.string().min(1).optional(),
});

export const ImportTraceParams = z.object({ file: z.string().min(1) });
export const ImportTraceResult = z.object({
  file: z.string(),
  format: z.enum(['azure', 'burstgpt', 'mooncake', 'request-list']),
  summary: WorkloadSummary,
});
export type ImportTraceResult = z.infer<typeof ImportTraceResult>;
