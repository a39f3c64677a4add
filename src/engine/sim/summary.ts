import { z } from 'zod';
import { SloTargets } from '../workload/slo.js';
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
  /**
   * Closed loop: the warm-up ran as a phase of its own, the measured requests sent only once every
   * warm-up request had settled, all clients at once (`ClosedLoopOptions.warmUpPhase`).
   */
  warmUpPhase: z.literal(true).optional(),
});
export type RunLoad = z.infer<typeof RunLoad>;

/**
 * One class of requests (interactive, batch, …): its latencies and the share of its completed requests
 * meeting its targets, its own or else the run's (null without either).
 */
export const ClassSummary = z.object({
  name: z.string(),
  requests: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  ttft: MetricSummary.nullable(),
  tpot: MetricSummary.nullable(),
  e2e: MetricSummary.nullable(),
  queueing: MetricSummary.nullable(),
  /** The class's own targets where the workload gives them (else the run's count). */
  slo: SloTargets.optional(),
  sloAttainment: z.number().min(0).max(1).nullable(),
});
export type ClassSummary = z.infer<typeof ClassSummary>;

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
  /**
   * The saved calibration file (`--calibration`, the editor's `servetune.calibration`) that
   * `config.calibration` was read from, for the report to name. Optional, added later.
   */
  calibrationFile: z.string().optional(),
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
  prefixCache: z
    .object({
      hitTokens: z.number(),
      queriedTokens: z.number(),
      hitRate: z.number(),
      /** Of the hit tokens, those loaded from host memory (KV offload) rather than found on the GPU. Optional, added later. */
      hostHitTokens: z.number().optional(),
    })
    .nullable(),
  /** KV blocks in use / KV blocks, time-weighted over the replicas' steps. */
  kvUtilization: OverTime.nullable(),
  /**
   * KV blocks holding cached prefixes no running request references / KV blocks: evictable (an
   * allocation takes them when nothing is free), so neither in use nor free. The rest is free. Absent
   * from runs that do not count it (measured ones).
   */
  kvCached: OverTime.nullable().optional(),
  /** Sequences per step, time-weighted over the replicas' steps. */
  batchSize: OverTime.nullable(),
  /** Speculative decoding, where a pool ran it: what its verification steps drafted and emitted. Optional, added later. */
  speculation: z
    .object({
      /** The setting, in the CLI's form (`eagle3:k=3`). */
      setting: z.string(),
      /** Sequence verifications (one per speculating sequence per step). */
      verifications: z.number().int().nonnegative(),
      draftedTokens: z.number().int().nonnegative(),
      /** Tokens the verifications emitted: accepted drafts plus the target's own token each. */
      emittedTokens: z.number().int().nonnegative(),
      /** Emitted tokens per verification, as drawn. */
      tokensPerVerification: z.number().nonnegative(),
      /** What the acceptance model expects per verification, each at the k it drafted (the setting's k where none ran). */
      expectedTokensPerVerification: z.number().nonnegative(),
      /** Per class of the workload: tokens drafted for its requests and tokens their verifications emitted. */
      classes: z
        .array(
          z.object({
            name: z.string(),
            draftedTokens: z.number().int().nonnegative(),
            emittedTokens: z.number().int().nonnegative(),
          }),
        )
        .optional(),
    })
    .optional(),
  /** Disaggregated runs: the KV transfer from prefill to decode, per request. */
  kvTransfer: MetricSummary.nullable(),
  /** Per class, where the workload's requests have classes (measured requests, as the totals). Optional, added later. */
  classes: z.array(ClassSummary).optional(),
  simulatedSeconds: z.number().nonnegative(),
  wallSeconds: z.number().nonnegative(),
  steps: z.number().int().nonnegative(),
  seed: z.number().int(),
});
export type RunSummary = z.infer<typeof RunSummary>;
