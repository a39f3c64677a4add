import type { HardwareSpec } from '../hardware/spec.js';
import { kvBlockShapeOf, memoryReport } from '../memory/model.js';
import { type Plan, planProblems } from '../memory/plan.js';
import { moeLayers } from '../model/geometry.js';
import type { ModelSpec } from '../model/spec.js';
import { withCaptureTokens } from '../perf/cuda-graph-capture.js';
import { epGroupBatches, expertImbalanceOf } from '../perf/expert-parallel.js';
import { engineExpertLayout } from '../perf/expert-weight-layout.js';
import { overlapScheduling } from '../perf/overlap-scheduling.js';
import { compileStepModel, type StepModel, type StepModelOptions } from '../perf/step-model.js';
import { PRIORITY_POLICIES, resolveSchedulerConfig } from '../sched/config.js';
import { HostKvTier } from '../sched/host-tier.js';
import { CountingKvBlockManager } from '../sched/kv-cache.js';
import { createPolicy } from '../sched/policies.js';
import { ServeTuneError } from '../util/errors.js';
import type { Workload } from '../workload/types.js';
import type { Deployment, PoolConfig, SimulationConfig } from './config.js';
import { EpGroup } from './ep-group.js';
import { rankDispatchOf } from './rank-dispatch.js';
import { RemoteKvLoads, remoteKvLoadPasses } from './remote-kv-load.js';
import { type PoolRole, SimReplica } from './replica.js';
import { Router } from './router.js';
import { kvBlocksWithDrafter, type PoolSpeculation, poolSpeculation } from './speculation-setup.js';

/** The measured tables a pool's step model reads: imported Vidur tables, the user's op database. */
type MeasuredTables = Pick<StepModelOptions, 'opTables' | 'measuredTables'>;

/** One pool of identical replicas and the router that spreads its arrivals over them. */
export interface Pool {
  role: PoolRole;
  config: PoolConfig;
  replicas: SimReplica[];
  router: Router;
  stepModel: StepModel;
}

/** The schedulers' settings as resolved (defaults filled in), by pool role, for the summary. */
export type ResolvedSchedulers = Record<string, Record<string, number | string | boolean>>;

export interface Pools {
  /** The entry pool (mixed or prefill) first, then the decode pool where disaggregated. */
  pools: Pool[];
  resolvedSchedulers: ResolvedSchedulers;
  /** Why the deployment cannot serve (empty where it can): a pool's plan does not divide the model, or its weights and a minimal KV cache do not fit. */
  problems: string[];
}

/** A deployment's pools with their roles, the entry pool first. */
export function poolConfigsOf(deployment: Deployment): [PoolRole, PoolConfig][] {
  return deployment.kind === 'colocated'
    ? [['mixed', deployment.pool]]
    : [
        ['prefill', deployment.prefill],
        ['decode', deployment.decode],
      ];
}

/** The decode pool's speculation of a disaggregated deployment (undefined: colocated, or none). */
function decodeSpeculationOf(deployment: Deployment): PoolConfig['speculation'] {
  return deployment.kind === 'disaggregated' ? deployment.decode.speculation : undefined;
}

/**
 * Every pool's replicas, each with its scheduler, KV cache and step model; a pool that cannot serve
 * (see `Pools.problems`) is left out and named in the problems.
 */
