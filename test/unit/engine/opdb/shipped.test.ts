// The op tables that ship in the package (data/opdb). Only the agreement with the full database needs it
// (see helpers/perf-db.ts), and is skipped, saying why, where there is none.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { LATENCY_STEP } from '../../../../src/engine/opdb/compact.js';
import { OP_KINDS } from '../../../../src/engine/opdb/ops.js';
import { readPerfDb } from '../../../../src/engine/opdb/read-db.js';
import { loadOpTables, loadShippedOpTables, shippedOpDbDir } from '../../../../src/engine/opdb/shipped.js';
import { ENGINE_BACKENDS, perfDbSystemFor, SHIPPED_SYSTEMS } from '../../../../src/engine/opdb/systems.js';
import { findPerfDb, isServeTuneError, NO_PERF_DB } from '../../helpers/perf-db.js';

const perfDb = findPerfDb();

describe('the shipped op tables', () => {
  const dir = shippedOpDbDir();

  it('cover every shipped system and engine, with the newest versions named', () => {
    for (const system of SHIPPED_SYSTEMS) {
      for (const backend of ENGINE_BACKENDS) {
        const tables = loadShippedOpTables(system, backend);
        assert.equal(tables.system, system);
        assert.ok(
          tables.tables.gemm && tables.tables.contextAttention && tables.tables.generationAttention,
          system,
        );
        assert.ok(tables.tables.nccl, `${system}: nccl`);
        assert.equal(tables.tables.gemm.origin.backend, backend);
        assert.match(tables.tables.gemm.origin.file, new RegExp(`^data/${system}/gemm/${backend}/`));
        const gemm = tables.gemm({ m: 1000, n: 4096, k: 4096, dtype: 'bfloat16' });
        assert.ok(gemm && gemm.seconds > 0 && gemm.seconds < 1, `${system} ${backend}`);
        assert.ok(['measured', 'interpolated'].includes(gemm.source.how));
      }
    }
  });

  it('fit the size budget and carry the licence of their source', () => {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
      totalBytes: number;
      files: { file: string; bytes: number }[];
    };
    const onDisk = index.files.reduce((sum, f) => sum + statSync(join(dir, f.file)).size, 0);
    assert.equal(onDisk, index.totalBytes);
    assert.ok(onDisk <= 10e6, `${onDisk} bytes`);
    assert.match(readFileSync(join(dir, 'LICENSE-aiconfigurator'), 'utf8'), /Apache License\s+Version 2\.0/);
  });

  it('answer the typed lookups for a dense model on h100_sxm with vLLM', () => {
    const tables = loadShippedOpTables('h100-sxm', 'vllm');
    assert.equal(tables.system, 'h100_sxm');
    const shape = { heads: 32, kvHeads: 8, headDim: 128 };
    const prefill = tables.contextAttention({ batch: 2, isl: 2048, ...shape });
    const decode = tables.generationAttention({ batch: 64, context: 2048, ...shape });
    const windowed = tables.generationAttention({ batch: 64, context: 20000, window: 4096, ...shape });
    const allReduce = tables.customAllReduce({ gpus: 8, bytes: 4096 * 2 * 64 });
    const nccl = tables.collective({ op: 'all_gather', gpus: 4, bytes: 1 << 20 });
    for (const time of [prefill, decode, windowed, allReduce, nccl]) {
      assert.ok(time && Number.isFinite(time.seconds) && time.seconds > 0);
    }
    assert.equal(prefill?.source.how, 'measured');
    assert.equal(windowed?.source.how, 'extrapolated');
    assert.deepEqual(windowed?.source.steps, ['window 4096: full attention over the last 4096 tokens']);
    assert.equal(nccl?.source.backend, 'nccl');
    assert.equal(tables.collective({ op: 'all_reduce', gpus: 1, bytes: 1e6 })?.seconds, 0);
  });

  it('map catalog GPUs to the systems measured on them', () => {
    assert.equal(perfDbSystemFor('h100-sxm')?.system, 'h100_sxm');
    assert.equal(perfDbSystemFor('h200')?.system, 'h200_sxm');
    assert.match(perfDbSystemFor('a100-40gb-sxm')?.approximation ?? '', /80 GB/);
    assert.equal(perfDbSystemFor('mi300x'), undefined);
  });

  it('are what loadOpTables gives without a database folder', async () => {
    const tables = await loadOpTables({ system: 'b200', backend: 'sglang' });
    assert.equal(tables.tables.gemm?.origin.file.startsWith('data/b200_sxm/gemm/sglang/'), true);
  });
});

