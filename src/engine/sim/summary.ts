import { z } from 'zod';
import { SloDefinition } from '../workload/slo-verdict.js';
import { SimulationConfig } from './config.js';

/** One latency metric over requests (or over token gaps for ITL), seconds. Null when there are no samples. */
export const MetricSummary = z.object({
  count: z.number().int().nonnegative(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  min: z.number(),
  max: z.number(),
});
export type MetricSummary = z.infer<typeof MetricSummary>;

const TimeSeries = z.object({
  /** Bucket centres, seconds from the start. */
  t: z.array(z.number()),
  value: z.array(z.number()),
});

const OverTime = z.object({ mean: z.number(), peak: z.number(), series: TimeSeries });

/**
 * How a run sent its requests and what it counted, where that is not open loop (each request at its
 * arrival time) with every request counted.
 */
export const RunLoad = z.object({
  /** Open loop, or closed loop: a fixed number in flight, the next sent as one settles. */
  mode: z.enum(['open', 'closed']),
  /** Closed loop: requests kept in flight. */
  concurrency: z.number().int().positive().optional(),
  /** Closed loop: seconds between a request settling and its client's next send. */
  thinkSeconds: z.number().nonnegative().optional(),
  /**
   * Completions that warmed the run up: the latencies, tokens, throughput and goodput count from the
   * last of them (requests finished by then left out); request counts and series cover the whole run.
   */
  warmUpRequests: z.number().int().nonnegative().optional(),
});
export type RunLoad = z.infer<typeof RunLoad>;

/**
 * The result of a run, simulated or measured against a real endpoint: the same schema so the two
 * diff directly. Metrics follow vLLM's benchmark definitions: TTFT = first token − arrival; TPOT =
 * (E2E − TTFT) / (output tokens − 1), over requests with more than one output token; ITL = every gap
 * between consecutive tokens of a request; E2E = last token − arrival; queueing = first scheduled −
 * arrival. Throughput is over the run's duration (first arrival, or the warm-up's end, to last completion).
 */
export const RunSummary = z.object({
  schemaVersion: z.literal(1),
  kind: z.enum(['simulated', 'measured']),
  label: z.string(),
  model: z.string(),
  hardware: z.string(),
  gpus: z.number().int().nonnegative(),
  /** The simulation's configuration (simulated runs). */
  config: SimulationConfig.optional(),
  /** Scheduler knobs after engine defaults were applied, per pool. */
  resolvedSchedulers: z
    .record(z.string(), z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])))
    .optional(),
  /** The endpoint measured (measured runs). */
  endpoint: z.object({ url: z.string(), servedModel: z.string().optional() }).optional(),
  /** The workload replayed, as given to `loadWorkload` (measured runs; lets a fit re-simulate it). Optional, added later. */
  workload: z
    .object({
      source: z.string(),
      seed: z.number().int(),
      rate: z.number().positive().optional(),
      /** Requests dropped from the workload's start (the rest moved to start at 0). Optional, added later. */
      skip: z.number().int().nonnegative().optional(),
      count: z.number().int().positive().optional(),
      /**
       * Served in blocks of this many requests, one after another, each starting when the previous had
       * drained (`simulate` with validation's `servedClient({ blockRequests })` replays it so). Optional, added later.
       */
      blockRequests: z.number().int().positive().optional(),
      /**
       * The load generator ran on the engine's own host (as `servetune validate` runs it), and was stalled
       * by what stalled the engine (`servedClient({ clientSharesHost })` replays it so). Optional, added later.
       */
      clientSharesHost: z.boolean().optional(),
      /** How it was replayed: open loop at the arrival times, or closed loop at a concurrency. */
      mode: z.enum(['open', 'closed']),
      concurrency: z.number().int().positive().optional(),
    })
    .optional(),
  /** How the requests were sent (`RunLoad`); absent: open loop, every request counted. Optional, added later. */
  load: RunLoad.optional(),
  /** False when the plan cannot run (weights do not fit, degrees do not divide): nothing was simulated. */
  feasible: z.boolean(),
  problems: z.array(z.string()),
  requests: z.object({
    total: z.number().int().nonnegative(),
    completed: z.number().int().nonnegative(),
    /** Rejected (longer than the context, or larger than the KV cache) or never served. */
    failed: z.number().int().nonnegative(),
  }),
  tokens: z.object({
    input: z.number().int().nonnegative(),
    output: z.number().int().nonnegative(),
    /** Prompt tokens served from the prefix cache. */
    cachedPrompt: z.number().int().nonnegative(),
  }),
  ttft: MetricSummary.nullable(),
  tpot: MetricSummary.nullable(),
  itl: MetricSummary.nullable(),
  e2e: MetricSummary.nullable(),
  queueing: MetricSummary.nullable(),
  throughput: z.object({
    requestsPerSecond: z.number(),
    inputTokensPerSecond: z.number(),
    outputTokensPerSecond: z.number(),
    totalTokensPerSecond: z.number(),
    requestsPerSecondPerGpu: z.number(),
    outputTokensPerSecondPerGpu: z.number(),
  }),
  goodput: z
    .object({
      slo: SloDefinition,
      requestsPerSecond: z.number(),
      /** Share of completed requests meeting every target. */
      fraction: z.number(),
    })
    .nullable(),
  preemptions: z.number().int().nonnegative(),
  prefixCache: z.object({ hitTokens: z.number(), queriedTokens: z.number(), hitRate: z.number() }).nullable(),
  /** KV blocks in use / KV blocks, time-weighted over the replicas' steps. */
  kvUtilization: OverTime.nullable(),
  /** Sequences per step, time-weighted over the replicas' steps. */
  batchSize: OverTime.nullable(),
  /** Disaggregated runs: the KV transfer from prefill to decode, per request. */
  kvTransfer: MetricSummary.nullable(),
  simulatedSeconds: z.number().nonnegative(),
  wallSeconds: z.number().nonnegative(),
  steps: z.number().int().nonnegative(),
  seed: z.number().int(),
});
export type RunSummary = z.infer<typeof RunSummary>;
