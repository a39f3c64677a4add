// One simulated pool's config: its plan, speculation and overlap scheduler, and its scheduler as the
// deployment launched it (the engine's, with the recipe's or launch script's limits and launch flags).
import type { EngineId } from '../../src/engine/config/engines/index.js';
import type { HardwareSpec } from '../../src/engine/hardware/spec.js';
import type { Plan } from '../../src/engine/memory/plan.js';
import type { ModelSpec } from '../../src/engine/model/spec.js';
import type { AicAggregatedArgs } from './aic-generated.js';
import { attentionDpBalanceOf } from './attention-dp.js';
import type { ReplicaLimits } from './disagg-recipes.js';
import type { LaunchLimits } from './launch-settings.js';
import { schedulerOf } from './pool-scheduler.js';
import type { PoolShape } from './pool-shape.js';
import type { SiliconRow } from './rows.js';

/** What every pool of a row's simulated part shares. */
export interface PoolSetting {
  row: SiliconRow;
  engine: EngineId;
  hardware: HardwareSpec;
  model: ModelSpec;
  maxModelLen: number;
  /** Clients of the simulated part. */
  clients: number;
  disaggregated: boolean;
  /** TensorRT-LLM: the KV cache's share of free memory the launch set, where it says. */
  kvFraction: number | undefined;
  /** The launch AIConfigurator's generator wrote, for a deployment it generated. */
  aic: AicAggregatedArgs | undefined;
}

/** The simulated pool of plan `p`, as `shape` (the pool as it ran) gives its limits and speculation. */
export function poolConfigOf(s: PoolSetting, p: Plan, shape: PoolShape | undefined) {
  const limits = shape?.limits;
  const speculation = shape?.speculation;
  const overlapScheduling = shape?.overlapScheduling;
  return {
    plan: p,
    ...(speculation ? { speculation } : {}),
    ...(overlapScheduling !== undefined ? { overlapScheduling } : {}),
    scheduler: {
      ...schedulerOf({
        engine: s.engine,
        hardware: s.hardware,
        model: s.model,
        plan: p,
        maxModelLen: s.maxModelLen,
        clientsPerReplica: Math.ceil(s.clients / p.dp),
        budgetAsLaunched: !s.disaggregated,
        ...(s.kvFraction ? { kvCacheFreeMemoryFraction: s.kvFraction } : {}),
        ...(limits && 'memFractionStatic' in limits && limits.memFractionStatic
          ? { memFractionStatic: limits.memFractionStatic }
          : {}),
        ...(limits
          ? { limits: { maxBatchSize: limits.maxBatchSize, maxNumTokens: limits.maxNumTokens } }
          : {}),
      }),
      ...launchFlagsOf(s, p, limits),
    },
  };
}

/** The scheduler settings a pool's launch gives beyond its limits: SGLang's and TensorRT-LLM's flags. */
function launchFlagsOf(s: PoolSetting, p: Plan, limits: ReplicaLimits | LaunchLimits | undefined) {
  return {
    // SGLang as the generator launches it: prompts per prefill batch up to max_prefill_tokens, the
    // chunk size its default, decodes mixed into prefill batches where the version's template says.
    ...(s.aic?.sglang
      ? { maxPrefillTokens: s.aic.sglang.maxPrefillTokens, mixedChunk: s.aic.sglang.mixedChunk }
      : {}),
    ...(limits && 'maxPrefillTokens' in limits && limits.maxPrefillTokens
      ? { maxPrefillTokens: limits.maxPrefillTokens }
      : {}),
    // SGLang launched with --scheduler-recv-interval: new requests are taken in every n decode steps.
    ...(limits && 'schedulerRecvInterval' in limits && limits.schedulerRecvInterval
      ? { schedulerRecvInterval: limits.schedulerRecvInterval }
      : {}),
    ...attentionDpBalanceOf(s.engine, p, s.row, s.disaggregated),
    ...(limits && 'batchWaitIters' in limits && limits.batchWaitIters
      ? { batchWaitIters: limits.batchWaitIters, batchWaitTokensRatio: limits.batchWaitTokensRatio }
      : {}),
  };
}
