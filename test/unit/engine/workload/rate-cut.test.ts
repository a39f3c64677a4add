import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { arrivalRate } from '../../../../src/engine/workload/transform.js';

/** An Azure-format trace whose load changes: 100 requests 1 s apart, then 100 requests 0.1 s apart. */
function unevenTrace(): string {
  const start = Date.UTC(2023, 10, 16, 18, 0, 0);
  const lines = ['TIMESTAMP,ContextTokens,GeneratedTokens'];
  for (let i = 0; i < 200; i++) {
    const t = new Date(start + (i < 100 ? i * 1000 : 99_000 + (i - 99) * 100));
    lines.push(`${t.toISOString().replace('T', ' ').replace('Z', '')}0000,100,10`);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'servetune-rate-')), 'trace.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('--rate with a cut of a trace', () => {
  const file = unevenTrace();

  it('scales the requests kept by --requests to the rate asked', () => {
    const w = loadWorkload(file, { rate: 12, count: 100 });
    assert.equal(w.requests.length, 100);
    assert.ok(Math.abs(arrivalRate(w) - 12) < 1e-6, `offers ${arrivalRate(w)} req/s`);
    assert.match(w.source, /@ 12 req\/s$/);
  });

  it('scales the requests kept by --skip and --requests to the rate asked', () => {
    const w = loadWorkload(file, { rate: 12, skip: 50, count: 100 });
    assert.equal(w.requests.length, 100);
    assert.ok(Math.abs(arrivalRate(w) - 12) < 1e-6, `offers ${arrivalRate(w)} req/s`);
  });

  it('offers the rate asked over a --duration too', () => {
    const w = loadWorkload(file, { rate: 12, durationSeconds: 8 });
    assert.ok(w.requests.length > 10);
    assert.ok(Math.abs(arrivalRate(w) - 12) < 1e-6, `offers ${arrivalRate(w)} req/s`);
    assert.match(w.source, /@ 12 req\/s$/);
  });
});