describe('a damaged shipped folder', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'servetune-opdb-shipped-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const shipped = shippedOpDbDir();

  function folder(name: string, vllm: Buffer | undefined): string {
    const dir = join(scratch, name);
    mkdirSync(join(dir, 'h100_sxm'), { recursive: true });
    copyFileSync(join(shipped, 'LICENSE-aiconfigurator'), join(dir, 'LICENSE-aiconfigurator'));
    if (vllm) writeFileSync(join(dir, 'h100_sxm', 'vllm.json.gz'), vllm);
    return dir;
  }

  it('gives ServeTuneErrors naming the file', () => {
    const shown = /^data\/opdb\/h100_sxm\/vllm\.json\.gz/;
    assert.throws(
      () => loadShippedOpTables('h100_sxm', 'vllm', folder('missing', undefined)),
      isServeTuneError(/no shipped op tables for h100_sxm vllm/, shown),
    );
    assert.throws(
      () => loadShippedOpTables('h100_sxm', 'vllm', folder('not-gzip', Buffer.from('{}'))),
      isServeTuneError(/Cannot read data\/opdb\/h100_sxm\/vllm\.json\.gz/, shown),
    );
    assert.throws(
      () => loadShippedOpTables('h100_sxm', 'vllm', folder('not-json', gzipSync('{"format":'))),
      isServeTuneError(/Cannot read data\/opdb\/h100_sxm\/vllm\.json\.gz/, shown),
    );
    assert.throws(
      () =>
        loadShippedOpTables(
          'h100_sxm',
          'vllm',
          folder('wrong-shape', gzipSync('{"format":"servetune-opdb/1"}')),
        ),
      isServeTuneError(/vllm\.json\.gz: field 'source'/, shown),
    );
    assert.throws(
      () => loadShippedOpTables('h100_sxm', 'tgi' as 'vllm', folder('engine', undefined)),
      isServeTuneError(/unknown engine 'tgi'/),
    );
  });
});

describe('the shipped tables agree with the full database', { skip: perfDb ? false : NO_PERF_DB }, () => {
  for (const [system, backend] of [
    ['h100_sxm', 'vllm'],
    ['b200_sxm', 'trtllm'],
  ] as const) {
    it(`${system} ${backend}: every table, sampled shapes, within the latency step`, async () => {
      const full = await readPerfDb(perfDb ?? '', { system, backend });
      const shipped = loadShippedOpTables(system, backend);
      assert.deepEqual(shipped.versions, full.versions);
      for (const kind of OP_KINDS) {
        const fullTable = full.tables[kind];
        const shippedTable = shipped.tables[kind];
        assert.equal(shippedTable?.rowCount, fullTable?.rowCount, kind);
        if (!fullTable || !shippedTable) continue;
        let n = 0;
        for (const { key, latencyMs } of fullTable.measured()) {
          if (n++ % 97 !== 0) continue;
          const time = shippedTable.lookup(key);
          assert.equal(time.source.how, 'measured', `${kind} ${key.join(',')}`);
          assert.ok(
            Math.abs((time.seconds * 1000) / latencyMs - 1) <= LATENCY_STEP / 2 + 1e-9,
            `${kind} ${key}`,
          );
        }
      }
    });
  }
});
