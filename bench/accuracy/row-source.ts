// Who measured a row: the groups the held-out report leaves out one at a time (held-out.ts).
import { isAicGenerated } from './aic-generated.js';
import { asMeasuredRun, fromInferenceMax } from './republished.js';
import type { SiliconRow } from './rows.js';

export const ROW_SOURCES = ['InferenceMAX', 'AIConfigurator gap analysis', 'other exports'] as const;
export type RowSource = (typeof ROW_SOURCES)[number];

/**
 * The source of the measurement a row records: InferenceMAX (its database dumps and dated exports, and
 * the rows of other exports that republish one of its runs, republished.ts: the same measurement, so it
 * is left out with InferenceMAX's), AIConfigurator's automated gap analysis (aic-generated.ts), or the
 * other exports (the Kimi-K2.5 and Qwen3.5 gap-analysis files' own runs).
 */
export function rowSourceOf(row: SiliconRow, fileRows: readonly SiliconRow[]): RowSource {
  const run = asMeasuredRun(row, fileRows);
  if (fromInferenceMax(run)) return 'InferenceMAX';
  return isAicGenerated(run) ? 'AIConfigurator gap analysis' : 'other exports';
}
