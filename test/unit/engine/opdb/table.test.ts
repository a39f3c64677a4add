import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { choice, numeric } from '../../../../src/engine/opdb/axes.js';
import { columnsOf } from '../../../../src/engine/opdb/columns.js';
import {
  compactTable,
  expandCompactOpDb,
  LATENCY_STEP,
  OPDB_FORMAT,
} from '../../../../src/engine/opdb/compact.js';
import { OP_SPECS } from '../../../../src/engine/opdb/ops.js';
import { describeOpTimeSource, OpTable } from '../../../../src/engine/opdb/table.js';

const origin = {
  kind: 'gemm' as const,
  system: 'test_gpu',
  backend: 'vllm',
  version: '1.0',
  file: 'data/test_gpu/gemm/vllm/1.0/gemm_perf.parquet',
  notes: [],
};

/** A GEMM-shaped table: launch-bound (flat) at small m, compute-bound (proportional) from m = 256. */
function gemmLikeTable(): OpTable {
  const rows = [];
  for (const dtype of ['bfloat16', 'fp8']) {
    for (const n of [1024, 4096]) {
      for (const k of [1024, 4096]) {
        for (const m of [1, 16, 64, 256, 1024, 4096]) {
          const work = (m * n * k) / (dtype === 'fp8' ? 2e9 : 1e9);
          rows.push({ key: [dtype, n, k, m, 'cutlass'], latencyMs: 0.001 + work / 1000 });
        }
      }
    }
  }
  return new OpTable(origin, OP_SPECS.gemm.axes, columnsOf(rows, 5).columns);
}

describe('an op table answers every query and says where the time came from', () => {
  const table = gemmLikeTable();
  const ms = (dtype: string, m: number, n = 4096, k = 4096) => {
    const time = table.lookup([dtype, n, k, m, undefined]);
    return { ms: time.seconds * 1000, source: time.source };
  };

  it('a measured shape returns its latency, marked measured, with its origin', () => {
    const { ms: got, source } = ms('bfloat16', 1024);
    assert.equal(got, 0.001 + (1024 * 4096 * 4096) / 1e12);
    assert.equal(source.how, 'measured');
    assert.deepEqual(source.steps, []);
    assert.deepEqual(source.kernels, ['cutlass']);
    assert.equal(source.file, origin.file);
    assert.match(describeOpTimeSource(source), /^measured from test_gpu vllm 1\.0 gemm \[cutlass\]$/);
  });

  it('between two measured m it interpolates, linearly past saturation, and names the bracket', () => {
    const low = ms('bfloat16', 1024).ms;
    const high = ms('bfloat16', 4096).ms;
    const mid = ms('bfloat16', 2048);
    assert.ok(mid.ms > low && mid.ms < high);
    assert.equal(mid.source.how, 'interpolated');
    assert.deepEqual(mid.source.steps, ['m 2048: between 1024 and 4096 (linear)']);
    // Time here is affine in m, which linear interpolation reproduces exactly.
    assert.ok(Math.abs(mid.ms - (0.001 + (2048 * 4096 * 4096) / 1e12)) < 1e-12);
  });

  it('below saturation it interpolates on the log-log line', () => {
    const at = ms('bfloat16', 8, 1024, 1024);
    assert.equal(at.source.how, 'interpolated');
    assert.deepEqual(at.source.steps, ['m 8: between 1 and 16 (log-log)']);
    const t1 = ms('bfloat16', 1, 1024, 1024).ms;
    const t16 = ms('bfloat16', 16, 1024, 1024).ms;
    const exponent = Math.log(t16 / t1) / Math.log(16);
    assert.ok(Math.abs(at.ms - t1 * 8 ** exponent) < 1e-12);
    assert.ok(at.ms > t1 && at.ms < t16);
  });

  it('beyond the grid it extrapolates monotonically with the scaling rule, and says so', () => {
    const last = ms('bfloat16', 4096).ms;
    const beyond = [8192, 16384, 100000].map((m) => ms('bfloat16', m));
    assert.ok(beyond.every((b) => b.source.how === 'extrapolated'));
    assert.match(beyond[0].source.steps[0], /m 8192: above the largest measured 4096, scaled as m\^1/);
    assert.ok(last < beyond[0].ms && beyond[0].ms < beyond[1].ms && beyond[1].ms < beyond[2].ms);
    // m^1 past saturation: twice the rows, twice the time.
    assert.ok(Math.abs(beyond[0].ms / last - 2) < 1e-12);
    const huge = ms('bfloat16', 4096, 65536, 65536);
    assert.equal(huge.source.how, 'extrapolated');
    assert.ok(huge.ms > last);
  });

  it('never throws: odd numbers and unmeasured dtypes fall back, marked extrapolated', () => {
    for (const m of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const time = ms('bfloat16', m);
      assert.ok(Number.isFinite(time.ms) && time.ms > 0, String(m));
      assert.equal(time.source.how, 'extrapolated');
    }
    const fp8Block = ms('fp8_block', 1024);
    assert.equal(fp8Block.source.how, 'extrapolated');
    assert.deepEqual(fp8Block.source.steps, ['dtype fp8_block not measured: used fp8']);
    assert.equal(fp8Block.ms, ms('fp8', 1024).ms);
    const unknown = ms('no-such-dtype', 1024);
    assert.ok(unknown.ms > 0);
    assert.match(unknown.source.steps[0], /dtype no-such-dtype not measured: used /);
  });

  it('a choice with more than one kernel takes the most measured unless one is named', () => {
    const rows = [
      { key: ['a', 10], latencyMs: 1 },
      { key: ['a', 20], latencyMs: 2 },
      { key: ['b', 10], latencyMs: 5 },
    ];
    const axes = [choice('kernel'), numeric('x', {})];
    const t = new OpTable(origin, axes, columnsOf(rows, 2).columns);
    assert.equal(t.lookup([undefined, 10]).seconds, 0.001);
    assert.equal(t.lookup(['b', 10]).seconds, 0.005);
    assert.equal(t.lookup(['b', 10]).source.how, 'measured');
  });

  it('repeated measurements of one shape are averaged', () => {
    const rows = [
      { key: ['k', 10], latencyMs: 1 },
      { key: ['k', 10], latencyMs: 3 },
    ];
    const { columns, merged } = columnsOf(rows, 2);
    assert.equal(merged, 1);
    const t = new OpTable(origin, [choice('kernel'), numeric('x', {})], columns);
    assert.equal(t.lookup(['k', 10]).seconds, 0.002);
  });
});

