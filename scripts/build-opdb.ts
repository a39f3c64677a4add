// Builds the op tables that ship in the package (data/opdb/) from aiconfigurator's measured per-operation
// database: for each catalog system, one compact file per engine and one for NCCL's collectives, newest
// version of each table.
// Run: npx tsx scripts/build-opdb.ts [--db ../shared/data/perf-db] [--out data/opdb]
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type CompactOpDb, compactTable, LATENCY_STEP, OPDB_FORMAT } from '../src/engine/opdb/compact.js';
import { perfDbRoot, readPerfDb } from '../src/engine/opdb/read-db.js';
import { ENGINE_BACKENDS, SHIPPED_SYSTEMS } from '../src/engine/opdb/systems.js';
import type { OpTable } from '../src/engine/opdb/table.js';

const SOURCE =
  'ai-dynamo/aiconfigurator commit 095f58a51c4ca8e61b66ec108d86f223f8d559ce (2026-08-21), ' +
  'aic-core/src/aiconfigurator_core/systems/data, Apache-2.0 (see LICENSE-aiconfigurator)';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

interface Written {
  file: string;
  bytes: number;
  tables: Record<string, { version: string; rows: number }>;
}

function write(out: string, system: string, backend: string, tables: readonly OpTable[]): Written {
  const db: CompactOpDb = {
    format: OPDB_FORMAT,
    source: SOURCE,
    system,
    backend,
    latencyStep: LATENCY_STEP,
    tables: tables.map((table) => compactTable(table)),
  };
  const file = join(system, `${backend}.json.gz`);
  const bytes = gzipSync(JSON.stringify(db), { level: 9 });
  mkdirSync(join(out, system), { recursive: true });
  writeFileSync(join(out, file), bytes);
  const summary = Object.fromEntries(
    tables.map((t) => [t.origin.kind, { version: t.origin.version, rows: t.rowCount }]),
  );
  return { file: file.split('\\').join('/'), bytes: bytes.length, tables: summary };
}

async function main(): Promise<void> {
  const root = perfDbRoot(option('--db', join('..', 'shared', 'data', 'perf-db')));
  const out = option('--out', join('data', 'opdb'));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const written: Written[] = [];
  for (const system of SHIPPED_SYSTEMS) {
    let collectives: OpTable[] = [];
    for (const backend of ENGINE_BACKENDS) {
      const tables = Object.values((await readPerfDb(root, { system, backend })).tables);
      collectives = tables.filter((t) => t.origin.backend === 'nccl');
      written.push(
        write(
          out,
          system,
          backend,
          tables.filter((t) => t.origin.backend !== 'nccl'),
        ),
      );
    }
    if (collectives.length > 0) written.push(write(out, system, 'nccl', collectives));
  }
  copyFileSync(join(root, 'LICENSE'), join(out, 'LICENSE-aiconfigurator'));
  const total = written.reduce((sum, w) => sum + w.bytes, 0);
  writeFileSync(
    join(out, 'index.json'),
    `${JSON.stringify({ format: OPDB_FORMAT, source: SOURCE, latencyStep: LATENCY_STEP, totalBytes: total, files: written }, null, 1)}\n`,
  );
  for (const w of written) {
    const tables = Object.entries(w.tables).map(([kind, t]) => `${kind} ${t.version} (${t.rows})`);
    console.log(`${w.file}: ${(w.bytes / 1e3).toFixed(0)} kB: ${tables.join(', ')}`);
  }
  console.log(`total ${(total / 1e6).toFixed(2)} MB in ${written.length} files`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
