import { z } from 'zod';
import { HardwareSpec } from '../hardware/spec.js';
import { Plan } from '../memory/plan.js';
import { ModelSpec } from '../model/spec.js';
import { Calibration } from '../perf/calibration.js';
import { ExpertRouting } from '../perf/expert-parallel.js';
import { ServingEngine } from '../perf/serving-engine.js';
import { SpeculationConfig } from '../perf/speculation.js';
import { SchedulerConfig } from '../sched/config.js';
import { NO_SLO, SloDefinition } from '../workload/slo-verdict.js';

export const RouterName = z.enum(['round-robin', 'least-outstanding', 'least-kv', 'prefix-affinity']);
export type RouterName = z.infer<typeof RouterName>;

/** One pool of identical replicas: its plan (`dp` = number of replicas), scheduler and speculative decoding. */
export const PoolConfig = z.object({
  plan: Plan,
  scheduler: SchedulerConfig,
  /** MoE under EP: the routing skew and EPLB's redundant experts (the busiest EP rank's load); absent: balanced. */
  expertRouting: ExpertRouting.optional(),
  /** Speculative decoding of its decodes; absent: none. */
  speculation: SpeculationConfig.optional(),
  /**
   * This pool's servers run the engine's overlap scheduler (true) or schedule step by step (false), where
   * they are set apart from the engine's: a disaggregated deployment configures each side's servers on
   * their own (TensorRT-LLM recipes set `disable_overlap_scheduler: true` on the context servers alone).
   * Absent: the engine's setting, else its version's default (perf/overlap-scheduling.ts).
   */
  overlapScheduling: z.boolean().optional(),
});
export type PoolConfig = z.infer<typeof PoolConfig>;

/**
 * A pool's own overlap setting as a field to spread: none where it is undefined, since an absent field
 * (the engine's setting applies) and one present as undefined compare unequal in deep comparisons.
 */
export function poolOverlap(overlap: boolean | undefined): Pick<PoolConfig, 'overlapScheduling'> {
  return overlap === undefined ? {} : { overlapScheduling: overlap };
}

export const Deployment = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('colocated'), pool: PoolConfig }),
  z.object({
    kind: z.literal('disaggregated'),
    prefill: PoolConfig,
    decode: PoolConfig,
    /** The link KV travels over from prefill to decode GPUs; default: the node's interconnect if both pools fit in one node, else the network. */
    kvLink: z
      .object({ bytesPerSecond: z.number().positive(), latencySeconds: z.number().nonnegative() })
      .optional(),
  }),
]);
export type Deployment = z.infer<typeof Deployment>;

/** Everything one simulation needs besides the requests. Serializable: it crosses worker_threads. */
export const SimulationConfig = z.object({
  /** A catalog model id, or a full spec (from a config.json). */
  model: z.union([z.string(), ModelSpec]),
  hardware: z.union([z.string(), HardwareSpec]),
  deployment: Deployment,
  router: RouterName.default('least-outstanding'),
  /** Step-time efficiencies; default: the hardware's device-class defaults. */
  calibration: Calibration.optional(),
  /** The serving engine predicted (measured op tables, all-reduce, CUDA graphs, overhead); default: roofline. */
  engine: ServingEngine.optional(),
  slo: SloDefinition.default(NO_SLO),
  /** Recorded in the summary; the workloads are generated with it, and it stands in for what an engine draws at random (bootstrap-room.ts). */
  seed: z.number().int().default(0),
  /** Points in the KV-utilization and batch-size time series. */
  timeSeriesPoints: z.number().int().positive().max(10000).default(120),
});
export type SimulationConfig = z.output<typeof SimulationConfig>;
export type SimulationConfigInput = z.input<typeof SimulationConfig>;
