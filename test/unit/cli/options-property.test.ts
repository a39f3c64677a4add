import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import {
  fraction,
  gpuCount,
  integer,
  nonNegativeInt,
  nonNegativeNumber,
  positiveInt,
  positiveNumber,
  sampleCount,
  threadCount,
} from '../../../src/cli/options.js';
import { MAX_GPUS } from '../../../src/engine/memory/plans.js';
import { MAX_SAMPLE_REQUESTS } from '../../../src/engine/search/simulation-evaluator.js';
import { maxThreads } from '../../../src/engine/util/threads.js';

// The CLI's numeric options: any text is a value in range or a usage error naming what was expected
// (commander prints it against the flag, exit 2), never a raw exception or a value nobody wrote
// (`0x10` as 16, an empty string as 0, 1e21 as an "integer"). A value printed back reads the same.

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const WHOLE = /^\+?\d+$/;

type Parser = (value: string) => number;

/** Which texts each parser must accept: decimal or whole, and in its range. */
const RULES: [string, Parser, (text: string, n: number) => boolean][] = [
  ['positiveInt', positiveInt, (t, n) => WHOLE.test(t) && Number.isSafeInteger(n) && n >= 1],
  ['nonNegativeInt', nonNegativeInt, (t, n) => WHOLE.test(t) && Number.isSafeInteger(n) && n >= 0],
  ['gpuCount', gpuCount, (t, n) => WHOLE.test(t) && n >= 1 && n <= MAX_GPUS],
  ['sampleCount', sampleCount, (t, n) => WHOLE.test(t) && n >= 1 && n <= MAX_SAMPLE_REQUESTS],
  ['threadCount', threadCount, (t, n) => WHOLE.test(t) && n >= 0 && n <= maxThreads()],
  ['positiveNumber', positiveNumber, (t, n) => DECIMAL.test(t) && Number.isFinite(n) && n > 0],
  ['nonNegativeNumber', nonNegativeNumber, (t, n) => DECIMAL.test(t) && Number.isFinite(n) && n >= 0],
  ['integer', integer, (t, n) => DECIMAL.test(t) && Number.isSafeInteger(n)],
  ['fraction', fraction, (t, n) => DECIMAL.test(t) && n > 0 && n <= 1],
];

// biome-ignore format: a dense list of tricky texts reads better packed
const tricky = fc.constantFrom(
  '', ' ', '0', '-0', '+0', '1', '-1', '+1', '0.5', '.5', '5.', '1e3', '1E-3', '1e999', '-1e999', '1e21',
  '9007199254740993', '99999999999', '0x10', '0b11', '0o7', 'Infinity', '-Infinity', 'NaN', '1_000', '1,5',
  '١٢', '12abc', ' 4 ', '\t4\n', '4 4', '--4', '1e', 'e1', '.', '-', '+', '00012', '1.0', '2.50',
);
const texts = fc.oneof(
  tricky,
  fc.string({ maxLength: 12 }),
  fc.double().map(String),
  fc.bigInt().map(String),
);

function outcome(parse: Parser, text: string): number | InvalidArgumentError {
  try {
    return parse(text);
  } catch (error) {
    assert.ok(error instanceof InvalidArgumentError, `'${text}': threw ${String(error)}`);
    assert.match(error.message, /^expected .*, got '/s);
    return error;
  }
}

describe('CLI numeric options (property)', () => {
  for (const [name, parse, accepts] of RULES) {
    it(`${name}: accepts exactly the decimal values in its range`, () => {
      fc.assert(
        fc.property(texts, (text) => {
          const got = outcome(parse, text);
          const n = Number(text.trim());
          const wanted = accepts(text.trim(), n);
          assert.equal(typeof got === 'number', wanted, `'${text}' → ${String(got)}`);
          if (typeof got === 'number') {
            assert.equal(got, n + 0);
            // Round trip: the value as a program prints it reads the same.
            assert.equal(parse(String(got)), got);
          }
        }),
        { numRuns: 400 },
      );
    });
  }
});
