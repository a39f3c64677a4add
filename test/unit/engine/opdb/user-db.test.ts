// `--perf-db`: a database folder the user gives, read over the shipped tables for the systems it covers.
// Reads the two-file fixture folder in test/fixtures/perf-db, never the shared copy.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { loadShippedOpTables } from '../../../../src/engine/opdb/shipped.js';
import { readUserPerfDb } from '../../../../src/engine/opdb/user-db.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';

const FIXTURE = 'test/fixtures/perf-db';
const GEMM = 'data/a100_sxm/gemm/vllm/0.14.0/gemm_perf.parquet';

async function gemmRows(): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(join(FIXTURE, GEMM));
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file, compressors, rowFormat: 'object' });
}

describe('a user database folder (--perf-db)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'servetune-user-db-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('replaces the shipped tables of the ops it measured and keeps the shipped ones for the rest', async () => {
    const database = await readUserPerfDb({ dir: FIXTURE, hardware: 'a100-80gb-sxm', engine: 'vllm' });
    assert.ok(database);
    assert.deepEqual(
      database.fromDatabase.map((origin) => [origin.kind, origin.version, origin.file]),
      [
        ['gemm', '0.14.0', GEMM],
        ['nccl', '2.27.3', 'data/a100_sxm/comm/nccl/2.27.3/nccl_perf.parquet'],
      ],
    );
    const { tables } = database;
    assert.equal(tables.system, 'a100_sxm');
    const shipped = loadShippedOpTables('a100_sxm', 'vllm');
    // The database's exact latencies, where the shipped ones are rounded to 0.5 % steps.
    const rows = (await gemmRows()).filter((_, i) => i % 97 === 0);
    let differFromShipped = 0;
    for (const row of rows) {
      const query = { m: Number(row.m), n: Number(row.n), k: Number(row.k), dtype: String(row.gemm_dtype) };
      const time = tables.gemm(query);
      assert.equal(time?.seconds, (row.latency as number) / 1000);
      assert.equal(time?.source.how, 'measured');
      if (shipped.gemm(query)?.seconds !== time?.seconds) differFromShipped++;
    }
    assert.ok(differFromShipped > 0, 'the test tells the two apart');
    // Attention was not in the folder: the shipped table stands.
    assert.deepEqual(tables.tables.contextAttention?.origin, shipped.tables.contextAttention?.origin);
    assert.ok(tables.tables.contextAttention);
    assert.ok(tables.tables.nccl);
  });

  it('does not cover a GPU or engine it has no measurements for', async () => {
    assert.equal(await readUserPerfDb({ dir: FIXTURE, hardware: 'h100-sxm', engine: 'vllm' }), undefined);
    assert.equal(await readUserPerfDb({ dir: FIXTURE, hardware: 'a100-80gb-sxm', engine: 'tgi' }), undefined);
  });

  it('a database without a folder for the engine leaves the shipped tables to it', async () => {
    // The fixture measured vLLM (and NCCL) on a100_sxm only.
    assert.equal(
      await readUserPerfDb({ dir: FIXTURE, hardware: 'a100-80gb-sxm', engine: 'sglang' }),
      undefined,
    );
  });

  it('an engine folder holding none of the tables is an error naming the files it looked for, once', async () => {
    const dir = join(scratch, 'misnamed');
    const versionDir = join(dir, 'data/a100_sxm/gemm/vllm/0.14.0');
    mkdirSync(versionDir, { recursive: true });
    writeFileSync(join(versionDir, 'gemm.parquet'), 'not the name the collector writes');
    await assert.rejects(
      readUserPerfDb({ dir, hardware: 'a100-80gb-sxm', engine: 'vllm' }),
      (e: unknown) =>
        e instanceof ServeTuneError &&
        e.message.includes('gemm_perf.parquet') &&
        e.message.includes('data/a100_sxm/<op>/vllm/<version>/') &&
        e.message.split('perf database').length === 2 &&
        e.where === join(dir, 'data/a100_sxm'),
    );
  });

  it('a missing folder is a ServeTuneError naming it', async () => {
    const missing = join(scratch, 'nowhere');
    await assert.rejects(
      readUserPerfDb({ dir: missing, hardware: 'h100-sxm', engine: 'vllm' }),
      (e: unknown) => e instanceof ServeTuneError && e.message.includes(missing) && e.where === missing,
    );
  });

  it('a malformed parquet file is a ServeTuneError naming the file', async () => {
    const dir = join(scratch, 'broken');
    const gemmDir = join(dir, 'data/a100_sxm/gemm/vllm/0.14.0');
    mkdirSync(gemmDir, { recursive: true });
    writeFileSync(join(gemmDir, 'gemm_perf.parquet'), 'not parquet');
    mkdirSync(join(dir, 'data/a100_sxm/comm/nccl/2.27.3'), { recursive: true });
    copyFileSync(
      join(FIXTURE, 'data/a100_sxm/comm/nccl/2.27.3/nccl_perf.parquet'),
      join(dir, 'data/a100_sxm/comm/nccl/2.27.3/nccl_perf.parquet'),
    );
    await assert.rejects(
      readUserPerfDb({ dir, hardware: 'a100-80gb-sxm', engine: 'vllm' }),
      (e: unknown) => e instanceof ServeTuneError && e.message.includes(GEMM),
    );
    // The folder given and the file's full path, so the editor can open it.
    await assert.rejects(
      readUserPerfDb({ dir, hardware: 'a100-80gb-sxm', engine: 'vllm' }),
      (e: unknown) =>
        e instanceof ServeTuneError &&
        e.message.startsWith(`perf database ${dir}: `) &&
        e.where === join(gemmDir, 'gemm_perf.parquet'),
    );
  });

  it('a file given as the folder is a ServeTuneError saying so', async () => {
    const path = join(scratch, 'a-file');
    writeFileSync(path, 'x');
    await assert.rejects(
      readUserPerfDb({ dir: path, hardware: 'h100-sxm', engine: 'vllm' }),
      (e: unknown) =>
        e instanceof ServeTuneError && /is a file, not a folder/.test(e.message) && e.where === path,
    );
  });
});
