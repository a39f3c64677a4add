// The reader of the full measured database. These tests read the copy beside the repository (see
// helpers/perf-db.ts) and are skipped, saying why, where there is none.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { OpTables } from '../../../../src/engine/opdb/op-tables.js';
import { perfDbRoot, readPerfDb } from '../../../../src/engine/opdb/read-db.js';
import { loadOpTables } from '../../../../src/engine/opdb/shipped.js';
import { findPerfDb, isServeTuneError, NO_PERF_DB } from '../../helpers/perf-db.js';

const perfDb = findPerfDb();
const skip = perfDb ? false : NO_PERF_DB;
const GEMM_FILE = 'data/h100_sxm/gemm/vllm/0.24.0/gemm_perf.parquet';

async function parquetRows(path: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file, compressors, rowFormat: 'object' });
}

describe('the full measured database: h100_sxm vllm', { skip }, () => {
  let tables: OpTables;
  before(async () => {
    tables = await readPerfDb(perfDb ?? '', { system: 'h100_sxm', backend: 'vllm' });
  });

  it('a measured GEMM shape returns exactly its latency, marked measured, naming its file', async () => {
    const rows = await parquetRows(join(perfDbRoot(perfDb ?? ''), GEMM_FILE));
    for (const row of rows.filter((_, i) => i % 9973 === 0)) {
      const time = tables.gemm({
        m: Number(row.m),
        n: Number(row.n),
        k: Number(row.k),
        dtype: String(row.gemm_dtype),
      });
      assert.equal(time?.seconds, (row.latency as number) / 1000);
      assert.equal(time?.source.how, 'measured');
      assert.deepEqual(time?.source.kernels, [row.kernel_source]);
      assert.equal(time?.source.file, GEMM_FILE);
      assert.equal(time?.source.version, '0.24.0');
    }
  });

  it('between two measured m the time lies between theirs, marked interpolated', () => {
    const at = (m: number) => tables.gemm({ m, n: 4096, k: 4096, dtype: 'bfloat16' });
    const low = at(2048);
    const high = at(3072);
    const mid = at(2500);
    assert.equal(low?.source.how, 'measured');
    assert.equal(mid?.source.how, 'interpolated');
    assert.match(mid?.source.steps.join() ?? '', /^m 2500: between 2305 and 2560 \((linear|log-log)\)$/);
    assert.ok(low && high && mid && low.seconds < mid.seconds && mid.seconds < high.seconds);
  });

  it('beyond the grid every op extrapolates monotonically and says how', () => {
    const increasing = (values: readonly number[]) => values.every((v, i) => i === 0 || v > values[i - 1]);
    const gemm = [32768, 50000, 100000, 400000].map((m) =>
      tables.gemm({ m, n: 4096, k: 4096, dtype: 'fp8' }),
    );
    assert.ok(increasing(gemm.map((t) => t?.seconds ?? 0)));
    assert.deepEqual(
      gemm.slice(1).map((t) => t?.source.how),
      ['extrapolated', 'extrapolated', 'extrapolated'],
    );
    const prefill = [16384, 32768, 131072].map((isl) =>
      tables.contextAttention({ batch: 1, isl, heads: 32, kvHeads: 8, headDim: 128 }),
    );
    assert.ok(increasing(prefill.map((t) => t?.seconds ?? 0)));
    assert.match(
      prefill[2]?.source.steps[0] ?? '',
      /^isl 131072: above the largest measured 16384, scaled as isl\^/,
    );
    const decode = [131072, 262144, 1e6].map((context) =>
      tables.generationAttention({ batch: 8, context, heads: 32, kvHeads: 8, headDim: 128 }),
    );
    assert.ok(increasing(decode.map((t) => t?.seconds ?? 0)));
    const bytes = [5.4e8, 1e9, 4e9].map((b) => tables.collective({ op: 'all_reduce', gpus: 8, bytes: b }));
    assert.ok(increasing(bytes.map((t) => t?.seconds ?? 0)));
    assert.equal(bytes[2]?.source.how, 'extrapolated');
    const tokens = [16384, 65536].map((t) =>
      tables.moe({ tokens: t, hidden: 7168, inter: 2048, topk: 8, experts: 256, ep: 8, dtype: 'fp8_block' }),
    );
    assert.ok(increasing(tokens.map((t) => t?.seconds ?? 0)));
  });

  it('reads every op the engine measured, each with its version', () => {
    assert.deepEqual(Object.keys(tables.tables).sort(), [
      'contextAttention',
      'customAllReduce',
      'dsaContextModule',
      'dsaGenerationModule',
      'gemm',
      'generationAttention',
      'mlaBmm',
      'mlaContextModule',
      'mlaGenerationModule',
      'moe',
      'nccl',
      'quantizeScale',
      'quantizeStatic',
    ]);
    assert.equal(tables.versions.nccl, '2.29.2');
    assert.equal(tables.tables.nccl?.origin.backend, 'nccl');
  });
});