describe('the compact form', () => {
  it('round-trips a table to within the latency step', () => {
    const table = gemmLikeTable();
    const json = {
      format: OPDB_FORMAT,
      source: 'test',
      system: 'test_gpu',
      backend: 'vllm',
      latencyStep: LATENCY_STEP,
      tables: [compactTable(table)],
    };
    const [back] = expandCompactOpDb(JSON.parse(JSON.stringify(json)), 'test.json.gz');
    assert.equal(back.rowCount, table.rowCount);
    const original = [...table.measured()];
    const restored = [...back.measured()];
    const byKey = new Map(restored.map((r) => [r.key.join('|'), r.latencyMs]));
    for (const { key, latencyMs } of original) {
      const got = byKey.get(key.join('|'));
      assert.ok(got !== undefined && Math.abs(got / latencyMs - 1) <= LATENCY_STEP / 2 + 1e-9, key.join('|'));
    }
  });

  it('rejects a malformed file with an error naming it and the field', () => {
    const table = compactTable(gemmLikeTable());
    const base = {
      format: OPDB_FORMAT,
      source: 't',
      system: 's',
      backend: 'vllm',
      latencyStep: LATENCY_STEP,
    };
    const cases: [unknown, RegExp][] = [
      [{ ...base, tables: [{ ...table, latency: 'x' }] }, /bad\.json\.gz: field 'tables\.0\.latency'/],
      [{ ...base, format: 'other' }, /bad\.json\.gz: field 'format'/],
      [{ ...base, tables: [{ ...table, rows: table.rows + 1 }] }, /bad\.json\.gz: table gemm: axis dtype/],
      [
        { ...base, tables: [{ ...table, index: table.index.map((c) => c.map(() => 99)) }] },
        /index out of range/,
      ],
      [
        { ...base, tables: [{ ...table, levels: [['x'], [4096, 1024], ...table.levels.slice(2)] }] },
        /ascending/,
      ],
    ];
    for (const [json, message] of cases) {
      assert.throws(
        () => expandCompactOpDb(json, 'bad.json.gz'),
        (error: Error & { where?: string }) =>
          error.name === 'ServeTuneError' &&
          message.test(error.message) &&
          /^bad\.json\.gz/.test(error.where ?? ''),
      );
    }
  });
});
