import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { detectTraceFormatOfFile, parseTrace, readTrace } from '../../../../src/engine/workload/traces.js';

const dir = mkdtempSync(join(tmpdir(), 'servetune-trace-encodings-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const BOM = '\uFEFF';
const MOONCAKE =
  '{"timestamp": 0, "input_length": 100, "output_length": 10}\r\n{"timestamp": 5, "input_length": 7, "output_length": 1}\r\n';

describe('trace files as other tools save them', () => {
  it('reads a JSONL trace that opens with a byte-order mark, as a CSV one already was', () => {
    // JSON.parse refused the mark: "mc.jsonl:1: not valid JSON (Unexpected token '﻿' …)".
    const workload = readTrace(file('bom.jsonl', `${BOM}${MOONCAKE}`));
    assert.deepEqual(
      workload.requests.map((r) => [r.arrival, r.promptTokens]),
      [
        [0, 100],
        [0.005, 7],
      ],
    );
    assert.equal(parseTrace(`${BOM}${MOONCAKE}`, 'text.jsonl').requests.length, 2);
  });

  it('reads a CSV header that quotes its column names (R write.csv, spreadsheet exports)', () => {
    const azure = '"TIMESTAMP","ContextTokens","GeneratedTokens"\n2023-11-16 18:15:46,100,20\n';
    assert.equal(readTrace(file('quoted.csv', azure)).requests[0].promptTokens, 100);
    assert.equal(detectTraceFormatOfFile(file('quoted2.csv', azure)), 'azure');
    const burst =
      '"Timestamp","Model","Request tokens","Response tokens","Total tokens","Log Type"\n5,GPT-4,10,2,12,x\n';
    assert.equal(readTrace(file('burst.csv', burst)).requests[0].model, 'GPT-4');
  });

  it('says a UTF-16 file is not UTF-8, rather than only listing the formats', () => {
    const utf16 = Buffer.from(
      `\uFEFFTIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:15:46,100,20\r\n`,
      'utf16le',
    );
    const path = file('utf16.csv', utf16);
    for (const read of [() => readTrace(path), () => detectTraceFormatOfFile(path)]) {
      assert.throws(read, (e: unknown) => {
        assert.ok(isServeTuneError(e));
        assert.equal(e.where, `${path}:1`);
        assert.match(e.message, /not UTF-8 text .*UTF-16.*save the trace as UTF-8/);
        return true;
      });
    }
  });

  it('shows a number past a double’s range as such, not as the null JSON.stringify writes for it', () => {
    const line = '{"StartTimeOffset": 1e400, "ContextTokens": 100, "GeneratedTokens": 10}\n';
    assert.throws(
      () => parseTrace(line, 'list.jsonl'),
      (e: unknown) =>
        isServeTuneError(e) &&
        e.where === 'list.jsonl:1:StartTimeOffset' &&
        /got a number past a double’s range/.test(e.message) &&
        !/null/.test(e.message),
    );
  });

  it('refuses a named pipe without opening it, which waited for a writer for ever', {
    skip: process.platform === 'win32' && 'no mkfifo',
  }, () => {
    const fifo = join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    for (const read of [() => readTrace(fifo), () => detectTraceFormatOfFile(fifo)]) {
      assert.throws(
        read,
        (e: unknown) =>
          isServeTuneError(e) && /pipe\.csv: not a regular file \(a device, pipe or socket\)/.test(e.message),
      );
    }
  });
});
