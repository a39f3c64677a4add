import type { RunSummary } from './summary.js';

/**
 * The saved calibration a simulation's step times were fitted with, in words for its report (CLI and
 * editor): "calibrated with fit.json (fit:vllm@h100)"; undefined where none was applied. A calibration
 * changes every predicted time, so a report that does not say so reads as the default model's.
 */
export function calibrationText(summary: Pick<RunSummary, 'calibrationFile' | 'config'>): string | undefined {
  if (summary.calibrationFile === undefined) return undefined;
  const source = summary.config?.calibration?.source;
  return `calibrated with ${summary.calibrationFile}${source ? ` (${source})` : ''}`;
}
