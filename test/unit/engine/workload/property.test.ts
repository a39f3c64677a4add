import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import type { LengthDistribution } from '../../../../src/engine/workload/distributions.js';
import { MAX_TOKENS_PER_REQUEST } from '../../../../src/engine/workload/limits.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import {
  generateWorkload,
  MAX_CV,
  parseWorkloadSpec,
  printWorkloadSpec,
  type SyntheticWorkload,
} from '../../../../src/engine/workload/spec.js';
import { parseTrace, readTrace } from '../../../../src/engine/workload/traces.js';
import type { Workload } from '../../../../src/engine/workload/types.js';

/** Runs `f`; anything it throws must be a ServeTuneError that says where. */
function locatedOrValue<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (error) {
    assert.ok(isServeTuneError(error), `threw ${error instanceof Error ? error.stack : String(error)}`);
    assert.ok(error.where, `no where: ${error.message}`);
    return undefined;
  }
}

/** What every workload holds: arrivals finite and sorted (a trace's from 0); token counts whole, in range. */
function assertWellFormed(w: Workload, maxTokens = MAX_TOKENS_PER_REQUEST, fromZero = true): void {
  assert.ok(w.requests.length > 0);
  let previous = 0;
  for (const r of w.requests) {
    assert.ok(Number.isFinite(r.arrival) && r.arrival >= previous, `arrival ${r.arrival} after ${previous}`);
    previous = r.arrival;
    for (const n of [r.promptTokens, r.outputTokens])
      assert.ok(Number.isInteger(n) && n >= 0 && n <= maxTokens);
  }
  if (fromZero) assert.equal(w.requests[0].arrival, 0);
}

// biome-ignore format: a dense list of grammar fragments reads better packed
const fragments = fc.constantFrom(
  '1', '7', '0', '25', ',', '=', '(', ')', ';', '@', ':', '.', '-', '+', 'e', 'e400', '0x1f', '1e8',
  '1e-300', ' ', '', 'rate=', 'n=', 'cv=', 'duration=', 'max=', 'prompt=', 'output=', 'fixed(', 'uniform(',
  'lognormal(', 'empirical(', 'empirical(@', 'NaN', 'Infinity', '0', '99999999999999999999',
);
const noise = fc.oneof(fragments, fc.string({ maxLength: 8 }));

function mutate(text: string, at: number, cut: number, insert: string): string {
  const offset = at % (text.length + 1);
  return text.slice(0, offset) + insert + text.slice(offset + cut);
}

