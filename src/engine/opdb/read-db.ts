import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ServeTuneError } from '../util/errors.js';
import { didYouMean } from '../util/nearest.js';
import { columnsOf, type KeyedLatency, keyRows, keyText } from './columns.js';
import { OpTables } from './op-tables.js';
import { OP_KINDS, OP_SPECS, type OpKind, type OpSpec } from './ops.js';
import { readOpRows } from './parquet.js';
import { ENGINE_BACKENDS, type EngineBackend, isEngineBackend } from './systems.js';
import { OpTable } from './table.js';
import { nearestVersion } from './version.js';

export interface PerfDbSelection {
  /** The database's system name (h100_sxm, b200_sxm, …; see systems.ts for catalog ids). */
  readonly system: string;
  readonly backend: EngineBackend;
  /** The engine version wanted; each table takes the nearest measured one. Default: the newest. */
  readonly version?: string;
}

const isDir = (path: string) => existsSync(path) && statSync(path).isDirectory();

/**
 * The folder holding `data/` and the system yamls. Accepts that folder, or one above it as the shared
 * copy lays it out (`perf-db/` holding `aiconfigurator/`).
 */
export function perfDbRoot(dir: string): string {
  if (!existsSync(dir)) throw new ServeTuneError(`perf database ${dir}: no such folder`, 'io', dir);
  if (!isDir(dir)) {
    throw new ServeTuneError(
      `perf database ${dir}: is a file, not a folder (give the folder holding data/<system>/<op>/<backend>/<version>/*.parquet)`,
      'io',
      dir,
    );
  }
  for (const candidate of [dir, join(dir, 'aiconfigurator'), join(dir, 'systems')]) {
    if (isDir(join(candidate, 'data'))) return candidate;
  }
  throw new ServeTuneError(
    `perf database ${dir}: no data/ folder (expected data/<system>/<op>/<backend>/<version>/*.parquet)`,
    'io',
    dir,
  );
}

const SystemYaml = z.looseObject({ data_dir: z.string().min(1).optional() });

/** Whether the database (its root, see perfDbRoot) holds measurements for `system`. */
export function perfDbHasSystem(root: string, system: string): boolean {
  return isDir(join(root, 'data', system)) || existsSync(join(root, `${system}.yaml`));
}

/**
 * Whether the system's data holds a folder for the engine under any op (data/<system>/<op>/<backend>):
 * a database collected for another engine only does not cover this one.
 */
export function perfDbHasBackend(root: string, system: string, backend: EngineBackend): boolean {
  const systemDir = systemDataDir(root, system);
  return OP_KINDS.some((kind) => {
    const spec = OP_SPECS[kind];
    return !spec.collective && isDir(join(systemDir, spec.family, backend));
  });
}

/** A system's data folder: `data_dir` in its `<system>.yaml` where it says, else data/<system>. */
function systemDataDir(root: string, system: string): string {
  const yamlPath = join(root, `${system}.yaml`);
  let dataDir = join('data', system);
  if (existsSync(yamlPath)) {
    const shown = relative(root, yamlPath);
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(yamlPath, 'utf8'));
    } catch (error) {
      throw new ServeTuneError(`${shown}: not YAML (${(error as Error).message})`, 'invalid-config', shown);
    }
    const system_ = SystemYaml.safeParse(parsed);
    if (!system_.success) {
      throw new ServeTuneError(
        `${shown}: field 'data_dir' ${system_.error.issues[0].message}`,
        'invalid-config',
        shown,
      );
    }
    dataDir = system_.data.data_dir ?? dataDir;
  }
  const path = join(root, dataDir);
  if (!isDir(path)) {
    const known = isDir(join(root, 'data')) ? readdirSync(join(root, 'data')).sort() : [];
    throw new ServeTuneError(
      `perf database ${root}: no measurements for system '${system}' (measured: ${known.join(', ')}).${didYouMean(system, known)}`,
      'unknown-hardware',
      system,
    );
  }
  return path;
}

const ReuseYaml = z.object({
  reuse: z
    .array(
      z.object({
        table: z.string().min(1),
        from_version: z.union([z.string(), z.number()]).transform(String),
      }),
    )
    .default([]),
});

