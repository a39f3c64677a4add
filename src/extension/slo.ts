import type { Slo } from '../engine/search/schema.js';
import { sloInWords } from '../engine/workload/slo-verdict.js';
import { readSettings } from './configuration.js';
import type { SloChoice } from './picks.js';
import { type SloDefinitionSettings, sloOfSettings } from './slo-definition.js';

/**
 * The SLO the editor's choice stands for, in the one definition: its targets, in the form the
 * `servetune.slo.form` setting names (default: 90% of requests meeting every target, `.attainment`).
 */
export function sloOfChoice(choice: SloChoice, definition: SloDefinitionSettings = readSettings().slo): Slo {
  return sloOfSettings(choice, definition);
}

/** The editor's SLO in the words of its definition. */
export function sloChoiceText(choice: SloChoice, definition?: SloDefinitionSettings): string {
  return sloInWords(sloOfChoice(choice, definition));
}
