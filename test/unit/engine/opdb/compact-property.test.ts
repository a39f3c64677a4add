import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { type CompactOpDb, compactTable, expandCompactOpDb } from '../../../../src/engine/opdb/compact.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';

// The shipped op database's compact files under hostile input: any field of a table changed is read
// into tables whose every index is in range and every latency finite and positive, or refused with an
// error naming the file and the field or table; never a raw exception. Compacting the tables read
// gives back the file's own tables.

const SHOWN = 'nccl.json.gz';
const DB = JSON.parse(
  gunzipSync(readFileSync('data/opdb/l40s/nccl.json.gz')).toString('utf8'),
) as CompactOpDb;

function expandOrLocated(json: unknown) {
  try {
    return expandCompactOpDb(json, SHOWN);
  } catch (error) {
    assert.ok(isServeTuneError(error), `threw ${error instanceof Error ? error.stack : String(error)}`);
    assert.ok(error.where?.startsWith(SHOWN), `where: ${error.where}`);
    return undefined;
  }
}

// biome-ignore format: a dense list of hostile values reads better packed
const hostile = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, 1e6, 300_000, -300_000, 0.5, '', 'x', null, [], [0], [-1], [2 ** 40]),
  fc.integer(),
  fc.array(fc.integer({ min: -(2 ** 33), max: 2 ** 33 }), { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 1 }),
);

type Field = 'rows' | 'levels' | 'index' | 'latency' | 'kind' | 'version';
const FIELDS: Field[] = ['rows', 'levels', 'index', 'latency', 'kind', 'version'];

/** The db with table `t`'s `field` (or one element of it, for arrays) set to `value`. */
function edited(t: number, field: Field, element: number, value: unknown): unknown {
  const db = structuredClone(DB);
  const table = db.tables[t % db.tables.length]! as unknown as Record<string, unknown>;
  const current = table[field];
  if (Array.isArray(current) && current.length > 0) {
    const copy = [...current];
    const at = element % copy.length;
    // Inside a nested column (index, levels), change one entry of it where the value is a number.
    if (Array.isArray(copy[at]) && typeof value === 'number' && copy[at].length > 0) {
      const inner = [...copy[at]];
      inner[element % inner.length] = value;
      copy[at] = inner;
    } else copy[at] = value;
    table[field] = copy;
  } else table[field] = value;
  return db;
}

describe('compact op database reader (property)', () => {
  it('round trip: compacting the tables read gives the file back', () => {
    const tables = expandCompactOpDb(DB, SHOWN);
    assert.deepEqual(
      tables.map((t) => compactTable(t, DB.latencyStep)),
      DB.tables,
    );
  });

  it('any field or entry of a table changed: sound tables or a located error', () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...FIELDS), fc.nat(), hostile, (t, field, element, value) => {
        const tables = expandOrLocated(edited(t, field, element, value));
        for (const table of tables ?? []) {
          const { levels, index, latencyMs } = table.columns;
          for (const ms of Array.from(latencyMs)) assert.ok(Number.isFinite(ms) && ms > 0, `latency ${ms}`);
          index.forEach((column, a) => {
            for (const i of Array.from(column)) assert.ok(i >= 0 && i < levels[a]!.length, `index ${i}`);
          });
        }
      }),
      { numRuns: 800 },
    );
  });

  it('any JSON at all: a located error or tables', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), (json) => void expandOrLocated(json)));
  });
});

describe('compact op database reader: what the properties found', () => {
  it('a latency code that makes a time of 0 or Infinity ms is refused naming the table', () => {
    for (const code of [-149_395, 200_000]) {
      assert.throws(
        () => expandCompactOpDb(edited(0, 'latency', 0, code), SHOWN),
        (error: Error) =>
          isServeTuneError(error) &&
          error.where === `${SHOWN}:tables.0` &&
          /latency code/.test(error.message),
      );
    }
  });

  it('index differences that wrap a 32-bit sum back into range are refused', () => {
    const db = structuredClone(DB);
    const column = db.tables[0]!.index[0]!;
    if (column.length < 2) return;
    column[0] = column[0]! + 2 ** 32;
    column[1] = column[1]! - 2 ** 32;
    assert.throws(() => expandCompactOpDb(db, SHOWN), /index out of range/);
  });
});
