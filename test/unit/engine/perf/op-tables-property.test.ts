import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { importOpTablesCsv, MeasuredOpTables } from '../../../../src/engine/perf/op-tables.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';

// Measured op tables (`--op-tables`) under hostile input: every published layout with any cell, header
// or line changed is read into valid tables or refused with an error naming the file and line (and the
// column where there is one); never a raw ZodError. Long-form rows read back as they were written.

const FILE = 'ops.csv';

const LAYOUTS = [
  'num_tokens,num_tensor_parallel_workers,n_embd,time_stats.mlp_up_proj.median,time_stats.add.median\n128,1,4096,0.25,0.01\n256,2,4096,0.5,\n',
  'is_prefill,batch_size,prefill_chunk_size,kv_cache_size,num_tensor_parallel_workers,time_stats.attn_prefill.median,time_stats.attn_decode.median\ntrue,1,512,0,1,1.5,\nfalse,8,,4096,1,,0.2\n',
  'num_workers,size,time_stats.all_reduce.median\n2,1048576,0.05\n8,4194304,0.2\n',
  'op,tokens,tp,seconds\nqkv_proj,128,1,0.0001\ndown_proj,256,2,0.0002\n',
  'op,tokens,tp,ms\nqkv_proj,128,1,0.1\n',
];

// biome-ignore format: a dense list of hostile cells reads better packed
const cells = fc.oneof(
  fc.constantFrom('', ' ', '0', '-1', '1.5', '0.5', '1e999', 'NaN', 'Infinity', '0x10', '1e308', '9007199254740993', '"3"', '"a,b"', 'true', '"', 'x'),
  fc.integer({ min: -5, max: 100_000 }).map(String),
  fc.double({ noNaN: true }).map(String),
  fc.string({ maxLength: 5 }),
);

function located(text: string) {
  try {
    return importOpTablesCsv(text, FILE);
  } catch (error) {
    assert.ok(isServeTuneError(error), `threw ${error instanceof Error ? error.stack : String(error)}`);
    assert.match(error.where ?? '', /^ops\.csv(:\d+(:.+)?)?$/, `where: ${error.where}`);
    assert.ok(error.message.startsWith(FILE), error.message);
    return undefined;
  }
}

/** Replaces cell `column` of line `line` (header included), both taken modulo the table's size. */
function withCell(text: string, line: number, column: number, value: string): string {
  const lines = text.trimEnd().split('\n');
  const at = line % lines.length;
  const fields = lines[at]!.split(',');
  fields[column % fields.length] = value;
  lines[at] = fields.join(',');
  return `${lines.join('\n')}\n`;
}

describe('op-table CSV reader (property)', () => {
  it('any cell of any layout changed: valid tables or a located error', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LAYOUTS),
        fc.array(fc.tuple(fc.nat(), fc.nat(), cells), { minLength: 1, maxLength: 3 }),
        (layout, changes) => {
          let text = layout;
          for (const [line, column, value] of changes) text = withCell(text, line, column, value);
          const tables = located(text);
          if (tables) assert.ok(MeasuredOpTables.safeParse(tables).success);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('lines cut, doubled or joined, and any text: a located error or valid tables', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LAYOUTS),
        fc.nat(),
        fc.nat(200),
        fc.oneof(fc.constantFrom('\n', '\r\n', ',', '"', '\uFEFF', '\u0000'), fc.string({ maxLength: 10 })),
        (layout, at, cut, insert) => {
          const offset = at % (layout.length + 1);
          const text = layout.slice(0, offset) + insert + layout.slice(offset + cut);
          const tables = located(text);
          if (tables) assert.ok(MeasuredOpTables.safeParse(tables).success);
        },
      ),
      { numRuns: 800 },
    );
    fc.assert(fc.property(fc.string(), (text) => void located(text)));
  });

  it('round trip: long-form rows written out read back as the same points', () => {
    const row = fc.record({
      op: fc.constantFrom('qkv_proj', 'o_proj', 'gate_up_proj', 'down_proj'),
      tokens: fc.integer({ min: 1, max: 1_000_000 }),
      tp: fc.integer({ min: 1, max: 64 }),
      seconds: fc.double({ min: 0, max: 10, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), (rows) => {
        const text = `op,tokens,tp,seconds\n${rows.map((r) => `${r.op},${r.tokens},${r.tp},${r.seconds}`).join('\n')}\n`;
        const tables = importOpTablesCsv(text, FILE);
        assert.deepEqual(
          tables.ops.map(({ op, tokens, tp, seconds }) => ({ op, tokens, tp, seconds: seconds + 0 })),
          rows.map((r) => ({ ...r, seconds: r.seconds + 0 })),
        );
      }),
    );
  });
});

describe('op-table CSV reader: what the properties found', () => {
  it('a fractional TP degree is refused naming its line, not by a raw ZodError', () => {
    assert.throws(
      () => importOpTablesCsv('op,tokens,tp,seconds\nqkv_proj,128,1.5,0.001\n', FILE),
      (error: Error) =>
        isServeTuneError(error) &&
        error.where === 'ops.csv:2:tp' &&
        /field 'tp' must be a whole number of at least 1, got '1\.5'/.test(error.message),
    );
  });

  it('a time that is 0 s as a double is refused naming its line', () => {
    assert.throws(
      () => importOpTablesCsv('num_workers,size,time_stats.all_reduce.median\n2,1024,5e-324\n', FILE),
      (error: Error) => isServeTuneError(error) && error.where === 'ops.csv:2:time_stats.all_reduce.median',
    );
  });

  it('hexadecimal and Infinity are not numbers of a table', () => {
    for (const cell of ['0x10', 'Infinity'])
      assert.throws(
        () => importOpTablesCsv(`op,tokens,tp,seconds\nqkv_proj,${cell},1,0.001\n`, FILE),
        /field 'tokens' must be a positive number/,
      );
  });
});
