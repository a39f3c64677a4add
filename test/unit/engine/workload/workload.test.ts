import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { generateWorkload, parseWorkloadSpec } from '../../../../src/engine/workload/spec.js';
import { parseTrace } from '../../../../src/engine/workload/traces.js';
import { arrivalRate, scaleToRate } from '../../../../src/engine/workload/transform.js';

const errorAt = (where: string) => (e: unknown) => isServeTuneError(e) && e.where === where;

describe('workload spec', () => {
  it('parses the documented example', () => {
    const w = parseWorkloadSpec('poisson:rate=4,prompt=lognormal(1024,0.8),output=fixed(256),n=1000');
    assert.equal(w.arrival, 'poisson');
    assert.equal(w.rate, 4);
    assert.deepEqual(w.prompt, { kind: 'lognormal', median: 1024, sigma: 0.8 });
    assert.deepEqual(w.output, { kind: 'fixed', value: 256 });
    assert.equal(w.count, 1000);
  });

  it('generates the same requests for the same seed, and the asked rate on average', () => {
    const spec = parseWorkloadSpec('poisson:rate=10,prompt=uniform(10,20),output=empirical(5;7;9),n=5000');
    const a = generateWorkload(spec, 7);
    const b = generateWorkload(spec, 7);
    const c = generateWorkload(spec, 8);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.requests.slice(0, 10), c.requests.slice(0, 10));
    assert.ok(Math.abs(arrivalRate(a) - 10) < 0.5);
    for (const r of a.requests) {
      assert.ok(r.promptTokens >= 10 && r.promptTokens <= 20);
      assert.ok([5, 7, 9].includes(r.outputTokens));
    }
  });

  it('gamma arrivals with cv > 1 are burstier than Poisson', () => {
    const gaps = (spec: string) => {
      const r = generateWorkload(parseWorkloadSpec(spec), 3).requests;
      const d = r.slice(1).map((x, i) => x.arrival - r[i].arrival);
      const mean = d.reduce((s, x) => s + x, 0) / d.length;
      return Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / d.length) / mean;
    };
    assert.ok(gaps('gamma:rate=5,cv=3,n=20000') > 2.5);
    assert.ok(Math.abs(gaps('poisson:rate=5,n=20000') - 1) < 0.05);
  });

  it('explains what is wrong with a bad spec', () => {
    assert.throws(() => parseWorkloadSpec('poisson:prompt=fixed(10)'), /rate= is required/);
    assert.throws(() => parseWorkloadSpec('poisson:rate=2,prompt=zipf(3)'), /unknown distribution 'zipf'/);
    assert.throws(() => parseWorkloadSpec('poisson:rate=2,colour=blue'), /unknown key 'colour'/);
  });

  it('scales a trace to a target rate, keeping its shape', () => {
    const w = generateWorkload(parseWorkloadSpec('gamma:rate=2,cv=2,n=300'), 1);
    const scaled = scaleToRate(w, 8);
    assert.ok(Math.abs(arrivalRate(scaled) - 8) < 1e-9);
    assert.ok(Math.abs(scaled.requests[10].arrival / w.requests[10].arrival - arrivalRate(w) / 8) < 1e-12);
  });
});

