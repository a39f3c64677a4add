// A row's client count, and the other rows of its benchmark configuration with theirs.
import { isAicGenerated } from './aic-generated.js';
import type { SiblingRun } from './disagg-recipes.js';
import type { SiliconRow } from './rows.js';

/**
 * The closed loop's client count: the source's silicon_concurrency, else batch_size, except in
 * AIConfigurator's gap-analysis rows (AIC_WORKER_BATCH).
 */
export function rowConcurrency(row: SiliconRow): number | undefined {
  const recorded = /silicon_concurrency=(\d+)/.exec(row.silicon_data_source);
  if (recorded) return Number(recorded[1]);
  if (isAicGenerated(row)) return undefined;
  return row.mode === 'agg' && row.batch_size ? row.batch_size : undefined;
}

/**
 * Why an AIConfigurator gap-analysis row without silicon_concurrency is not modelled. Its batch_size is
 * one worker's max_batch_size (the generator's params.agg.max_batch_size; the workers are
 * total_gpus // gpus_per_replica: ai-dynamo/aiconfigurator src/aiconfigurator/generator/module_bridge.py,
 * 0586a33b48b864f61c5c110bfbc728b1e672d006), and its benchmark sweeps several client counts for each
 * deployment (backend_templates/benchmark/bench_run.sh.j2, 00fe6de3f2a3bb7a3ddeb9e5221cf07fcba0adab:
 * `concurrency_array=(1 2 8 16 32 64 128 …)`), so neither the clients nor the workers are recorded: in
 * 16 of the gap-analysis aggregated rows that record both, batch_size is the concurrency over 2 or 4.
 */
export const AIC_WORKER_BATCH =
  "AIConfigurator gap-analysis row without silicon_concurrency: its batch_size is one worker's max_batch_size, and neither its clients nor its workers are recorded";

/** The rows of `row`'s benchmark configuration (its config_id) in the file, itself included. */
export function siblingsOf(row: SiliconRow, fileRows: readonly SiliconRow[]): SiblingRun[] {
  const config = /config_id=(\d+)/.exec(row.silicon_data_source)?.[1];
  if (config === undefined) return [];
  const siblings: SiblingRun[] = [];
  for (const other of fileRows) {
    if (/config_id=(\d+)/.exec(other.silicon_data_source)?.[1] !== config) continue;
    const concurrency = rowConcurrency(other);
    if (concurrency) siblings.push({ row: other, concurrency });
  }
  return siblings;
}