/** reuse.yaml of a version folder: table name (file without .parquet) → the version it reuses. */
function reuseOf(versionDir: string, root: string): Map<string, string> {
  const path = join(versionDir, 'reuse.yaml');
  if (!existsSync(path)) return new Map();
  const shown = shownPath(root, path);
  let parsed: ReturnType<typeof ReuseYaml.safeParse>;
  try {
    parsed = ReuseYaml.safeParse(parseYaml(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new ServeTuneError(`${shown}: not YAML (${(error as Error).message})`, 'invalid-config', shown);
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServeTuneError(
      `${shown}: field '${issue.path.join('.')}' ${issue.message}`,
      'invalid-config',
      shown,
    );
  }
  return new Map(parsed.data.reuse.map((entry) => [entry.table, entry.from_version]));
}

const tableName = (spec: OpSpec) => spec.file.replace(/\.parquet$/, '');
const shownPath = (root: string, path: string) => relative(root, path).split(sep).join('/');

/** Versions in a backend's folder that hold the table, or say in reuse.yaml where it is. */
function versionsWith(backendDir: string, spec: OpSpec, root: string): string[] {
  if (!isDir(backendDir)) return [];
  return readdirSync(backendDir).filter((version) => {
    const dir = join(backendDir, version);
    return isDir(dir) && (existsSync(join(dir, spec.file)) || reuseOf(dir, root).has(tableName(spec)));
  });
}

/**
 * The rows of one version of a table: its own, plus those of the version its reuse.yaml names for shapes
 * it did not measure again (its own win), following reuse chains.
 */
async function readVersion(
  backendDir: string,
  version: string,
  spec: OpSpec,
  root: string,
  seen: ReadonlySet<string>,
): Promise<{ rows: KeyedLatency[]; notes: string[] }> {
  const dir = join(backendDir, version);
  const file = join(dir, spec.file);
  const own = existsSync(file)
    ? keyRows(spec, await readOpRows(file, shownPath(root, file), spec))
    : { keyed: [], notes: [] };
  const from = reuseOf(dir, root).get(tableName(spec));
  if (from === undefined) return { rows: own.keyed, notes: own.notes };
  if (seen.has(from) || !isDir(join(backendDir, from))) {
    const why = seen.has(from) ? 'a reuse cycle' : 'absent from this database';
    return {
      rows: own.keyed,
      notes: [...own.notes, `${version} reuses ${from} for unmeasured shapes: ${why}`],
    };
  }
  const inherited = await readVersion(backendDir, from, spec, root, new Set([...seen, version]));
  const ownKeys = new Set(own.keyed.map((row) => keyText(row.key)));
  const added = inherited.rows.filter((row) => !ownKeys.has(keyText(row.key)));
  return {
    rows: [...own.keyed, ...added],
    notes: [...own.notes, ...inherited.notes, `${added.length} rows reused from ${from} (reuse.yaml)`],
  };
}

async function readTable(
  root: string,
  systemDir: string,
  spec: OpSpec,
  selection: PerfDbSelection,
): Promise<OpTable | undefined> {
  const backend = spec.collective ? 'nccl' : selection.backend;
  const backendDir = join(systemDir, spec.family, backend);
  // The collectives' version is NCCL's, not the engine's: always the newest.
  const version = nearestVersion(
    versionsWith(backendDir, spec, root),
    spec.collective ? undefined : selection.version,
  );
  if (version === undefined) return undefined;
  const { rows, notes } = await readVersion(backendDir, version, spec, root, new Set([version]));
  if (rows.length === 0) return undefined;
  const { columns, merged } = columnsOf(rows, spec.axes.length);
  if (merged > 0) notes.push(`${merged} repeated measurements of the same shape and kernel averaged`);
  const file = shownPath(root, join(backendDir, version, spec.file));
  return new OpTable(
    { kind: spec.kind, system: selection.system, backend, version, file, notes },
    spec.axes,
    columns,
  );
}

/**
 * A system's op tables for one engine from a database folder laid out as aiconfigurator's
 * (data/<system>/<op>/<backend>/<version>/*.parquet), every file validated. Each table takes the version
 * nearest to the one wanted; the collectives (comm/nccl) come with every engine.
 */
export async function readPerfDb(dir: string, selection: PerfDbSelection): Promise<OpTables> {
  if (!isEngineBackend(selection.backend)) {
    throw new ServeTuneError(
      `unknown engine '${selection.backend}' for measured op tables; known: ${ENGINE_BACKENDS.join(', ')}`,
      'invalid-argument',
      'backend',
    );
  }
  const root = perfDbRoot(dir);
  const systemDir = systemDataDir(root, selection.system);
  const tables: Partial<Record<OpKind, OpTable>> = {};
  for (const kind of OP_KINDS) {
    const table = await readTable(root, systemDir, OP_SPECS[kind], selection);
    if (table) tables[kind] = table;
  }
  if (Object.values(tables).every((table) => table.origin.backend === 'nccl')) {
    // Name the files looked for: a folder of the engine holding none of them is misnamed, not empty.
    const files = [
      ...new Set(OP_KINDS.filter((kind) => !OP_SPECS[kind].collective).map((kind) => OP_SPECS[kind].file)),
    ];
    throw new ServeTuneError(
      `perf database ${root}: no ${selection.backend} measurements for ${selection.system}: none of ${files.join(', ')} in ${shownPath(root, systemDir)}/<op>/${selection.backend}/<version>/`,
      'unknown-hardware',
      systemDir,
    );
  }
  return new OpTables(selection.system, selection.backend, tables);
}
