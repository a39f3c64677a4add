import type { OpTables } from '../engine/opdb/op-tables.js';
import { readUserPerfDb } from '../engine/opdb/user-db.js';

/** What a run reads from `--perf-db`, and one line saying so. */
export interface PerfDbUse {
  tables?: OpTables;
  note?: string;
}

/** Reads `--perf-db` for the run's GPU and engine; a bad folder or file fails with a ServeTuneError naming it. */
export async function perfDbFor(
  dir: string | undefined,
  hardware: string,
  engine: string,
): Promise<PerfDbUse> {
  if (dir === undefined) return {};
  const database = await readUserPerfDb({ dir, hardware, engine });
  if (!database) {
    return { note: `perf-db ${dir}: no ${engine} measurements for ${hardware}; the shipped tables stand` };
  }
  const own = database.fromDatabase.map((origin) => `${origin.kind} ${origin.version}`).join(', ');
  return { tables: database.tables, note: `perf-db ${dir}: ${database.tables.system} ${engine}: ${own}` };
}
