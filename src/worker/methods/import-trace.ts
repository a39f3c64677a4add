import { existsSync } from 'node:fs';
import { ServeTuneError } from '../../engine/util/errors.js';
import { loadWorkload } from '../../engine/workload/load.js';
import { summarizeWorkload } from '../../engine/workload/summary.js';
import { detectTraceFormatOfFile } from '../../engine/workload/traces.js';
import type { Handler } from '../handlers.js';

/** Reads a whole trace (every line validated: errors name the file, line and field) and summarizes it. */
export const importTraceHandler: Handler<'importTrace'> = (params) => {
  if (!existsSync(params.file)) {
    throw new ServeTuneError(`${params.file}: no such file`, 'io', params.file);
  }
  const format = detectTraceFormatOfFile(params.file);
  const workload = loadWorkload(params.file);
  if (workload.requests.length === 0) {
    throw new ServeTuneError(`${params.file}: the trace has no requests`, 'invalid-config', params.file);
  }
  return { file: params.file, format, summary: summarizeWorkload(workload) };
};
