// A pool of a row as it ran (degrees, limits, speculation, MoE backend), and an aggregated row's one
// pool (a disaggregated row's pools come from its recipe: disaggregatedPools).
import type { HardwareSpec } from '../../src/engine/hardware/spec.js';
import type { Plan } from '../../src/engine/memory/plan.js';
import type { MoeBackend } from '../../src/engine/perf/moe-backend.js';
import type { SpeculationConfigInput } from '../../src/engine/perf/speculation.js';
import { aggConfigOf, scriptLimitsOf } from './agg-configs.js';
import { aggregatedDegreesAsRun } from './degrees-as-run.js';
import type { ReplicaLimits } from './disagg-recipes.js';
import { type LaunchLimits, launchLimitsOf, moeBackendOf } from './launch-settings.js';
import type { PoolDegrees, SiliconRow } from './rows.js';

/** One pool of a row as it ran: its degrees, and where its recipe gives them, its limits and speculation. */
export interface PoolShape {
  degrees: PoolDegrees;
  /** The recipe's (per replica) or the aggregated launch script's limits. */
  limits?: ReplicaLimits | LaunchLimits;
  /** The recipe's redundant expert slots (EPLB), where it runs experts over EP ranks. */
  redundantExperts?: number;
  /** The recipe's MoE dispatch (DeepEP), where it sets one. */
  allToAll?: Plan['allToAll'];
  speculation?: SpeculationConfigInput;
  /** The MoE backend the aggregated launch script selected (its configuration's, else its rules'). */
  moeBackend?: MoeBackend;
  /** The recipe's servers of this pool run the overlap scheduler or not, where the recipe sets it. */
  overlapScheduling?: boolean;
}

/**
 * An aggregated row's one pool as it ran: its degrees, its launch script's limits, and where its benchmark
 * configuration ran MTP (agg-configs.ts: the row's image, lengths, concurrency and plan fit only an MTP
 * configuration), that speculation at its script's depth. `generatedMaxNumTokens`: the
 * token budget AIConfigurator's generator wrote, where it generated the deployment.
 */
export function aggregatedPool(
  row: SiliconRow,
  hardware: HardwareSpec,
  concurrency: number,
  generatedMaxNumTokens?: number,
): PoolShape {
  const degrees = aggregatedDegreesAsRun(row, hardware);
  const config = aggConfigOf(row, concurrency, degrees);
  // An MTP configuration ran its own script, whose limits are the configuration's (not the table's script).
  const limits: LaunchLimits | undefined = generatedMaxNumTokens
    ? { maxNumTokens: generatedMaxNumTokens }
    : (scriptLimitsOf(config, row, concurrency, degrees) ??
      launchLimitsOf(row, concurrency, undefined, degrees.tp));
  // An MTP configuration ran its own script, whose MoE backend is the configuration's.
  const configured =
    config.kind === 'found' || config.kind === 'speculative' ? config.entry.moeBackend : undefined;
  const moeBackend = configured ?? moeBackendOf(row, concurrency);
  return {
    degrees,
    ...(limits ? { limits } : {}),
    ...(config.kind === 'speculative' ? { speculation: config.speculation } : {}),
    ...(moeBackend ? { moeBackend } : {}),
  };
}