describe('workload spec grammar (property)', () => {
  const specs = [
    'poisson:rate=4,prompt=lognormal(1024,0.8),output=fixed(256),n=1000',
    'gamma:rate=8,cv=2,n=100,prompt=uniform(10,90),output=empirical(5;7;9)',
    'constant:rate=0.5,duration=60,max=4096',
  ];

  /** Parses; where it parses, draws at most 50 requests, which must be well formed or a located error. */
  function parseAndDraw(spec: string): void {
    const parsed = locatedOrValue(() => parseWorkloadSpec(spec));
    if (parsed === undefined) return;
    parsed.count = Math.min(parsed.count ?? 50, 50);
    const w = locatedOrValue(() => generateWorkload(parsed, 1, spec));
    if (w !== undefined && w.requests.length > 0) assertWellFormed(w, parsed.maxLength, false);
  }

  test('mutated specs parse, or fail with a located ServeTuneError', () => {
    const mutation = fc.record({
      spec: fc.constantFrom(...specs),
      edits: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 4 }), noise), { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(mutation, ({ spec, edits }) => {
        parseAndDraw(edits.reduce((text, [at, cut, insert]) => mutate(text, at, cut, insert), spec));
      }),
      { numRuns: 500, seed: 21 },
    );
  });

  test('arbitrary key=value specs parse, or fail with a located ServeTuneError', () => {
    const numberText = fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 5000 }).map(String), weight: 8 },
      { arbitrary: fc.double({ min: 0.01, max: 100, noNaN: true }).map(String), weight: 4 },
      { arbitrary: fc.integer({ min: -5, max: 20_000_000 }).map(String), weight: 1 },
      { arbitrary: fc.double().map(String), weight: 1 },
      { arbitrary: fc.constantFrom('1e3', '1e8', '0x10', '.5', '5.', '1e-400', '', ' 2 '), weight: 1 },
    );
    const distribution = fc
      .tuple(
        fc.constantFrom('fixed', 'uniform', 'lognormal', 'empirical', 'zipf'),
        fc.array(numberText, { minLength: 1, maxLength: 3 }),
      )
      .map(
        ([name, args]) =>
          `${name}(${args.slice(0, name === 'fixed' ? 1 : name === 'empirical' ? 3 : 2).join(name === 'empirical' ? ';' : ',')})`,
      );
    const param = fc
      .tuple(
        fc.constantFrom('cv', 'n', 'duration', 'max', 'prompt', 'output', 'prompt', 'output', 'colour'),
        numberText,
        distribution,
      )
      .map(([key, n, d]) => `${key}=${key === 'prompt' || key === 'output' ? d : n}`);
    const spec = fc
      .tuple(
        fc.constantFrom('poisson', 'gamma', 'gamma', 'constant', 'zipf'),
        numberText,
        fc.array(param, { maxLength: 4 }),
      )
      .map(([arrival, rate, params]) => `${arrival}:${[`rate=${rate}`, ...params].join(',')}`);
    fc.assert(fc.property(spec, parseAndDraw), { numRuns: 800, seed: 22 });
  });

  const positive = (max = 1e12) => fc.double({ min: 1e-3, max, noNaN: true });
  const length: fc.Arbitrary<LengthDistribution> = fc.oneof(
    positive().map((value) => ({ kind: 'fixed' as const, value })),
    fc
      .tuple(positive(1e6), positive(1e6))
      .map(([a, b]) => ({ kind: 'uniform' as const, min: Math.min(a, b), max: Math.max(a, b) })),
    fc
      .tuple(positive(), fc.double({ min: 0, max: 10, noNaN: true }))
      .map(([median, sigma]) => ({ kind: 'lognormal' as const, median, sigma })),
    fc
      .array(positive(), { minLength: 1, maxLength: 6 })
      .map((values) => ({ kind: 'empirical' as const, values })),
  );
  const workload: fc.Arbitrary<SyntheticWorkload> = fc.record({
    arrival: fc.constantFrom('poisson' as const, 'gamma' as const, 'constant' as const),
    rate: positive(),
    cv: fc.double({ min: 1e-3, max: MAX_CV, noNaN: true }),
    count: fc.option(fc.integer({ min: 1, max: 10_000_000 }), { nil: undefined }),
    durationSeconds: fc.option(positive(), { nil: undefined }),
    prompt: length,
    output: length,
    maxLength: fc.integer({ min: 1, max: MAX_TOKENS_PER_REQUEST }),
    sharedFraction: fc.constant(1),
    templates: fc.constant(1),
    think: fc.constant({ kind: 'lognormal' as const, median: 10, sigma: 0.8 }),
    toolShare: fc.constant(0),
    toolPause: fc.constant({ kind: 'lognormal' as const, median: 2, sigma: 0.8 }),
    priority: fc.integer({ min: -5, max: 5 }),
    className: fc.option(fc.constantFrom('interactive', 'batch-2'), { nil: undefined }),
  });

  test('a printed spec parses back to the same workload', () => {
    fc.assert(
      fc.property(workload, (w) => {
        const spec = { ...w, cv: w.arrival === 'gamma' ? w.cv : 1 };
        if (spec.count === undefined) delete spec.count;
        if (spec.durationSeconds === undefined) delete spec.durationSeconds;
        if (spec.className === undefined) delete spec.className;
        // A length whose every draw (a lognormal: its median) is above the cap is refused: its requests
        // would all (half or more) be cut to it.
        const shortest = (d: SyntheticWorkload['prompt']) =>
          d.kind === 'fixed'
            ? d.value
            : d.kind === 'uniform'
              ? d.min
              : d.kind === 'lognormal'
                ? d.median
                : Math.min(...d.values);
        if (Math.max(shortest(w.prompt), shortest(w.output)) > w.maxLength) {
          assert.throws(() => parseWorkloadSpec(printWorkloadSpec(spec)), /is longer than max=/);
          return;
        }
        assert.deepEqual(parseWorkloadSpec(printWorkloadSpec(spec)), spec);
      }),
      { numRuns: 500, seed: 23 },
    );
  });
});

