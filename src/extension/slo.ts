import { Slo } from '../engine/search/schema.js';
import { sloInWords } from '../engine/workload/slo-verdict.js';
import { readSettings } from './configuration.js';
import type { SloChoice } from './picks.js';

/**
 * The SLO the editor's choice stands for, in the one definition: its targets, at the attainment of the
 * `servetune.slo.attainment` setting (default 90% of requests); its percentile is the one charts show.
 */
export function sloOfChoice(choice: SloChoice, attainment = readSettings().slo.attainment): Slo {
  return Slo.parse({
    ttft: choice.ttftSeconds,
    tbt: choice.tbtSeconds,
    percentile: choice.percentile,
    attainment,
  });
}

/** The editor's SLO in the words of its definition. */
export function sloChoiceText(choice: SloChoice, attainment?: number): string {
  return sloInWords(sloOfChoice(choice, attainment));
}
