import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { readBoundedLines } from '../../../src/worker/lines.js';

async function split(chunks: (string | Buffer)[], maxBytes: number) {
  const input = new PassThrough();
  const lines: string[] = [];
  const oversize: number[] = [];
  readBoundedLines(
    input,
    maxBytes,
    (line) => lines.push(line),
    (bytes) => oversize.push(bytes),
  );
  const ended = new Promise((resolve) => input.on('end', resolve));
  for (const chunk of chunks) input.write(chunk);
  input.end();
  await ended;
  return { lines, oversize };
}

test('lines split across chunks, CRLF ends and a last line without an end', async () => {
  const { lines, oversize } = await split(['{"a":', '1}\n{"b"', ':2}\r\n\n', 'tail'], 100);
  assert.deepEqual(lines, ['{"a":1}', '{"b":2}', '', 'tail']);
  assert.deepEqual(oversize, []);
});

test('an oversize line is skipped whole, reported, and the next line still read', async () => {
  const big = 'x'.repeat(50);
  const { lines, oversize } = await split(['ok\n', big.slice(0, 20), big.slice(20), '\nafter\n'], 30);
  assert.deepEqual(lines, ['ok', 'after']);
  assert.deepEqual(oversize, [50]);
});

test('a multi-byte character split between chunks is decoded whole', async () => {
  const bytes = Buffer.from('é€\n');
  const { lines } = await split([bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3)], 100);
  assert.deepEqual(lines, ['é€']);
});
