// The partition a row is reported in: the rows the report groups, by engine, GPU, model family and mode.
import type { ModelSpec } from '../../src/engine/model/spec.js';
import type { SiliconRow } from './rows.js';

/** What a partition of the results groups rows by. */
export interface Partition {
  engine: string;
  gpu: string;
  /** The model's architecture family (ModelSpec.family), or the repository's name where it has none. */
  family: string;
  mode: 'agg' | 'disagg';
}

/** A row's partition; `model` is the catalog entry it resolved to, if any. */
export function partitionOf(row: SiliconRow, model: ModelSpec | undefined): Partition {
  return { engine: row.backend, gpu: row.system, family: familyOf(row, model), mode: row.mode };
}

function familyOf(row: SiliconRow, model: ModelSpec | undefined): string {
  return model?.family ?? (row.model_path.split('/').pop() ?? row.model_path).toLowerCase();
}
