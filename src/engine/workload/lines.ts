import { closeSync, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { ServeTuneError } from '../util/errors.js';
import { MAX_TRACE_FILE_BYTES, MAX_TRACE_LINE_CHARS } from './limits.js';

/** Receives one line (without its line break) and its 1-based number. */
export type LineSink = (text: string, line: number) => void;

const CHUNK_BYTES = 1 << 20;

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(bytes < 1024 ** 2 ? 2 : 0)} MiB`;
}

function tooLong(file: string, line: number): ServeTuneError {
  return new ServeTuneError(
    `${file}:${line}: the line is longer than ${MAX_TRACE_LINE_CHARS.toLocaleString('en-US')} characters; a trace has one request per line`,
    'invalid-config',
    `${file}:${line}`,
  );
}

/**
 * Splits text into lines (LF or CRLF) for a sink, carrying an unfinished last line between calls: the
 * one splitter behind both whole strings and files read a chunk at a time.
 */
class LineSplitter {
  private partial = '';
  private line = 0;

  constructor(
    private readonly file: string,
    private readonly sink: LineSink,
  ) {}

  push(text: string): void {
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      const piece = text.slice(start, end);
      const whole = this.partial === '' ? piece : this.partial + piece;
      this.partial = '';
      this.emit(whole.endsWith('\r') ? whole.slice(0, -1) : whole);
      start = end + 1;
    }
    if (start < text.length) {
      if (this.partial.length + text.length - start > MAX_TRACE_LINE_CHARS)
        throw tooLong(this.file, this.line + 1);
      this.partial += text.slice(start);
    }
  }

  end(): void {
    if (this.partial !== '')
      this.emit(this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial);
    this.partial = '';
  }

  private emit(line: string): void {
    this.line++;
    // A byte-order mark (Windows editors write one) is no part of the first line's header or JSON.
    const text = this.line === 1 && line.startsWith('\uFEFF') ? line.slice(1) : line;
    if (text.length > MAX_TRACE_LINE_CHARS) throw tooLong(this.file, this.line);
    this.sink(text, this.line);
  }
}

/** Every line of a string, in order. */
export function forEachLineOfText(text: string, file: string, sink: LineSink): void {
  const splitter = new LineSplitter(file, sink);
  splitter.push(text);
  splitter.end();
}

function notRegular(file: string, stat: Stats): ServeTuneError {
  return new ServeTuneError(
    `${file}: not a regular file (${stat.isDirectory() ? 'a directory' : 'a device, pipe or socket'})`,
    'io',
    file,
  );
}

/**
 * A trace file opened for reading, refused unless it is a regular file: checked before opening too, as
 * opening a named pipe no program writes to waits for ever (the run, or the editor's worker, hung).
 */
export function openRegularFile(file: string): number {
  let fd: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw notRegular(file, stat);
    fd = openSync(file, 'r');
  } catch (error) {
    if (error instanceof ServeTuneError) throw error;
    throw new ServeTuneError(`Cannot read ${file}: ${(error as Error).message}`, 'io', file);
  }
  // The path may have changed between the two looks: the file opened is the one judged.
  const stat = fstatSync(fd);
  if (stat.isFile()) return fd;
  closeSync(fd);
  throw notRegular(file, stat);
}

/**
 * Every line of a file, read a fixed-size chunk at a time (never the whole file as one string), after
 * checking that it is a regular file no larger than MAX_TRACE_FILE_BYTES.
 */
export function forEachLineOfFile(file: string, sink: LineSink): void {
  const fd = openRegularFile(file);
  try {
    const stat = fstatSync(fd);
    if (stat.size > MAX_TRACE_FILE_BYTES) {
      throw new ServeTuneError(
        `${file}: ${mib(stat.size)} is larger than the ${mib(MAX_TRACE_FILE_BYTES)} a trace may be; cut it into parts (e.g. with split -l) and load one`,
        'invalid-config',
        file,
      );
    }
    const splitter = new LineSplitter(file, sink);
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.alloc(CHUNK_BYTES);
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      } catch (error) {
        throw new ServeTuneError(`Cannot read ${file}: ${(error as Error).message}`, 'io', file);
      }
      if (read === 0) break;
      splitter.push(decoder.write(buffer.subarray(0, read)));
    }
    splitter.push(decoder.end());
    splitter.end();
  } finally {
    closeSync(fd);
  }
}