describe('trace readers', () => {
  it('reads Azure CSV with times relative to the first request', () => {
    const w = parseTrace(
      'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.5000000,374,44\n2023-11-16 18:15:48.2500000,396,109\n',
      'azure.csv',
    );
    assert.deepEqual(w.requests, [
      { arrival: 0, promptTokens: 374, outputTokens: 44 },
      { arrival: 1.75, promptTokens: 396, outputTokens: 109 },
    ]);
  });

  it('reads BurstGPT CSV and skips failed requests', () => {
    const w = parseTrace(
      'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n5,ChatGPT,472,18,490,Conversation log\n6,GPT-4,1000,0,1000,Conversation log\n7.5,ChatGPT,100,50,150,API log\n',
      'burst.csv',
    );
    assert.equal(w.requests.length, 2);
    assert.deepEqual(w.requests[1], { arrival: 2.5, promptTokens: 100, outputTokens: 50, model: 'ChatGPT' });
  });

  it('reads Mooncake JSONL with hash ids (ms timestamps)', () => {
    const w = parseTrace(
      '{"timestamp": 0, "input_length": 1000, "output_length": 5, "hash_ids": [0, 1]}\n{"timestamp": 1500, "input_length": 600, "output_length": 7, "hash_ids": [0, 2]}\n',
      'mc.jsonl',
    );
    assert.equal(w.requests[1].arrival, 1.5);
    assert.deepEqual(w.requests[1].hashIds, [0, 2]);
    assert.equal(w.hashBlockTokens, 512);
  });

  it('reads request-list JSONL (ns offsets)', () => {
    const w = parseTrace(
      '{"StartTimeOffset": 2000000000, "ContextTokens": 10, "GeneratedTokens": 3, "RequestID": "b"}\n{"StartTimeOffset": 500000000, "ContextTokens": 20, "GeneratedTokens": 4}\n',
      'list.jsonl',
    );
    assert.deepEqual(
      w.requests.map((r) => [r.arrival, r.promptTokens]),
      [
        [0, 20],
        [1.5, 10],
      ],
    );
  });

  it('names the file, line and field of a malformed entry', () => {
    assert.throws(
      () =>
        parseTrace(
          'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.5,374,44\n2023-11-16 18:15:47.5,abc,44\n',
          'a.csv',
        ),
      errorAt('a.csv:3:ContextTokens'),
    );
    assert.throws(
      () => parseTrace('TIMESTAMP,ContextTokens,GeneratedTokens\nyesterday,374,44\n', 'a.csv'),
      errorAt('a.csv:2:TIMESTAMP'),
    );
    assert.throws(
      () =>
        parseTrace(
          '{"timestamp": 0, "input_length": 10, "output_length": 5}\n{"timestamp": 1, "input_length": -3, "output_length": 5}\n',
          'm.jsonl',
        ),
      errorAt('m.jsonl:2:input_length'),
    );
    assert.throws(
      () =>
        parseTrace(
          '{"StartTimeOffset": 0, "ContextTokens": 10, "GeneratedTokens": 3}\n{"StartTimeOffset": 1,\n',
          'l.jsonl',
        ),
      errorAt('l.jsonl:2'),
    );
    assert.throws(
      () => parseTrace('TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.5,374\n', 'a.csv'),
      errorAt('a.csv:2'),
    );
  });

  it('loads a trace file, or a spec, with rate scaling and limits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-'));
    const file = join(dir, 'trace.jsonl');
    writeFileSync(
      file,
      Array.from({ length: 11 }, (_, i) =>
        JSON.stringify({ StartTimeOffset: i * 1e9, ContextTokens: 10, GeneratedTokens: 2 }),
      ).join('\n'),
    );
    assert.equal(loadWorkload(file).requests.length, 11);
    const fast = loadWorkload(file, { rate: 10 });
    assert.ok(Math.abs(fast.requests[10].arrival - 1) < 1e-12);
    assert.equal(loadWorkload(file, { durationSeconds: 5 }).requests.length, 5);
    assert.equal(loadWorkload('constant:rate=2,n=10', { count: 4 }).requests.length, 4);
    // A later part on its own: the same requests, spaced as before, the first at 0.
    const whole = loadWorkload('poisson:rate=5,n=30,prompt=uniform(10,90)', { seed: 3 });
    const part = loadWorkload('poisson:rate=5,n=30,prompt=uniform(10,90)', { seed: 3, skip: 10, count: 5 });
    assert.equal(part.requests.length, 5);
    assert.equal(part.requests[0].arrival, 0);
    for (const [i, r] of part.requests.entries()) {
      const same = whole.requests[10 + i];
      assert.equal(r.promptTokens, same.promptTokens);
      assert.ok(Math.abs(r.arrival - (same.arrival - whole.requests[10].arrival)) < 1e-12);
    }
    assert.throws(() => loadWorkload(join(dir, 'missing.csv')), /neither a file nor a workload spec/);
  });

  it('a spec that sets no length is as long as asked for, the same requests however long', () => {
    const spec = 'poisson:rate=40,prompt=uniform(16,96),output=uniform(8,40)';
    assert.equal(loadWorkload(spec).requests.length, 1000, 'asked for nothing: the default length');
    const long = loadWorkload(spec, { seed: 5, count: 1600 });
    assert.equal(long.requests.length, 1600);
    // Its last block, loaded on its own, is the same requests (as validate and bench --skip load them).
    const tail = loadWorkload(spec, { seed: 5, skip: 1590, count: 10 });
    assert.deepEqual(
      tail.requests.map((r) => [r.promptTokens, r.outputTokens]),
      long.requests.slice(1590).map((r) => [r.promptTokens, r.outputTokens]),
    );
    // A duration: every request arriving in it, not the default 1000 (25 s at 40/s).
    const minute = loadWorkload(spec, { seed: 5, durationSeconds: 60 });
    assert.ok(minute.requests.length > 2000, `${minute.requests.length} requests in 60 s at 40/s`);
    assert.ok(minute.requests.at(-1)!.arrival < 60);
    // A spec's own length still bounds it.
    assert.equal(loadWorkload(`${spec},n=50`, { count: 1600 }).requests.length, 50);
  });
});
