import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { ServeTuneError } from '../util/errors.js';
import { expandCompactOpDb } from './compact.js';
import { OpTables } from './op-tables.js';
import type { OpKind } from './ops.js';
import { readPerfDb } from './read-db.js';
import { ENGINE_BACKENDS, type EngineBackend, isEngineBackend, perfDbSystemFor } from './systems.js';
import type { OpTable } from './table.js';

/** The shipped tables' folder, relative to the package root. */
const SHIPPED_DIR = join('data', 'opdb');
/** Written beside the tables; its presence marks the folder as the shipped tables. */
const MARKER = 'LICENSE-aiconfigurator';

/**
 * data/opdb of the package this code runs from: the first ancestor of this bundle's folder that holds
 * it (dist/ and out/test/… bundles, the installed extension, and sources run directly all lie below it).
 */
export function shippedOpDbDir(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const candidate = join(dir, SHIPPED_DIR);
    if (existsSync(join(candidate, MARKER))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new ServeTuneError(`no ${SHIPPED_DIR}/ found above ${dirname(from)}`, 'io', SHIPPED_DIR);
    }
    dir = parent;
  }
}

/** A perf-db system name, or a hardware catalog id mapped to one. */
function systemName(system: string): string {
  return perfDbSystemFor(system)?.system ?? system;
}

function readCompactFile(path: string, shown: string): OpTable[] {
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'));
  } catch (error) {
    throw new ServeTuneError(`Cannot read ${shown}: ${(error as Error).message}`, 'io', shown);
  }
  return expandCompactOpDb(json, shown);
}

/**
 * The op tables that ship with ServeTune for one system (perf-db name such as h100_sxm, or a catalog id
 * such as h100-sxm) and engine, with NCCL's collectives. Read synchronously from data/opdb.
 */
export function loadShippedOpTables(
  system: string,
  backend: EngineBackend,
  dir = shippedOpDbDir(),
): OpTables {
  if (!isEngineBackend(backend)) {
    throw new ServeTuneError(
      `unknown engine '${backend}' for measured op tables; known: ${ENGINE_BACKENDS.join(', ')}`,
      'invalid-argument',
      'backend',
    );
  }
  const name = systemName(system);
  const tables: Partial<Record<OpKind, OpTable>> = {};
  for (const part of [backend, 'nccl']) {
    const shown = `${SHIPPED_DIR}/${name}/${part}.json.gz`;
    const path = join(dir, name, `${part}.json.gz`);
    if (!existsSync(path)) {
      if (part === 'nccl') continue;
      throw new ServeTuneError(
        `no shipped op tables for ${name} ${backend} (${shown})`,
        'unknown-hardware',
        shown,
      );
    }
    for (const table of readCompactFile(path, shown)) tables[table.origin.kind] = table;
  }
  return new OpTables(name, backend, tables);
}

export interface OpTablesRequest {
  /** A full database folder of the same layout (`--perf-db`): preferred over the shipped tables. */
  readonly perfDbDir?: string;
  readonly system: string;
  readonly backend: EngineBackend;
  /** Engine version wanted (full database only: the shipped tables hold the newest measured). */
  readonly version?: string;
}

/** The op tables for a run: from the user's database where given, else the shipped ones. */
export async function loadOpTables(request: OpTablesRequest): Promise<OpTables> {
  const system = systemName(request.system);
  if (request.perfDbDir !== undefined) {
    return readPerfDb(request.perfDbDir, { system, backend: request.backend, version: request.version });
  }
  return loadShippedOpTables(system, request.backend);
}
