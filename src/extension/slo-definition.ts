import { z } from 'zod';
import { Slo } from '../engine/search/schema.js';
import type { SloTargets } from '../engine/workload/slo.js';
import { SloGapStatistic } from '../engine/workload/slo-verdict.js';

/**
 * The latency targets the editor keeps (settings or the last choice); null leaves a target out
 * (unconstrained: a TTFT target alone for batch work, a TBT target alone for chat streaming).
 */
export interface SloTargetsChoice {
  percentile: Slo['percentile'];
  ttftSeconds: number | null;
  tbtSeconds: number | null;
}

/** The targets a choice gives, as the engine takes them: a target left out is absent. */
export function sloTargetsOfChoice(choice: SloTargetsChoice): SloTargets {
  return {
    ...(choice.ttftSeconds === null ? {} : { ttft: choice.ttftSeconds }),
    ...(choice.tbtSeconds === null ? {} : { tbt: choice.tbtSeconds }),
  };
}

/** The targets in a line, e.g. 'TTFT p90 ≤ 2 s, TBT p90 ≤ 50 ms' or 'TBT p90 ≤ 50 ms'. */
export function sloTargetsChoiceText(choice: SloTargetsChoice): string {
  const p = choice.percentile;
  return [
    choice.ttftSeconds === null ? null : `TTFT ${p} ≤ ${choice.ttftSeconds} s`,
    choice.tbtSeconds === null ? null : `TBT ${p} ≤ ${Number((choice.tbtSeconds * 1000).toPrecision(6))} ms`,
  ]
    .filter((x): x is string => x !== null)
    .join(', ');
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

const DEFAULT_SLO_SETTINGS = {
  percentile: 'p90',
  ttftSeconds: 2,
  tbtSeconds: 0.05,
  ...DEFAULT_SLO_DEFINITION,
} as const;

/**
 * The `servetune.slo.*` settings as the code reads them, with the manifest's defaults: a target set to
 * null is left out (unconstrained); with both left out, the defaults apply.
 */
export const SloSettings = z
  .object({
    percentile: z.enum(['p50', 'p90', 'p99']).catch('p90'),
    ttftSeconds: z.number().positive().nullable().catch(DEFAULT_SLO_SETTINGS.ttftSeconds),
    tbtSeconds: z.number().positive().nullable().catch(DEFAULT_SLO_SETTINGS.tbtSeconds),
    attainment: z.number().gt(0).lte(1).catch(DEFAULT_SLO_SETTINGS.attainment),
    form: z.enum(['attainment', 'percentile']).catch(DEFAULT_SLO_SETTINGS.form),
    gap: SloGapStatistic.catch(DEFAULT_SLO_SETTINGS.gap),
  })
  .refine((slo) => slo.ttftSeconds !== null || slo.tbtSeconds !== null)
  .catch(DEFAULT_SLO_SETTINGS);

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
    ...sloTargetsOfChoice(choice),
    percentile: choice.percentile,
    form: definition.form,
    attainment: definition.attainment,
    gap: definition.gap,
  });
}

/**
 * The SLO a config file's lenses judge against: the nearest servetune.json's where it has one, else the
 * settings' whole definition (targets, form, attainment, gap), as Simulate and Search judge theirs.
 */
export function configFileSlo(
  fromWorkspaceFile: Slo | undefined,
  settings: SloTargetsChoice & SloDefinitionSettings,
): Slo {
  return fromWorkspaceFile ?? sloOfSettings(settings, settings);
}

/**
 * A target as typed: blank leaves it out (null); else a positive number in the box's unit, as seconds;
 * undefined when it is neither.
 */
export function targetSeconds(text: string, unitScale: number): number | null | undefined {
  if (text.trim() === '') return null;
  const value = Number(text.trim());
  return Number.isFinite(value) && value > 0 ? value / unitScale : undefined;
}

/** What the TBT box says of its text, given the TTFT typed before it: at least one target is needed. */
export function tbtInputProblem(text: string, ttftSeconds: number | null): string | undefined {
  const tbt = targetSeconds(text, 1000);
  if (tbt === undefined) return 'A positive number of milliseconds, or blank for no TBT target';
  if (tbt === null && ttftSeconds === null) return 'Give a TBT target: the TTFT target was left blank';
  return undefined;
}
