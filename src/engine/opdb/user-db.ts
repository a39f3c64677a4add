import { isAbsolute, join } from 'node:path';
import { isServeTuneError, ServeTuneError } from '../util/errors.js';
import { OpTables } from './op-tables.js';
import { perfDbHasBackend, perfDbHasSystem, perfDbRoot, readPerfDb } from './read-db.js';
import { loadShippedOpTables } from './shipped.js';
import { isEngineBackend, perfDbSystemFor, SHIPPED_SYSTEMS } from './systems.js';
import type { OpTableOrigin } from './table.js';

export interface UserPerfDbRequest {
  /** A database folder of aiconfigurator's layout (`--perf-db`, the `servetune.perfDb` setting). */
  readonly dir: string;
  /** The hardware catalog id of the GPU predicted (h100-sxm), or a database system name. */
  readonly hardware: string;
  /** The serving engine predicted (vllm, sglang, trtllm; others were never measured). */
  readonly engine: string;
  /** Engine version wanted; each table takes the nearest measured one. Default: the newest. */
  readonly version?: string;
}

export interface UserPerfDb {
  /** The tables a run uses: the database's, and the shipped ones for the ops it did not measure. */
  readonly tables: OpTables;
  /** Where each table the database gave came from (op, version, file). */
  readonly fromDatabase: readonly OpTableOrigin[];
}

/**
 * The op tables a run uses with the user's own database: for the GPU's system, every op the database
 * measured replaces the shipped table of that op; ops it did not measure keep the shipped ones. Undefined
 * where the database does not cover the GPU's system or has no folder for the engine, so the shipped
 * tables (or the roofline) stand; an engine folder holding none of the tables is an error naming them. The folder and every file it has for the system are checked: a missing folder, a
 * malformed parquet file or reuse.yaml is a ServeTuneError naming it.
 */
export async function readUserPerfDb(request: UserPerfDbRequest): Promise<UserPerfDb | undefined> {
  const root = perfDbRoot(request.dir);
  // A GPU the catalog maps to a measured system uses that name; any other is looked up by its own id.
  const system = perfDbSystemFor(request.hardware)?.system ?? request.hardware;
  if (!isEngineBackend(request.engine) || !perfDbHasSystem(root, system)) return undefined;
  if (!perfDbHasBackend(root, system, request.engine)) return undefined;
  const own = await readPerfDb(root, { system, backend: request.engine, version: request.version }).catch(
    (error: unknown) => {
      throw inDatabase(request.dir, root, error);
    },
  );
  const shipped = (SHIPPED_SYSTEMS as readonly string[]).includes(system)
    ? loadShippedOpTables(system, request.engine).tables
    : {};
  return {
    tables: new OpTables(system, request.engine, { ...shipped, ...own.tables }),
    fromDatabase: Object.values(own.tables).map((table) => table.origin),
  };
}

/**
 * A database error as the user can find it: readPerfDb names files relative to the database (as the
 * shipped tables are named), so the message gets the folder given and `where` the file's full path.
 */
function inDatabase(dir: string, root: string, error: unknown): unknown {
  if (!isServeTuneError(error) || error.where === undefined || isAbsolute(error.where)) return error;
  // A message that already names the database keeps its words; only its file becomes a full path.
  if (error.message.startsWith('perf database '))
    return new ServeTuneError(error.message, error.code, join(root, error.where));
  return new ServeTuneError(`perf database ${dir}: ${error.message}`, error.code, join(root, error.where));
}
