import type { Readable } from 'node:stream';

/**
 * Splits a stream into lines, as readline does, but never holds more than `maxBytes` of one line: the
 * rest of an oversize line is skipped and `onOversize` told its size so far, so a client that sends a
 * line of gigabytes costs the worker nothing.
 */
export function readBoundedLines(
  input: Readable,
  maxBytes: number,
  onLine: (line: string) => void,
  onOversize: (bytes: number) => void,
): void {
  let parts: Buffer[] = [];
  let held = 0;
  let skipping = false;
  let skipped = 0;
  const take = (chunk: Buffer) => {
    if (skipping) {
      skipped += chunk.length;
      return;
    }
    if (held + chunk.length > maxBytes) {
      skipping = true;
      skipped = held + chunk.length;
      parts = [];
      held = 0;
      return;
    }
    parts.push(chunk);
    held += chunk.length;
  };
  input.on('data', (data: Buffer | string) => {
    let chunk = typeof data === 'string' ? Buffer.from(data) : data;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10)) {
      take(chunk.subarray(0, end));
      if (skipping) onOversize(skipped);
      else onLine(Buffer.concat(parts, held).toString('utf8').replace(/\r$/, ''));
      parts = [];
      held = 0;
      skipping = false;
      skipped = 0;
      chunk = chunk.subarray(end + 1);
    }
    if (chunk.length > 0) take(Buffer.from(chunk));
  });
  input.on('end', () => {
    if (skipping) onOversize(skipped);
    else if (held > 0) onLine(Buffer.concat(parts, held).toString('utf8'));
  });
}
