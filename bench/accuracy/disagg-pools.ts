// A disaggregated row's prefill and decode pools as they ran: the row's degrees and worker counts, else
// its recipe's, with the recipe's limits, expert slots, overlap scheduler and MTP; and why a row whose
// recipe is missing, ambiguous or unplannable is not modelled.
import type { Plan } from '../../src/engine/memory/plan.js';
import type { ModelSpec } from '../../src/engine/model/spec.js';
import type { SpeculationConfigInput } from '../../src/engine/perf/speculation.js';
import {
  type RecipeEntry,
  type RecipeMatch,
  type RecipePool,
  recipeDegrees,
  recipeLimits,
} from './disagg-recipes.js';
import type { PoolShape } from './pool-shape.js';
import { poolDegrees, type SiliconRow } from './rows.js';

/**
 * Systems InferenceMAX benchmarks only as multinode prefill/decode-disaggregated configurations: every
 * configuration of runner gb200 or gb300 in its nvidia-master.yaml (SemiAnalysisAI/InferenceX
 * .github/configs/nvidia-master.yaml@0004cf5f2577a1c1007a9bed7cc7d55656519507: dsr1-fp4/fp8-gb200/gb300-
 * dynamo-trt and -dynamo-sglang, gptoss-fp4-gb200-dynamo-trt) is `multinode: true, disagg: true`. One of
 * its exports records such runs as 'agg' with tp_size the run's GPU count (12, 20, 28, 36, 48, 64), which
 * read as one tensor-parallel server they were not.
 */
export const DISAGGREGATED_ONLY_SYSTEMS = new Set(['gb200', 'gb300']);

/**
 * Why an 'agg' row of a disaggregated-only system is not modelled: no recipe records a run of its GPU
 * count at its concurrency, or several do.
 */
export function multinodeAggReason(system: string, recipe: RecipeMatch): string {
  const prefix = `InferenceMAX runs ${system} only as multinode disaggregated configurations: this 'agg' row's tp_size is its GPU count`;
  if (recipe.kind !== 'ambiguous') return `${prefix}, its prefill/decode workers are not recorded`;
  const modes = new Set(recipe.entries.map((e) => e.speculative));
  return modes.size > 1
    ? `${prefix}; the recipes ran its concurrency with and without MTP`
    : `${prefix}; the recipes ran its concurrency in several deployments`;
}

/**
 * The decode pool's speculation as an MTP recipe runs it: its speculative tokens, at the documented
 * default acceptance (docs/speculation.md). The prefill pool loads the drafter as the engine runs it
 * (the simulator derives that from the decode pool's setting).
 */
export function recipeSpeculation(entry: RecipeEntry): SpeculationConfigInput | undefined {
  return entry.speculative === 'mtp' && entry.mtpTokens !== undefined
    ? { method: 'mtp', k: entry.mtpTokens }
    : undefined;
}

const redundantSlots = (pool: RecipePool): { redundantExperts?: number; allToAll?: Plan['allToAll'] } => ({
  ...(pool.redundantExperts ? { redundantExperts: pool.redundantExperts } : {}),
  ...(pool.allToAll ? { allToAll: pool.allToAll } : {}),
});

/** The pool's overlap scheduler as its recipe sets it (`disable_overlap_scheduler`); absent: not set. */
const recipeOverlap = (pool: RecipePool): { overlapScheduling?: boolean } =>
  pool.disableOverlapScheduler !== undefined ? { overlapScheduling: !pool.disableOverlapScheduler } : {};

/** The recipe a row was matched to, where one (and only one) was. */
export const recipeEntryOf = (recipe: RecipeMatch): RecipeEntry | undefined =>
  recipe.kind === 'found' || recipe.kind === 'speculative' ? recipe.entry : undefined;

/** Why a row only an entry whose recipe is not stored fits is not modelled. */
function unreadRecipeReason(entry: RecipeEntry): string {
  return entry.speculative === 'mtp'
    ? 'disaggregated: worker counts not recorded; only an MTP recipe ran its concurrency, and its speculative tokens are not stored'
    : "disaggregated: worker counts not recorded; the launch script that set its recipe's degrees is not stored";
}

/**
 * A disaggregated row's pools as they ran: the row's degrees and worker counts, else its recipe's; with
 * the recipe's engine limits where it gives them, and its MTP speculation. A string says why the row
 * cannot be modelled.
 */
export function disaggregatedPools(row: SiliconRow, recipe: RecipeMatch): PoolShape[] | string {
  const counted = Boolean(row.prefill_num_workers && row.decode_num_workers);
  if (recipe.kind === 'found' || recipe.kind === 'speculative') {
    if (recipe.entry.recipeUnread && !counted) return unreadRecipeReason(recipe.entry);
    const { prefill, decode } = recipe.entry;
    const speculation = recipeSpeculation(recipe.entry);
    // The row's own degrees where it records them as they ran; the recipe's where it does not: rows
    // that record data parallelism as TP, and rows whose launch script sets the degrees (recordedTp),
    // where the recorded degrees are the configuration's, which did nothing.
    const own =
      counted && recipe.entry.recordsDataParallelAsTp !== true && recipe.entry.recordedTp === undefined;
    return [
      {
        degrees: own ? poolDegrees(row, 'prefill') : recipeDegrees(prefill),
        limits: recipeLimits(prefill),
        ...redundantSlots(prefill),
        ...recipeOverlap(prefill),
      },
      {
        degrees: own ? poolDegrees(row, 'decode') : recipeDegrees(decode),
        limits: recipeLimits(decode),
        ...redundantSlots(decode),
        ...recipeOverlap(decode),
        ...(speculation ? { speculation } : {}),
      },
    ];
  }
  if (!counted) {
    if (recipe.kind !== 'ambiguous') return 'disaggregated: prefill/decode worker counts not recorded';
    const modes = new Set(recipe.entries.map((e) => e.speculative));
    return modes.size > 1
      ? 'disaggregated: worker counts not recorded; the recipes ran its concurrency with and without MTP'
      : 'disaggregated: worker counts not recorded; the recipes ran its concurrency in several deployments';
  }
  return [{ degrees: poolDegrees(row, 'prefill') }, { degrees: poolDegrees(row, 'decode') }];
}

/**
 * Whether the row ran prefill/decode disaggregated: a 'disagg' row, or an 'agg' one that a recipe shows to
 * be a run of a multinode disaggregated configuration (`recordsTotalGpus`: its tp_size is that run's GPUs).
 */
export function runsDisaggregated(row: SiliconRow, recipe: RecipeMatch): boolean {
  return row.mode === 'disagg' || recipe.kind === 'found' || recipe.kind === 'speculative';
}

/**
 * Why a recipe's pools cannot be planned: an EP degree that does not divide the experts where the recipe
 * records no redundant expert slots (the engine ran some, EPLB's, but how many is not known). Undefined
 * where they divide or the pools are not a recipe's.
 */
export function recipeUndividedEp(model: ModelSpec, plans: Plan[], recipe: RecipeMatch): string | undefined {
  const experts = model.moe?.numExperts;
  if (experts === undefined || (recipe.kind !== 'found' && recipe.kind !== 'speculative')) return undefined;
  const plan = plans.find((p) => p.ep > 1 && (experts + (p.redundantExperts ?? 0)) % p.ep !== 0);
  return plan
    ? `disaggregated: the recipe's EP ${plan.ep} does not divide the ${experts} experts, and its redundant expert slots (EPLB) are not recorded`
    : undefined;
}
