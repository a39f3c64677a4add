import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { generateWorkload, parseWorkloadSpec } from '../../../../src/engine/workload/spec.js';

const errorAt = (where: string, message: RegExp) => (e: unknown) => {
  assert.ok(isServeTuneError(e), `expected a ServeTuneError, got ${String(e)}`);
  assert.equal(e.where, where, e.message);
  assert.match(e.message, message);
  return true;
};

const dir = mkdtempSync(join(tmpdir(), 'servetune-spec-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('empirical(@file)', () => {
  it('a folder is an error naming the path and the spec, not EISDIR', () => {
    const folder = join(dir, 'lengths');
    mkdirSync(folder);
    const spec = `poisson:rate=2,prompt=empirical(@${folder})`;
    assert.throws(
      () => parseWorkloadSpec(spec),
      errorAt(
        folder,
        new RegExp(`spec '${spec.replace(/[()]/g, '\\$&')}'.*not a regular file \\(a directory\\)`),
      ),
    );
  });

  it('a missing or empty file, and a bad line, are located errors', () => {
    const missing = join(dir, 'missing.txt');
    assert.throws(
      () => parseWorkloadSpec(`poisson:rate=2,output=empirical(@${missing})`),
      errorAt(missing, /output=empirical.*Cannot read/),
    );
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '\n');
    assert.throws(
      () => parseWorkloadSpec(`poisson:rate=2,prompt=empirical(@${empty})`),
      errorAt(empty, /empty/),
    );
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '100\n200\n0x300\n');
    assert.throws(
      () => parseWorkloadSpec(`poisson:rate=2,prompt=empirical(@${bad})`),
      errorAt(`${bad}:3:length`, /decimal digits/),
    );
  });

  it('reads one length per line, or a trace file', () => {
    const numbers = join(dir, 'numbers.txt');
    writeFileSync(numbers, '100\n\n0\n250.5\n');
    assert.deepEqual(parseWorkloadSpec(`poisson:rate=2,prompt=empirical(@${numbers})`).prompt, {
      kind: 'empirical',
      values: [100, 250.5],
    });
    const trace = join(dir, 'trace.csv');
    writeFileSync(
      trace,
      'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,374,44\n2023-11-16 18:15:47,396,0\n',
    );
    const w = parseWorkloadSpec(`poisson:rate=2,prompt=empirical(@${trace}),output=empirical(@${trace})`);
    assert.deepEqual(w.prompt, { kind: 'empirical', values: [374, 396] });
    assert.deepEqual(w.output, { kind: 'empirical', values: [44] });
  });
});

describe('how many requests a spec generates', () => {
  it('refuses n beyond 10 million with the limit in the message', () => {
    for (const n of ['1e8', '10000001']) {
      assert.throws(
        () => parseWorkloadSpec(`poisson:rate=4,n=${n}`),
        errorAt('--workload', /more than the 10,000,000 requests/),
      );
    }
    assert.equal(parseWorkloadSpec('poisson:rate=4,n=1e7').count, 10_000_000);
    assert.throws(() => parseWorkloadSpec('poisson:rate=4,n=2.5'), errorAt('--workload', /whole number/));
  });

  it('draws only the requests asked for: n=1e7 with a count of 10 draws 10', () => {
    const start = performance.now();
    const w = loadWorkload('poisson:rate=4,n=1e7', { count: 10 });
    const ms = performance.now() - start;
    assert.equal(w.requests.length, 10);
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms: drew far more than 10 requests`);
    // The same first requests as drawing the whole spec would give.
    assert.deepEqual(
      w.requests,
      generateWorkload(parseWorkloadSpec('poisson:rate=4,n=20'), 0).requests.slice(0, 10),
    );
    const skipped = loadWorkload('poisson:rate=4,n=1e7', { skip: 5, count: 3 });
    assert.equal(skipped.requests.length, 3);
  });

  it('draws a long duration only as far as the duration asked for', () => {
    const w = loadWorkload('poisson:rate=100,duration=1e6', { durationSeconds: 2 });
    assert.ok(w.requests.length > 100 && w.requests.length < 300, `${w.requests.length}`);
    assert.ok(w.requests.at(-1)!.arrival < 2);
  });

  it('refuses a rate and duration that would generate more than the limit, or arrivals past ten years', () => {
    assert.throws(
      () => loadWorkload('poisson:rate=1000,duration=1e9'),
      errorAt('--workload', /more than the 10,000,000 requests/),
    );
    assert.throws(() => loadWorkload('constant:rate=1e-8,n=10'), errorAt('--workload', /10 years/));
  });

  it('refuses out-of-range parameters in the spec words', () => {
    assert.throws(
      () => parseWorkloadSpec('poisson:rate=0x10'),
      errorAt('--workload', /rate must be a decimal number/),
    );
    assert.throws(() => parseWorkloadSpec('gamma:rate=1,cv=1e6'), errorAt('--workload', /cv: Too big/));
    assert.throws(() => parseWorkloadSpec('poisson:rate=1,max=1e9'), errorAt('--workload', /max: Too big/));
    assert.throws(() => loadWorkload('poisson:rate=1,n=5', { rate: -1 }), errorAt('--rate', /positive/));
  });

  it('refuses a lognormal whose median, or an empirical whose every value, is past max=', () => {
    // lognormal(1e308,5) ran with every prompt cut to max=32768: not the workload the spec names.
    assert.throws(
      () => parseWorkloadSpec('poisson:rate=1,n=5,prompt=lognormal(1e308,5)'),
      errorAt('--workload', /prompt=lognormal\(1e\+308,5\) is longer than max=32768.*its median is/),
    );
    assert.throws(
      () => parseWorkloadSpec('poisson:rate=1,n=5,output=empirical(5000;7000),max=4096'),
      errorAt('--workload', /output=empirical\(5000;7000\) is longer than max=4096/),
    );
    // A median within the cap keeps its tail cut there, as uniform(A,B) with B past it does.
    assert.equal(parseWorkloadSpec('poisson:rate=1,prompt=lognormal(4000,2),max=4096').maxLength, 4096);
    assert.equal(parseWorkloadSpec('poisson:rate=1,prompt=empirical(10;5000),max=4096').maxLength, 4096);
  });

  it('quotes a long spec cut short, not whole, in its error', () => {
    const spec = `poisson:rate=1,n=5,class=${'x'.repeat(100_000)}`;
    assert.throws(
      () => parseWorkloadSpec(spec),
      (e: unknown) =>
        isServeTuneError(e) &&
        e.message.length < 2000 &&
        /x… \(100,025 characters\)': class: /.test(e.message),
    );
  });
});
