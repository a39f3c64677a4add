import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { ServeTuneError } from '../../engine/util/errors.js';
import { loadWorkload } from '../../engine/workload/load.js';
import { summarizeWorkload } from '../../engine/workload/summary.js';
import { detectTraceFormat } from '../../engine/workload/traces.js';
import type { Handler } from '../handlers.js';

function head(file: string, bytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read).toString('utf8');
  } catch (error) {
    throw new ServeTuneError(`Cannot read ${file}: ${(error as Error).message}`, 'io', file);
  } finally {
    closeSync(fd);
  }
}

/** Reads a whole trace (every line validated: errors name the file, line and field) and summarizes it. */
export const importTraceHandler: Handler<'importTrace'> = (params) => {
  if (!existsSync(params.file)) {
    throw new ServeTuneError(`${params.file}: no such file`, 'io', params.file);
  }
  const format = detectTraceFormat(head(params.file, 4096), params.file);
  const workload = loadWorkload(params.file);
  if (workload.requests.length === 0) {
    throw new ServeTuneError(`${params.file}: the trace has no requests`, 'invalid-config', params.file);
  }
  return { file: params.file, format, summary: summarizeWorkload(workload) };
};