describe('trace readers (property)', () => {
  const fixtures: Record<string, string> = {
    'azure.csv':
      'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.5000000,374,44\n2023-11-16 18:15:48.2500000,396,109\n2023-11-16 18:16:01.1,1024,7\n',
    'burst.csv':
      'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n5,ChatGPT,472,18,490,Conversation log\n6,GPT-4,1000,0,1000,Conversation log\n7.5,ChatGPT,100,50,150,API log\n',
    'mooncake.jsonl':
      '{"timestamp": 0, "input_length": 1000, "output_length": 5, "hash_ids": [0, 1]}\n{"timestamp": 1500, "input_length": 600, "output_length": 7, "hash_ids": [0, 2]}\n',
    'list.jsonl':
      '{"StartTimeOffset": 2000000000, "ContextTokens": 10, "GeneratedTokens": 3, "RequestID": "b"}\n{"StartTimeOffset": 500000000, "ContextTokens": 20, "GeneratedTokens": 4}\n',
  };
  const names = Object.keys(fixtures);
  // biome-ignore format: a dense list of trace fragments reads better packed
  const traceFragments = fc.constantFrom(
    '1', '5', '0', '42', ',', '"', '\n', '\r\n', '{', '}', '[', ']', ':', '-', '.', '0x', '1e9', '-1', 'null',
    '""', 'NaN', '2023-13-45 99:99:99', '\uFEFF', '99999999999999999999', '1e400', ' ', '\t',
  );
  const traceNoise = fc.oneof(traceFragments, fc.string({ maxLength: 10 }));

  function readWellFormed(text: string, file: string): void {
    const w = locatedOrValue(() => parseTrace(text, file));
    if (w !== undefined) assertWellFormed(w);
  }

  test('mutated traces of every format read, or fail with a located ServeTuneError', () => {
    const mutation = fc.record({
      name: fc.constantFrom(...names),
      edits: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 4 }), traceNoise), { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(mutation, ({ name, edits }) => {
        readWellFormed(
          edits.reduce((text, [at, cut, insert]) => mutate(text, at, cut, insert), fixtures[name]),
          name,
        );
      }),
      { numRuns: 800, seed: 31 },
    );
  });

  test('arbitrary rows under each CSV header read, or fail with a located ServeTuneError', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const timestamp = fc
      .tuple(fc.integer({ min: 0, max: 2100 }), two(13), two(32), two(25), two(61), two(61))
      .map(([y, mo, d, h, mi, se]) => `${String(y).padStart(4, '0')}-${mo}-${d} ${h}:${mi}:${se}`);
    const validTime = fc
      .tuple(
        fc.integer({ min: 2000, max: 2030 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
      )
      .map((parts) => parts.map((n, i) => String(n).padStart(i === 0 ? 4 : 2, '0')))
      .map(([y, mo, d, h, mi, se]) => `${y}-${mo}-${d} ${h}:${mi}:${se}`);
    /** Mostly valid, now and then anything: rows that read, and rows that fail at one field. */
    const usually = (valid: fc.Arbitrary<string>, invalid: fc.Arbitrary<string>) =>
      fc.oneof({ arbitrary: valid, weight: 19 }, { arbitrary: invalid, weight: 1 });
    const tokens = usually(fc.integer({ min: 0, max: 5000 }).map(String), fc.oneof(traceNoise, timestamp));
    const azureRow = fc
      .tuple(usually(validTime, fc.oneof(timestamp, traceNoise)), tokens, tokens)
      .map((f) => f.join(','));
    const seconds = usually(
      fc.double({ min: 0, max: 1e6, noNaN: true }).map((x) => x.toFixed(3)),
      traceNoise,
    );
    const burstRow = fc
      .tuple(
        seconds,
        usually(fc.constantFrom('ChatGPT', 'GPT-4'), traceNoise),
        tokens,
        tokens,
        tokens,
        traceNoise,
      )
      .map((f) => f.join(','));
    const rowsUnder = (header: string, row: fc.Arbitrary<string>) =>
      fc.array(row, { maxLength: 5 }).map((rows) => [header, ...rows].join('\n'));
    const [azureHeader, burstHeader] = ['azure.csv', 'burst.csv'].map((n) => fixtures[n].split('\n')[0]);
    fc.assert(
      fc.property(fc.oneof(rowsUnder(azureHeader, azureRow), rowsUnder(burstHeader, burstRow)), (text) =>
        readWellFormed(text, 'x.csv'),
      ),
      { numRuns: 800, seed: 32 },
    );
  });

  test('arbitrary JSON lines read, or fail with a located ServeTuneError', () => {
    const anything = fc.oneof(
      fc.double(),
      fc.string({ maxLength: 4 }),
      fc.constant(null),
      fc.array(fc.integer({ min: -2, max: 9 }), { maxLength: 3 }),
    );
    /** Mostly a valid value, now and then anything, and now and then missing. */
    const usually = <T>(valid: fc.Arbitrary<T>) =>
      fc.option(fc.oneof({ arbitrary: valid, weight: 24 }, { arbitrary: anything, weight: 1 }), {
        nil: undefined,
        freq: 40,
      });
    const count = usually(fc.nat({ max: 1e6 }));
    const mooncake = fc.record({
      timestamp: count,
      input_length: count,
      output_length: count,
      hash_ids: usually(fc.array(fc.nat({ max: 99 }), { maxLength: 4 })),
    });
    const list = fc.record({
      StartTimeOffset: count,
      ContextTokens: count,
      GeneratedTokens: count,
      RequestID: usually(fc.oneof(fc.string({ maxLength: 3 }), fc.nat())),
    });
    const lines = (record: fc.Arbitrary<unknown>) =>
      fc.array(fc.oneof({ arbitrary: record, weight: 30 }, anything), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(fc.oneof(lines(mooncake), lines(list)), (values) =>
        readWellFormed(values.map((v) => JSON.stringify(v)).join('\n'), 'x.jsonl'),
      ),
      { numRuns: 800, seed: 34 },
    );
  });

  test('a file read in chunks gives what its text gives, and #options are checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-prop-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const options = fc.oneof(
      fc.constantFrom('model=GPT-4', 'model=ChatGPT', 'model=', 'x=1', ''),
      fc.string(),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.tuple(fc.nat(), fc.nat({ max: 12 }), traceNoise),
        options,
        (name, [at, cut, insert], option) => {
          const text = mutate(fixtures[name], at, cut, insert);
          const path = join(dir, name);
          writeFileSync(path, text);
          const fromText = locatedOrValue(() => parseTrace(text, path));
          const fromFile = locatedOrValue(() => readTrace(path));
          assert.deepEqual(fromFile, fromText);
          const loaded = locatedOrValue(() => loadWorkload(`${path}#${option}`));
          if (loaded !== undefined) assertWellFormed(loaded);
        },
      ),
      { numRuns: 150, seed: 33 },
    );
  });
});