export function buildPools(
  config: SimulationConfig,
  model: ModelSpec,
  hardware: HardwareSpec,
  workload: Workload,
  tables: MeasuredTables,
): Pools {
  const problems: string[] = [];
  const resolvedSchedulers: ResolvedSchedulers = {};
  const pools: Pool[] = [];
  for (const [role, poolConfig] of poolConfigsOf(config.deployment)) {
    const resolved = resolveSchedulerConfig(poolConfig.scheduler, {
      gpuMemoryBytes: hardware.memoryBytes,
      modelMaxContext: model.maxContextLength,
    });
    resolvedSchedulers[role] = { ...resolved };
    if (resolved.schedulingPolicy === 'priority' && !PRIORITY_POLICIES.includes(resolved.policy)) {
      throw new ServeTuneError(
        `${role}: the ${resolved.policy} policy has no priority scheduling (${PRIORITY_POLICIES.join(', ')} do)`,
        'invalid-argument',
        '--scheduling-policy',
      );
    }
    if (resolved.kvOffloadBytes > 0 && !resolved.enablePrefixCaching) {
      throw new ServeTuneError(
        `${role}: KV offload to host memory keeps prefix-cache blocks, so it needs prefix caching (on by default for vllm-v1, sarathi and sglang)`,
        'invalid-argument',
        '--kv-offload',
      );
    }
    const divisibility = planProblems(model, poolConfig.plan);
    if (divisibility.length > 0) {
      problems.push(...divisibility.map((p) => `${role}: ${p}`));
      continue;
    }
    const memory = memoryReport(model, hardware, poolConfig.plan, {
      gpuMemoryUtilization: resolved.gpuMemoryUtilization,
      blockSize: resolved.blockSize,
      maxNumBatchedTokens: resolved.maxNumBatchedTokens,
      maxNumSeqs: resolved.maxNumSeqs,
      contextLength: resolved.maxModelLen,
      expertLayout: engineExpertLayout(config.engine, hardware, model, poolConfig.plan.weightDtype),
    });
    if (!memory.fits) {
      problems.push(...memory.problems.map((p) => `${role}: ${p}`));
      continue;
    }
    const imbalance = poolExpertImbalance(model, poolConfig);
    // vLLM sizes its CUDA graphs from this pool's scheduler: a larger step runs eagerly.
    const engine = withCaptureTokens(config.engine, {
      maxNumSeqs: resolved.maxNumSeqs,
      maxNumBatchedTokens: resolved.maxNumBatchedTokens,
      speculativeTokens: poolConfig.speculation?.k ?? 0,
      family: model.family,
    });
    const stepModel = cachedStepModel(
      model,
      hardware,
      poolConfig.plan,
      { calibration: config.calibration, engine },
      tables,
      imbalance,
    );
    const kvBytesPerBlock = memory.perGpu.kvBytesPerToken * resolved.blockSize;
    let kvBlocks = memory.perReplica.kvBlocks;
    let speculation: PoolSpeculation | null = null;
    // A disaggregated prefill pool loads the decode pool's drafter and prefills it (SGLang runs the
    // drafter's prefill on the prefill role and sends its state with the KV); it drafts nothing.
    const drafting = role === 'prefill' ? decodeSpeculationOf(config.deployment) : poolConfig.speculation;
    if (drafting) {
      const built = poolSpeculation(
        drafting,
        model,
        hardware,
        poolConfig.plan,
        stepModel,
        config.calibration,
        config.seed,
      );
      if ('problems' in built) {
        problems.push(...built.problems.map((p) => `${role}: ${p}`));
        continue;
      }
      speculation = built;
      kvBlocks = kvBlocksWithDrafter(kvBlocks, kvBytesPerBlock, resolved.blockSize, built);
    }
    // Sliding-window and linear-attention layers hold less than a token's full KV (see KvBlockShape).
    const shape = kvBlockShapeOf(model, poolConfig.plan, resolved.maxModelLen, resolved.blockSize);
    const replicas: SimReplica[] = [];
    for (let i = 0; i < poolConfig.plan.dp; i++) {
      const kv = new CountingKvBlockManager(
        kvBlocks,
        resolved.blockSize,
        workload.hashBlockTokens,
        resolved.enablePrefixCaching,
        shape,
      );
      if (resolved.kvOffloadBytes > 0 && resolved.enablePrefixCaching) {
        // The offload size is the replica's (vLLM: summed over its TP ranks); each GPU holds its shard.
        const gpusPerReplica = poolConfig.plan.tp * poolConfig.plan.pp;
        const bytesPerHash = kvBytesPerBlock * gpusPerReplica * kv.blocksPerHash;
        kv.attachHostTier(new HostKvTier(Math.floor(resolved.kvOffloadBytes / bytesPerHash)));
      }
      replicas.push(
        new SimReplica(
          i,
          role,
          resolved,
          kv,
          createPolicy(resolved.policy),
          stepModel,
          poolConfig.plan.pp,
          kvBytesPerBlock,
        ),
      );
      replicas[i].speculation = speculation?.decoder ?? null;
      replicas[i].overlapScheduling = overlapScheduling(
        config.engine,
        poolConfig.plan.pp,
        poolConfig.overlapScheduling,
      );
    }
    groupRanks(replicas, stepModel, poolConfig.plan);
    if (role === 'decode' && config.engine?.id === 'vllm') pullRemoteKv(replicas);
    pools.push({
      role,
      config: poolConfig,
      replicas,
      router: new Router(
        config.router,
        replicas,
        rankDispatchOf(config.engine, role, config.deployment.kind === 'disaggregated'),
        config.seed,
      ),
      stepModel,
    });
  }
  return { pools, resolvedSchedulers, problems };
}

