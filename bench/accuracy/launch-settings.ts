// The KV-cache format each measured deployment ran, as its benchmark's launch script set it
// (launch-settings.json): each entry names the repository, path and commit of the script it was read from
// and the launch flag it records. Rows no script covers keep the rule that formats follow the precision.
import { z } from 'zod';
import { KvDtype } from '../../src/engine/model/dtypes.js';
import settingsJson from './launch-settings.json';
import type { SiliconRow } from './rows.js';

const Source = z.object({
  repo: z.string().min(1),
  path: z.string().min(1),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
});

const LaunchEntry = z.object({
  backend: z.string().min(1),
  system: z.string().min(1),
  /** Repositories the rows name the model by (a database dump names DeepSeek-R1 runs DeepSeek-V3). */
  modelPaths: z.array(z.string().min(1)).min(1),
  precision: z.string().min(1),
  kvDtype: KvDtype,
  source: Source,
  /** The launch flags the entry was read from, as the script writes them. */
  launch: z.string().min(1),
});
export type LaunchEntry = z.infer<typeof LaunchEntry>;

const LaunchSettings = z.object({ entries: z.array(LaunchEntry) });

export const LAUNCH_SETTINGS: readonly LaunchEntry[] = LaunchSettings.parse(settingsJson).entries;

/** Where a row's KV format came from: a launch script, or the precision rule with why no script applies. */
export type KvChoice =
  | { kvDtype: KvDtype; from: 'launch'; entry: LaunchEntry }
  | { kvDtype: KvDtype; from: 'rule'; reason: string };

/** InferenceMAX's rows: its database dumps and dated exports (the scripts in the table are its). */
function fromInferenceMax(row: SiliconRow): boolean {
  const source = row.silicon_data_source;
  return source.startsWith('db-dump/') || /^source_file=\d{4}-\d{2}-\d{2}\.csv/.test(source);
}

/**
 * The KV format a row's deployment ran: its aggregated InferenceMAX launch script's where the table has
 * one (engine × GPU × model × precision), else fp8 with fp8 and fp4 weights and a 16-bit cache otherwise.
 * Disaggregated rows ran other scripts (their recipes), which the table does not cover.
 */
export function kvChoiceOf(row: SiliconRow, entries: readonly LaunchEntry[] = LAUNCH_SETTINGS): KvChoice {
  const ruled = row.precision === 'fp8' || row.precision === 'fp4' ? 'fp8' : 'bf16';
  if (row.mode !== 'agg' || !fromInferenceMax(row)) {
    return { kvDtype: ruled, from: 'rule', reason: 'no launch script recorded for this row' };
  }
  const entry = entries.find(
    (e) =>
      e.backend === row.backend &&
      e.system === row.system &&
      e.precision === row.precision &&
      e.modelPaths.includes(row.model_path),
  );
  if (entry) return { kvDtype: entry.kvDtype, from: 'launch', entry };
  return { kvDtype: ruled, from: 'rule', reason: 'no launch script in the table for this deployment' };
}
