import { z } from 'zod';
import { Plan } from '../memory/plan.js';
import { SpeculationConfig } from '../perf/speculation.js';
import { hasRankingTarget, RANKING_SLO_RULES } from '../workload/slo.js';
import { SloDefinition, SloPercentile } from '../workload/slo-verdict.js';

export { SloPercentile };

/**
 * The SLO a search or a tune ranks by: the one definition (`SloDefinition`, judged by `sloVerdict`) with
 * at least one of the targets RANKING_SLO_RULES takes, seconds. An absent target is unconstrained: a
 * TTFT-only SLO (batch, RAG) or a TBT-only one (chat streaming) is judged on the target it gives.
 */
export const Slo = SloDefinition.refine(hasRankingTarget, {
  message: `an SLO needs at least one of ${RANKING_SLO_RULES.allowed.join(', ')}`,
});
export type Slo = z.infer<typeof Slo>;

/** The scheduler settings a search varies, in vLLM's terms; emitters translate them per engine. */
export const SchedulerKnobs = z.object({
  maxNumSeqs: z.number().int().positive(),
  maxNumBatchedTokens: z.number().int().positive(),
  chunkedPrefill: z.boolean(),
  blockSize: z.number().int().positive(),
  gpuMemoryUtilization: z.number().gt(0).lte(1),
  /** SGLang --max-prefill-tokens, where a config file sets it; the search does not vary it. Absent: the default. */
  maxPrefillTokens: z.number().int().positive().optional(),
  /** SGLang --enable-mixed-chunk, where a config file sets it; the search does not vary it. Absent: off. */
  mixedChunk: z.boolean().optional(),
  /** SGLang --scheduler-recv-interval, where a config file sets it; the search does not vary it. Absent: 1. */
  schedulerRecvInterval: z.number().int().positive().optional(),
  /**
   * TensorRT-LLM batch_wait_timeout_iters and batch_wait_max_tokens_ratio, where a config file sets them;
   * the search does not vary them. Absent: no waiting (sched/config.ts).
   */
  batchWaitIters: z.number().int().min(0).optional(),
  batchWaitTokensRatio: z.number().min(0).max(1).optional(),
});
export type SchedulerKnobs = z.infer<typeof SchedulerKnobs>;

/** One pool of identical replicas: `plan.dp` replicas of `plan.tp × plan.pp` GPUs each. */
export const Pool = z.object({
  plan: Plan,
  knobs: SchedulerKnobs,
  /** Speculative decoding of the pool's decodes; absent: none. */
  speculation: SpeculationConfig.optional(),
});
export type Pool = z.infer<typeof Pool>;

/** A configuration to evaluate: replicas that do both phases, or a prefill pool and a decode pool. */
export const Candidate = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('colocated'), id: z.string(), pool: Pool }),
  z.object({ kind: z.literal('disaggregated'), id: z.string(), prefill: Pool, decode: Pool }),
]);
export type Candidate = z.infer<typeof Candidate>;
/** A candidate before its id is derived from it. */
export type CandidateBody =
  | { kind: 'colocated'; pool: Pool }
  | { kind: 'disaggregated'; prefill: Pool; decode: Pool };

const Percentiles = z.object({
  mean: z.number().nonnegative(),
  p50: z.number().nonnegative(),
  p90: z.number().nonnegative(),
  p99: z.number().nonnegative(),
});
export type Percentiles = z.infer<typeof Percentiles>;

/** What the search needs of one run at one request rate (a projection of the simulator's summary). */
export const EvaluationMetrics = z.object({
  /** Requests per second: those offered (open loop), or those served at `concurrency` (closed loop). */
  rate: z.number().nonnegative(),
  /** Closed loop: the requests kept in flight. Optional, added later. */
  concurrency: z.number().int().positive().optional(),
  ttft: Percentiles,
  tbt: Percentiles,
  tpot: Percentiles,
  e2e: Percentiles,
  /** Output tokens per second per GPU. */
  throughputPerGpu: z.number().nonnegative(),
  /** Prompt and output tokens per second per GPU. Optional, added later. */
  totalThroughputPerGpu: z.number().nonnegative().optional(),
  /** Output tokens per second one request sees after its first token (mean over requests). */
  speedPerUser: z.number().nonnegative(),
  requestThroughput: z.number().nonnegative(),
  /** Requests per second that met every SLO target. */
  goodput: z.number().nonnegative(),
  /** Share of the completed requests that met every SLO target (`requestMeetsSlo`). */
  attainment: z.number().min(0).max(1),
  preemptions: z.number().int().nonnegative(),
  /** False when the run could not finish its requests in bounded time (queues grew without end). */
  stable: z.boolean(),
});
export type EvaluationMetrics = z.infer<typeof EvaluationMetrics>;

export const EvaluatedConfiguration = z.object({
  id: z.string(),
  candidate: Candidate,
  gpus: z.number().int().positive(),
  /** Metrics at the search's request rate. */
  metrics: EvaluationMetrics,
  /** Metrics at `maxRateUnderSlo`: what the configuration delivers at the most traffic it serves within the SLOs. */
  metricsAtMaxRate: EvaluationMetrics.nullable(),
  meetsSlo: z.boolean(),
  /** Smallest relative headroom over the SLO targets at the search's rate (negative: violated). */
  sloMargin: z.number(),
  /**
   * Highest request rate at which the SLOs hold, or null when not searched (dominated) or never held.
   * Closed loop: the rate served at the search's concurrency where the SLOs held there (nothing is
   * bisected).
   */
  maxRateUnderSlo: z.number().nullable(),
  maxRateSearched: z.boolean(),
  paretoLatency: z.boolean(),
  paretoThroughput: z.boolean(),
  best: z.boolean(),
  /** Which stage evaluated it: the coarse grid or the refinement around the leaders. */
  stage: z.enum(['coarse', 'refine']),
});
export type EvaluatedConfiguration = z.infer<typeof EvaluatedConfiguration>;

export const PrunedConfiguration = z.object({
  what: z.string(),
  /** engine: the engine cannot run it (TGI serves from one node). */
  reason: z.enum(['divisibility', 'memory', 'dominated', 'engine']),
  detail: z.string(),
});
export type PrunedConfiguration = z.infer<typeof PrunedConfiguration>;

/** One run to evaluate: open loop at a request rate, or closed loop at a concurrency. */
export const EvaluationTaskSchema = z.union([
  z.object({ candidate: Candidate, rate: z.number().positive() }),
  z.object({ candidate: Candidate, concurrency: z.number().int().positive() }),
]);
