import { ServeTuneError } from '../util/errors.js';
import { fieldError, shown } from './fields.js';
import { forEachLineOfFile } from './lines.js';
import { createTraceReader, type TraceReader } from './traces.js';

const LENGTH = /^\d+(\.\d+)?$/;

/**
 * The lengths `empirical(@file)` draws from, read a line at a time: a file of one number per line (its
 * first non-blank line a number), or else a trace file's prompt (or output) lengths. Zero lengths are
 * left out (a trace's failed requests); a file with no positive length is an error.
 */
export function readLengthsFile(file: string, column: 'prompt' | 'output'): number[] {
  const values: number[] = [];
  let trace: TraceReader | undefined;
  let numbers = false;
  forEachLineOfFile(file, (text, line) => {
    if (trace !== undefined) return trace.line(text, line);
    const value = text.trim();
    if (value === '') return;
    if (!numbers && !LENGTH.test(value)) {
      trace = createTraceReader(file);
      return trace.line(text, line);
    }
    numbers = true;
    const n = LENGTH.test(value) ? Number(value) : Number.NaN;
    if (!Number.isFinite(n)) {
      throw fieldError(
        { file, line },
        'length',
        `must be a length in tokens written in decimal digits (a file of lengths holds one per line), got ${shown(text)}`,
      );
    }
    if (n > 0) values.push(n);
  });
  if (trace !== undefined) {
    for (const r of trace.finish().requests) {
      const n = column === 'prompt' ? r.promptTokens : r.outputTokens;
      if (n > 0) values.push(n);
    }
  }
  if (values.length === 0) {
    const what = numbers ? 'holds no positive length' : 'is empty';
    throw new ServeTuneError(`${file}: the file ${what}`, 'invalid-config', file);
  }
  return values;
}