describe('the full measured database: per-tensor fp8 quantization', { skip }, () => {
  const QUANTIZE = 'data/h200_sxm/quantize/trtllm/1.3.0rc20';

  it("a dynamic scale adds the amax reduction's measured time to the scaling kernel's", async () => {
    const root = perfDbRoot(perfDb ?? '');
    const tables = await readPerfDb(root, { system: 'h200_sxm', backend: 'trtllm' });
    const row = (rows: Record<string, unknown>[]) => rows.find((r) => r.m === 4n && r.k === 8192n);
    const scaling = row(await parquetRows(join(root, QUANTIZE, 'scale_matrix_perf.parquet')));
    const reduction = row(await parquetRows(join(root, QUANTIZE, 'computescale_perf.parquet')));
    assert.ok(scaling && reduction);
    const q = { m: 4, k: 8192, dtype: 'fp8' };
    const staticTime = tables.quantize({ ...q, dynamicScale: false });
    const dynamicTime = tables.quantize({ ...q, dynamicScale: true });
    assert.equal(staticTime?.seconds, (scaling.latency as number) / 1000);
    const sum = ((scaling.latency as number) + (reduction.latency as number)) / 1000;
    assert.ok(Math.abs((dynamicTime?.seconds ?? 0) - sum) < 1e-15);
    assert.equal(dynamicTime?.source.how, 'measured');
  });

  it('leaves out compute-scale rows the collector clamped to 0, keeping the file readable', async () => {
    // SGLang's dynamic and static runs measure alike: nearly every difference is clamped to 0.
    const tables = await readPerfDb(perfDb ?? '', { system: 'h200_sxm', backend: 'sglang' });
    const rows = tables.tables.quantizeScale?.rowCount ?? 0;
    assert.ok(rows > 0 && rows < 1628, `${rows} rows`);
    assert.ok(tables.tables.quantizeScale?.origin.notes.some((n) => /clamped to 0\) left out/.test(n)));
  });
});

