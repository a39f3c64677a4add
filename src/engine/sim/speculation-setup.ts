import type { HardwareSpec } from '../hardware/spec.js';
import { weightBytesPerGpu } from '../memory/model.js';
import { type Plan, planProblems } from '../memory/plan.js';
import { kvBytesPerTokenPerGpu } from '../model/geometry.js';
import { resolveModel } from '../model/resolve.js';
import type { ModelSpec } from '../model/spec.js';
import type { Calibration } from '../perf/calibration.js';
import { defaultDraftModelId, type SpeculationConfig, speculationProblems } from '../perf/speculation.js';
import { SpeculationCost } from '../perf/speculation-cost.js';
import { compileStepModel, type StepModel } from '../perf/step-model.js';
import { ServeTuneError } from '../util/errors.js';
import { SpeculativeDecoder } from './speculation.js';

/** Speculation's draws come from a stream of their own, apart from any other seeded draws. */
const SPECULATION_SEED_MIX = 0x2545f491;

export interface PoolSpeculation {
  decoder: SpeculativeDecoder;
  /** GPU memory per GPU the drafter's weights take from the KV cache. */
  draftWeightBytesPerGpu: number;
  /** KV bytes per token per GPU the drafter keeps beside the target's (its own layers' cache). */
  draftKvBytesPerTokenPerGpu: number;
}

/**
 * A pool's speculative decoder, its drafter compiled on the pool's hardware: a draft model at the
 * pool's TP (or the largest that divides it), or the target's own step model for a head (EAGLE,
 * EAGLE-3, MTP: one layer of the target's shape, which also keeps one layer's KV). Problems (no MTP
 * layers, an unknown draft) are returned, not thrown, as the pool's other problems are.
 */
export function poolSpeculation(
  config: SpeculationConfig,
  target: ModelSpec,
  hardware: HardwareSpec,
  plan: Plan,
  stepModel: StepModel,
  calibration: Calibration | undefined,
  seed: number,
): PoolSpeculation | { problems: string[] } {
  const problems = speculationProblems(config, target);
  if (problems.length > 0) return { problems };
  const seedOf = (seed ^ SPECULATION_SEED_MIX) >>> 0;
  if (config.method === 'draft-model') {
    let draft: ModelSpec;
    try {
      draft = resolveModel(config.draftModel ?? defaultDraftModelId(target)!);
    } catch (error) {
      if (error instanceof ServeTuneError) return { problems: [`draft model: ${error.message}`] };
      throw error;
    }
    const draftPlan = draftPlanOf(draft, plan);
    const draftModel = compileStepModel(draft, hardware, draftPlan, { calibration });
    return {
      decoder: new SpeculativeDecoder(
        config,
        new SpeculationCost(stepModel, config, draftModel),
        seedOf,
        target.slidingWindow,
      ),
      draftWeightBytesPerGpu: weightBytesPerGpu(draft, draftPlan),
      draftKvBytesPerTokenPerGpu: kvBytesPerTokenPerGpu(draft, draftPlan),
    };
  }
  const headLayers = config.method === 'ngram' ? 0 : 1;
  return {
    decoder: new SpeculativeDecoder(
      config,
      new SpeculationCost(stepModel, config, null),
      seedOf,
      target.slidingWindow,
    ),
    draftWeightBytesPerGpu: (headLayers * weightBytesPerGpu(target, { ...plan, pp: 1 })) / target.numLayers,
    draftKvBytesPerTokenPerGpu:
      (headLayers * kvBytesPerTokenPerGpu(target, { ...plan, pp: 1 })) / target.numLayers,
  };
}

/** The draft's plan: the target's TP where it divides the draft, else the largest power of two below that does. */
function draftPlanOf(draft: ModelSpec, plan: Plan): Plan {
  let tp = plan.tp;
  const draftPlan = (t: number): Plan => ({ ...plan, tp: t, pp: 1, dp: 1, ep: 1 });
  while (tp > 1 && planProblems(draft, draftPlan(tp)).length > 0) tp = Math.floor(tp / 2);
  return draftPlan(tp);
}

/**
 * KV blocks left once the drafter's weights are taken from the cache and each block also holds the
 * drafter's KV for its tokens.
 */
export function kvBlocksWithDrafter(
  kvBlocks: number,
  kvBytesPerBlockPerGpu: number,
  blockSize: number,
  speculation: PoolSpeculation,
): number {
  const bytes = kvBlocks * kvBytesPerBlockPerGpu - speculation.draftWeightBytesPerGpu;
  const perBlock = kvBytesPerBlockPerGpu + speculation.draftKvBytesPerTokenPerGpu * blockSize;
  return Math.max(0, Math.floor(bytes / perBlock));
}
