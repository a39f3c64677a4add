import { Option } from 'commander';
import { sloMisses, sloTargetsText } from '../engine/search/format.js';
import type { EvaluationMetrics, Slo } from '../engine/search/schema.js';
import { nearestToSlo } from '../engine/search/slo.js';

// `--require-slo` of `search` and `tune`: a CI job fails when nothing meets the SLO. Without it both exit
// 0 whenever configurations ran, met or not, since a run that lists the closest ones is an answer too.

/** The exit status under --require-slo when nothing meets the SLO: the same as "nothing fits". */
export const SLO_NOT_MET_EXIT = 3;

export function requireSloOption(what: string): Option {
  return new Option(
    '--require-slo',
    `exit with status ${SLO_NOT_MET_EXIT} when ${what} meets the SLO, after printing the output in full; stderr says so in one line with the nearest configuration's misses`,
  );
}

/** A configuration as the message names it: its label and its metrics (null: it could not run). */
export interface SloRun {
  label: string;
  metrics: EvaluationMetrics | null;
}

/** What the message says: of what nothing meets the SLO, at what load, and the runs to find the nearest in. */
export interface SloRequirement {
  slo: Slo;
  /** 'at 4.00 req/s', 'with 64 in flight'. */
  load: string;
  /** 'no configuration', 'neither the configuration as written nor the suggested one'. */
  nothing: string;
  runs: readonly SloRun[];
  /** Said instead of the nearest run's misses (capacity planning: each GPU type's reason). */
  why?: string;
}

/**
 * Under --require-slo, when `met` is false: one line on stderr (`servetune <command>: …`) saying that
 * nothing meets the SLO and what the nearest of `runs` misses, and exit status 3.
 */
export function requireSlo(command: string, met: boolean, context: SloRequirement): void {
  if (met) return;
  const ran = context.runs.flatMap((r) => (r.metrics ? [{ label: r.label, metrics: r.metrics }] : []));
  const nearest = nearestToSlo(ran, context.slo);
  const why =
    context.why ??
    (nearest
      ? `the nearest, ${nearest.label}: ${sloMisses(nearest.metrics, context.slo).join(', ') || 'misses a target'}`
      : 'no configuration could run');
  console.error(
    `servetune ${command}: --require-slo: ${context.nothing} meets the SLO (${sloTargetsText(context.slo)}) ${context.load}; ${why}`,
  );
  process.exitCode = SLO_NOT_MET_EXIT;
}