describe('reading a database folder', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'servetune-opdb-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const ALLREDUCE = 'data/h100_sxm/comm/vllm/0.24.0/custom_allreduce_perf.parquet';
  const GEMM_SMALL = 'data/a100_sxm/gemm/vllm/0.14.0/gemm_perf.parquet';

  /** A database with only `files` (path in the scratch db → a file of the full one, or text). */
  function database(name: string, files: Record<string, string | { text: string }>): string {
    const root = join(scratch, name);
    for (const [path, from] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      if (typeof from === 'string') copyFileSync(join(perfDbRoot(perfDb ?? ''), from), join(root, path));
      else writeFileSync(join(root, path), from.text);
    }
    return root;
  }

  it('a missing folder or system is a ServeTuneError naming it', async () => {
    await assert.rejects(
      readPerfDb(join(scratch, 'nowhere'), { system: 'h100_sxm', backend: 'vllm' }),
      isServeTuneError(/nowhere: no such folder/, /nowhere$/),
    );
    const root = database('systems', { 'data/h100_sxm/gemm/vllm/README': { text: '' } });
    await assert.rejects(
      readPerfDb(root, { system: 'h100_sxn', backend: 'vllm' }),
      isServeTuneError(
        /no measurements for system 'h100_sxn' \(measured: h100_sxm\)\. Did you mean 'h100_sxm'/,
      ),
    );
    await assert.rejects(
      readPerfDb(root, { system: 'h100_sxm', backend: 'vllm' }),
      isServeTuneError(/no vllm measurements for h100_sxm/),
    );
  });

  it('a malformed parquet file or reuse.yaml is a ServeTuneError naming it', async () => {
    const garbage = database('garbage', {
      'data/x/gemm/vllm/1.0/gemm_perf.parquet': { text: 'not parquet at all' },
    });
    await assert.rejects(
      readPerfDb(garbage, { system: 'x', backend: 'vllm' }),
      isServeTuneError(
        /^data\/x\/gemm\/vllm\/1\.0\/gemm_perf\.parquet: not a readable parquet file/,
        /^data\/x\/gemm\/vllm\/1\.0\/gemm_perf\.parquet$/,
      ),
    );
    const badYaml = database('bad-reuse', {
      'data/x/gemm/vllm/1.0/reuse.yaml': { text: 'reuse:\n  - table: gemm_perf\n' },
    });
    await assert.rejects(
      readPerfDb(badYaml, { system: 'x', backend: 'vllm' }),
      isServeTuneError(/^data\/x\/gemm\/vllm\/1\.0\/reuse\.yaml: field 'reuse\.0\.from_version'/),
    );
  });

  it('a parquet file without a column is a ServeTuneError naming file and column', { skip }, async () => {
    const wrong = database('wrong', { 'data/x/gemm/vllm/1.0/gemm_perf.parquet': ALLREDUCE });
    await assert.rejects(
      readPerfDb(wrong, { system: 'x', backend: 'vllm' }),
      isServeTuneError(/gemm_perf\.parquet: no column 'gemm_dtype'/, /gemm_perf\.parquet:gemm_dtype$/),
    );
  });

  it('each table takes the measured version nearest the one wanted, and names it', { skip }, async () => {
    const root = database('versions', {
      'data/x/gemm/vllm/0.14.0/gemm_perf.parquet': GEMM_SMALL,
      'data/x/gemm/vllm/0.24.0/gemm_perf.parquet': GEMM_FILE,
      'data/x/comm/vllm/0.20.0/custom_allreduce_perf.parquet': ALLREDUCE,
      'data/x/comm/nccl/2.0/nccl_perf.parquet': 'data/h100_sxm/comm/nccl/2.29.2/nccl_perf.parquet',
    });
    const newest = await readPerfDb(root, { system: 'x', backend: 'vllm' });
    assert.deepEqual(newest.versions, { gemm: '0.24.0', nccl: '2.0', customAllReduce: '0.20.0' });
    const older = await readPerfDb(root, { system: 'x', backend: 'vllm', version: '0.16.2' });
    assert.deepEqual(older.versions, { gemm: '0.14.0', nccl: '2.0', customAllReduce: '0.20.0' });
    assert.equal(older.gemm({ m: 1, n: 4096, k: 4096, dtype: 'bfloat16' })?.source.version, '0.14.0');
    const viaLoader = await loadOpTables({ perfDbDir: root, system: 'x', backend: 'vllm', version: '0.23' });
    assert.equal(viaLoader.tables.gemm?.origin.file, 'data/x/gemm/vllm/0.24.0/gemm_perf.parquet');
  });

  it('reuse.yaml brings in the shapes a version did not measure again; its own rows win', {
    skip,
  }, async () => {
    // 2.0 measured 2 and 4 GPUs again (another system's rows); 1.0 also has 8.
    const reuse = 'schema_version: 1\nreuse:\n  - table: custom_allreduce_perf\n    from_version: "1.0"\n';
    const root = database('reuse', {
      'data/x/comm/vllm/1.0/custom_allreduce_perf.parquet': ALLREDUCE,
      'data/x/comm/vllm/2.0/custom_allreduce_perf.parquet':
        'data/gb200/comm/vllm/0.24.0/custom_allreduce_perf.parquet',
      'data/x/comm/vllm/2.0/reuse.yaml': { text: reuse },
      'data/x/gemm/vllm/2.0/gemm_perf.parquet': GEMM_SMALL,
      'data/x/gemm/vllm/2.0/reuse.yaml': { text: 'reuse:\n  - table: gemm_perf\n    from_version: 1.5\n' },
    });
    const tables = await readPerfDb(root, { system: 'x', backend: 'vllm' });
    const own = await readPerfDb(perfDb ?? '', { system: 'gb200', backend: 'vllm' });
    const reused = await readPerfDb(perfDb ?? '', { system: 'h100_sxm', backend: 'vllm' });
    assert.equal(tables.tables.customAllReduce?.origin.version, '2.0');
    assert.equal(tables.tables.customAllReduce?.rowCount, 138);
    assert.deepEqual(tables.tables.customAllReduce?.origin.notes, ['46 rows reused from 1.0 (reuse.yaml)']);
    const at = (t: OpTables, gpus: number) => t.customAllReduce({ gpus, bytes: 1 << 20 })?.seconds;
    assert.equal(at(tables, 4), at(own, 4));
    assert.notEqual(at(tables, 4), at(reused, 4));
    assert.equal(at(tables, 8), at(reused, 8));
    assert.deepEqual(tables.tables.gemm?.origin.notes, [
      '2.0 reuses 1.5 for unmeasured shapes: absent from this database',
    ]);
  });
});
