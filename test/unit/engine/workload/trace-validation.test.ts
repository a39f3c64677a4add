import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { summarizeWorkload } from '../../../../src/engine/workload/summary.js';
import { parseTrace, readTrace } from '../../../../src/engine/workload/traces.js';
import { arrivalRate, scaleToRate } from '../../../../src/engine/workload/transform.js';

/** A ServeTuneError located at `where`, whose message matches `message`. */
const errorAt = (where: string, message?: RegExp) => (e: unknown) => {
  assert.ok(isServeTuneError(e), `expected a ServeTuneError, got ${String(e)}`);
  assert.equal(e.where, where, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

const dir = mkdtempSync(join(tmpdir(), 'servetune-traces-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const AZURE = 'TIMESTAMP,ContextTokens,GeneratedTokens\n';
const BURST = 'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n';

describe('trace timestamps', () => {
  it('refuses Azure dates and times no calendar has, naming file, line and field', () => {
    for (const bad of [
      '2023-13-45 99:99:99',
      '2023-02-29 10:00:00',
      '2023-04-31 10:00:00',
      '2023-11-16 24:00:00',
      '2023-11-16 18:60:00',
      '2023-11-16 18:15:61',
      '2023-00-10 10:00:00',
    ]) {
      assert.throws(
        () => parseTrace(`${AZURE}2023-11-16 18:15:46,10,1\n${bad},10,1\n`, 'a.csv'),
        errorAt('a.csv:3:TIMESTAMP', /UTC time/),
        bad,
      );
    }
  });

  it('accepts leap days and the last second of a day', () => {
    const w = parseTrace(`${AZURE}2024-02-29 23:59:59.5,10,1\n2024-03-01 00:00:00.25,10,1\n`, 'a.csv');
    assert.deepEqual(
      w.requests.map((r) => r.arrival),
      [0, 0.75],
    );
  });

  it('refuses BurstGPT times that are not plain decimal seconds', () => {
    for (const bad of ['0x10', '1e3', '-4', 'Infinity']) {
      assert.throws(
        () => parseTrace(`${BURST}5,ChatGPT,10,10,20,x\n${bad},ChatGPT,10,10,20,x\n`, 'b.csv'),
        errorAt('b.csv:3:Timestamp'),
        bad,
      );
    }
  });

  it('refuses arrivals spread over more than ten years', () => {
    assert.throws(
      () =>
        parseTrace(
          '{"StartTimeOffset": 0, "ContextTokens": 10, "GeneratedTokens": 3}\n{"StartTimeOffset": 4e17, "ContextTokens": 10, "GeneratedTokens": 3}\n',
          'l.jsonl',
        ),
      errorAt('l.jsonl:2', /more than the 3,650 days/),
    );
  });
});

describe('trace token counts', () => {
  it('refuses hex, fractional, signed and exponent counts in CSV, naming file, line and column', () => {
    for (const bad of ['0x100', '100.7', '+5', '1e3', ' ', '-3', '99999999999999999999']) {
      assert.throws(
        () => parseTrace(`${AZURE}2023-11-16 18:15:46,100,1\n2023-11-16 18:15:47,${bad},1\n`, 'a.csv'),
        errorAt('a.csv:3:ContextTokens', /whole number of tokens/),
        `Azure ${bad}`,
      );
      assert.throws(
        () => parseTrace(`${AZURE}2023-11-16 18:15:46,100,${bad}\n`, 'a.csv'),
        errorAt('a.csv:2:GeneratedTokens'),
        `Azure output ${bad}`,
      );
      assert.throws(
        () => parseTrace(`${BURST}5,ChatGPT,${bad},10,20,x\n`, 'b.csv'),
        errorAt('b.csv:2:Request tokens'),
        `BurstGPT ${bad}`,
      );
      assert.throws(
        () => parseTrace(`${BURST}5,ChatGPT,10,${bad},20,x\n`, 'b.csv'),
        errorAt('b.csv:2:Response tokens'),
        `BurstGPT response ${bad}`,
      );
    }
  });

  it("reads a request's speculative acceptance from JSONL, and refuses one outside 0 to 1", () => {
    const { requests } = parseTrace(
      '{"timestamp": 0, "input_length": 10, "output_length": 5, "acceptance": 0.4}\n{"timestamp": 1, "input_length": 10, "output_length": 5}\n',
      'm.jsonl',
    );
    assert.equal(requests[0].acceptance, 0.4);
    assert.equal(requests[1].acceptance, undefined);
    assert.throws(
      () =>
        parseTrace('{"timestamp": 0, "input_length": 10, "output_length": 5, "acceptance": 2}\n', 'm.jsonl'),
      errorAt('m.jsonl:1:acceptance', /acceptance rate from 0 to 1/),
    );
  });

  it('refuses fractional, negative, string and oversized counts in JSONL', () => {
    for (const bad of ['100.7', '-1', '"100"', '1e12', 'null']) {
      assert.throws(
        () => parseTrace(`{"timestamp": 0, "input_length": ${bad}, "output_length": 5}\n`, 'm.jsonl'),
        errorAt('m.jsonl:1:input_length', /whole number of tokens/),
        `Mooncake ${bad}`,
      );
      assert.throws(
        () =>
          parseTrace(
            `{"StartTimeOffset": 0, "ContextTokens": 10, "GeneratedTokens": 3}\n{"StartTimeOffset": 1, "ContextTokens": 10, "GeneratedTokens": ${bad}}\n`,
            'l.jsonl',
          ),
        errorAt('l.jsonl:2:GeneratedTokens'),
        `request list ${bad}`,
      );
    }
  });

  it('names a missing JSONL field and refuses a line that is not an object', () => {
    assert.throws(
      () => parseTrace('{"timestamp": 0, "input_length": 10}\n', 'm.jsonl'),
      errorAt('m.jsonl:1:output_length', /missing/),
    );
    assert.throws(
      () => parseTrace('{"timestamp": 0, "input_length": 10, "output_length": 1}\n[1, 2]\n', 'm.jsonl'),
      errorAt('m.jsonl:2', /JSON object/),
    );
  });
});

describe('traces arriving all at once, and empty ones', () => {
  const burst = `${AZURE}2023-11-16 18:15:46,100,10\n2023-11-16 18:15:46,200,20\n2023-11-16 18:15:46,300,30\n`;

  it('reads a burst at one instant: no rate, nothing divided by its zero span', () => {
    const w = parseTrace(burst, 'burst.csv');
    assert.deepEqual(
      w.requests.map((r) => [r.arrival, r.promptTokens]),
      [
        [0, 100],
        [0, 200],
        [0, 300],
      ],
    );
    assert.equal(arrivalRate(w), 0);
    const summary = summarizeWorkload(w);
    assert.equal(summary.ratePerSecond, null);
    assert.equal(summary.durationSeconds, 0);
  });

  it('refuses to scale a burst to a rate, at --rate, instead of passing it off as any rate', () => {
    const path = file('burst.csv', burst);
    assert.throws(() => scaleToRate(parseTrace(burst, 'burst.csv'), 4), errorAt('--rate', /same instant/));
    assert.throws(() => loadWorkload(path, { rate: 4 }), errorAt('--rate', /same instant/));
    assert.equal(loadWorkload(path).requests.length, 3);
  });

  it('an empty trace is an error naming the file', () => {
    assert.throws(() => parseTrace('', 'none.csv'), errorAt('none.csv', /the file is empty/));
    assert.throws(() => parseTrace('\n\n  \n', 'none.csv'), errorAt('none.csv', /the file is empty/));
    assert.throws(() => parseTrace(AZURE, 'a.csv'), errorAt('a.csv', /no requests/));
    assert.throws(
      () => loadWorkload(file('header.csv', AZURE)),
      errorAt(join(dir, 'header.csv'), /no requests/),
    );
    assert.throws(() => readTrace(file('empty.jsonl', '')), errorAt(join(dir, 'empty.jsonl'), /empty/));
    assert.throws(
      () => parseTrace(`${BURST}5,ChatGPT,10,0,10,x\n6,GPT-4,0,5,5,x\n`, 'b.csv'),
      errorAt('b.csv', /all 2 rows are failed requests/),
    );
  });
});

describe('large trace files', () => {
  it('refuses a file over 1 GiB before reading it', () => {
    const path = file('huge.csv', AZURE);
    truncateSync(path, 1024 ** 3 + 1); // sparse: no disk or memory spent
    assert.throws(() => loadWorkload(path), errorAt(path, /larger than the 1024 MiB/));
  });

  it('refuses a line longer than 1 MiB, naming it', () => {
    const path = file('long.csv', `${AZURE}2023-11-16 18:15:46,100,1\n${'9'.repeat(1024 ** 2 + 10)}\n`);
    assert.throws(() => readTrace(path), errorAt(`${path}:3`, /longer than/));
  });

  it('reads a file in chunks the same as the whole text, lines and characters split across chunks', () => {
    const rows = [BURST];
    // Long model names put characters of several UTF-8 bytes across the 1 MiB chunk boundaries.
    for (let i = 0, chars = 0; chars < 3.2 * 1024 ** 2; i++) {
      rows.push(`${i},modèle-é€${'ü'.repeat(i % 3000)},${10 + (i % 7)},${1 + (i % 5)},0,x\r\n`);
      chars += rows[rows.length - 1].length;
    }
    const text = rows.join('');
    const path = file('chunks.csv', text);
    const streamed = readTrace(path);
    assert.deepEqual(streamed.requests, parseTrace(text, path).requests);
    assert.equal(streamed.requests.length, rows.length - 1);
    assert.equal(streamed.requests.at(-1)!.model, `modèle-é€${'ü'.repeat((rows.length - 2) % 3000)}`);
  });
});
