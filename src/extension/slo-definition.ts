import { Slo } from '../engine/search/schema.js';
import type { SloGapStatistic } from '../engine/workload/slo-verdict.js';

/** The latency targets the editor keeps (settings or the last choice). */
export interface SloTargetsChoice {
  percentile: Slo['percentile'];
  ttftSeconds: number;
  tbtSeconds: number;
}

/** How the settings define an SLO over those targets (`servetune.slo.form`, `.attainment`, `.gap`). */
export interface SloDefinitionSettings {
  /** `attainment`: a share of requests each meets every target; `percentile`: each metric's percentile over requests. */
  form: 'attainment' | 'percentile';
  attainment: number;
  /** Attainment form: what of a request's token gaps the TBT target bounds. */
  gap: SloGapStatistic;
}

export const DEFAULT_SLO_DEFINITION: SloDefinitionSettings = {
  form: 'attainment',
  attainment: 0.9,
  gap: 'p90',
};

/**
 * The SLO the editor's targets stand for, in the one definition (workload/slo-verdict.ts): the
 * attainment form judges each request at `gap` and counts the share meeting every target; the
 * percentile form judges each metric's `percentile` over all requests. Free of the editor API, so
 * the engine's workers get exactly what this returns.
 */
export function sloOfSettings(
  choice: SloTargetsChoice,
  definition: SloDefinitionSettings = DEFAULT_SLO_DEFINITION,
): Slo {
  return Slo.parse({
    ttft: choice.ttftSeconds,
    tbt: choice.tbtSeconds,
    percentile: choice.percentile,
    form: definition.form,
    attainment: definition.attainment,
    gap: definition.gap,
  });
}