/**
 * Joins each EP group's attention-DP ranks (ep / tp consecutive replicas) into one lockstep group,
 * where the plan's EP spans several of them; single-stage plans only (a pipelined rank's stages are
 * not joined).
 */
function groupRanks(replicas: SimReplica[], stepModel: StepModel, plan: Plan): void {
  const size = epGroupBatches(plan);
  if (!stepModel.lockstepGroup || plan.pp > 1 || size <= 1 || replicas.length % size !== 0) return;
  for (let first = 0; first < replicas.length; first += size) {
    const group = new EpGroup();
    for (let i = first; i < first + size; i++) {
      group.ranks.push(replicas[i]);
      replicas[i].epGroup = group;
    }
  }
}

/**
 * vLLM's decode replicas pull each request's KV and schedule it only once a step's output reports the
 * pull done (remote-kv-load.ts). Replicas stepping on their own; an EP group's ranks take arrivals in
 * at the group's step (not modelled there).
 */
function pullRemoteKv(replicas: readonly SimReplica[]): void {
  for (const replica of replicas) {
    if (replica.epGroup !== null || replica.pipelineDepth > 1) continue;
    replica.kvLoads = new RemoteKvLoads(remoteKvLoadPasses(replica.overlapScheduling));
  }
}

/** The busiest EP rank's load over the mean for a pool's routing (1 without EP or a skew). */
function poolExpertImbalance(model: ModelSpec, pool: PoolConfig): number {
  const moe = moeLayers(model)[0];
  if (!moe || pool.plan.ep <= 1 || !pool.expertRouting) return 1;
  // The plan's redundant slots are EPLB's to fill, whether or not the routing names them again.
  const redundantExperts = Math.max(pool.expertRouting.redundantExperts, pool.plan.redundantExperts ?? 0);
  return expertImbalanceOf(moe.experts, pool.plan.ep, { ...pool.expertRouting, redundantExperts });
}

const stepModelCache = new Map<string, StepModel>();
const STEP_MODEL_CACHE_LIMIT = 64;
const tablesIds = new WeakMap<object, number>();
let nextTablesId = 1;

/** Identifies a tables object within this process, for the cache key. */
function tablesId(tables: object | undefined): number {
  if (!tables) return 0;
  const id = tablesIds.get(tables) ?? nextTablesId++;
  tablesIds.set(tables, id);
  return id;
}

/** Compiled step models are reused across calls with the same model, hardware, plan, calibration and tables. */
function cachedStepModel(
  model: ModelSpec,
  hardware: HardwareSpec,
  plan: Plan,
  { calibration, engine }: Pick<SimulationConfig, 'calibration' | 'engine'>,
  tables: MeasuredTables,
  expertImbalance: number,
): StepModel {
  const { opTables, measuredTables } = tables;
  const key = JSON.stringify([
    model,
    hardware,
    { ...plan, dp: 1 },
    calibration ?? null,
    engine ?? null,
    tablesId(opTables),
    tablesId(measuredTables),
    expertImbalance,
  ]);
  let found = stepModelCache.get(key);
  if (!found) {
    found = compileStepModel(model, hardware, plan, {
      calibration,
      opTables,
      measuredTables,
      engine,
      expertImbalance,
    });
    if (stepModelCache.size >= STEP_MODEL_CACHE_LIMIT) {
      stepModelCache.delete(stepModelCache.keys().next().value as string);
    }
    stepModelCache.set(key, found);
  }
  return found;
}
