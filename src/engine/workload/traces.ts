import { closeSync, readSync } from 'node:fs';
import { splitCsvLine } from '../util/csv.js';
import { ServeTuneError } from '../util/errors.js';
import { TraceCollector } from './collector.js';
import { azureReader, burstGptReader } from './csv-traces.js';
import { mooncakeReader, requestListReader } from './jsonl-traces.js';
import { MAX_TRACE_LINE_CHARS } from './limits.js';
import { forEachLineOfFile, forEachLineOfText, type LineSink, openRegularFile } from './lines.js';
import { checkTraceFitsHeap } from './trace-memory.js';
import type { Workload } from './types.js';

export type TraceFormat = 'azure' | 'burstgpt' | 'mooncake' | 'request-list';

const READERS: Record<TraceFormat, (out: TraceCollector) => LineSink> = {
  azure: azureReader,
  burstgpt: burstGptReader,
  mooncake: mooncakeReader,
  'request-list': requestListReader,
};

function unknownFormat(file: string, line: number): ServeTuneError {
  return new ServeTuneError(
    `${file}:${line}: unknown trace format. Expected an Azure CSV (TIMESTAMP,ContextTokens,GeneratedTokens), a BurstGPT CSV (Timestamp,Model,Request tokens,Response tokens,…), a Mooncake JSONL (timestamp, input_length, output_length, hash_ids) or a request-list JSONL (StartTimeOffset, ContextTokens, GeneratedTokens).`,
    'invalid-config',
    `${file}:${line}`,
  );
}

/**
 * The format whose header (CSV) or first record (JSONL) this first non-blank line is, if any. A CSV
 * header may quote its names, as R's write.csv and spreadsheet exports do (`"TIMESTAMP","ContextTokens"`).
 */
function formatOfFirstLine(firstLine: string): TraceFormat | undefined {
  const line = firstLine.replace(/^\uFEFF/, '').trim();
  if (line.startsWith('{')) {
    if (line.includes('"StartTimeOffset"')) return 'request-list';
    if (line.includes('"input_length"')) return 'mooncake';
    return undefined;
  }
  const names = splitCsvLine(line).map((name) => name.trim());
  if (names[0] === 'TIMESTAMP') return 'azure';
  if (names[0] === 'Timestamp' && names.includes('Request tokens')) return 'burstgpt';
  return undefined;
}

/**
 * Why a first line is no trace: text with NUL characters is UTF-16 (what Windows PowerShell's `>`
 * writes) or binary, which the list of formats alone would not tell the user.
 */
function unknownFormatError(file: string, line: number, text: string): ServeTuneError {
  if (!text.includes('\u0000')) return unknownFormat(file, line);
  return new ServeTuneError(
    `${file}:${line}: not UTF-8 text (it holds NUL characters: UTF-16, as Windows PowerShell's > writes, or a binary file); save the trace as UTF-8`,
    'invalid-config',
    `${file}:${line}`,
  );
}

/** How much of a file's beginning is read to tell its format: a header, or one JSONL record. */
const FORMAT_HEAD_BYTES = 64 * 1024;

/** The format of a trace from its beginning (its first few KB are enough). */
export function detectTraceFormat(text: string, file: string): TraceFormat {
  const lines = text.slice(0, MAX_TRACE_LINE_CHARS).split(/\r?\n/);
  const index = lines.findIndex((l) => l.trim() !== '');
  if (index < 0) throw new ServeTuneError(`${file}: the file is empty`, 'invalid-config', file);
  const format = formatOfFirstLine(lines[index]);
  if (format === undefined) throw unknownFormatError(file, index + 1, lines[index]);
  return format;
}

/** The format of a trace file, from its first bytes (the file is not read further). */
export function detectTraceFormatOfFile(file: string): TraceFormat {
  const buffer = Buffer.alloc(FORMAT_HEAD_BYTES);
  let read: number;
  const fd = openRegularFile(file);
  try {
    read = readSync(fd, buffer, 0, FORMAT_HEAD_BYTES, 0);
  } catch (error) {
    throw new ServeTuneError(`Cannot read ${file}: ${(error as Error).message}`, 'io', file);
  } finally {
    closeSync(fd);
  }
  return detectTraceFormat(buffer.subarray(0, read).toString('utf8'), file);
}

/** Reads a trace one line at a time (see createTraceReader). */
export interface TraceReader {
  line: LineSink;
  /** The requests read: sorted by arrival, times in seconds from the first; an error where there are none. */
  finish(): Workload;
}

/**
 * A reader for the lines of one trace: the format from the first non-blank line unless given, every later
 * line validated (errors name the file, line and field).
 */
export function createTraceReader(file: string, format?: TraceFormat): TraceReader {
  const out = new TraceCollector(file);
  let reader: LineSink | undefined;
  return {
    line: (text, line) => {
      if (text.trim() === '') return;
      out.lines++;
      if (reader === undefined) {
        const chosen = format ?? formatOfFirstLine(text);
        if (chosen === undefined) throw unknownFormatError(file, line, text);
        reader = READERS[chosen](out);
      }
      reader(text, line);
    },
    finish: () => out.workload(),
  };
}

/** Parses a trace's text: requests sorted by arrival, times in seconds from the first request. */
export function parseTrace(text: string, file: string, format?: TraceFormat): Workload {
  const reader = createTraceReader(file, format);
  forEachLineOfText(text, file, reader.line);
  return reader.finish();
}

/**
 * Reads a trace file line by line (never the whole file as one string; files over MAX_TRACE_FILE_BYTES
 * are refused): requests sorted by arrival, times in seconds from the first request.
 */
export function readTrace(file: string, format?: TraceFormat): Workload {
  checkTraceFitsHeap(file);
  const reader = createTraceReader(file, format);
  forEachLineOfFile(file, reader.line);
  return reader.finish();
}
