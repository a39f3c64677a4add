import { existsSync } from 'node:fs';
import { ServeTuneError } from '../util/errors.js';
import {
  generateWorkload,
  looksLikeWorkloadSpec,
  parseWorkloadSpec,
  type SyntheticWorkload,
} from './spec.js';
import { readTrace } from './traces.js';
import { scaleToRate, truncateWorkload } from './transform.js';
import type { Workload } from './types.js';

interface LoadWorkloadOptions {
  /** Scale arrival times to this mean rate (requests/s); for a spec, replaces its rate. */
  rate?: number;
  seed?: number;
  /** Keep the requests arriving in the first `durationSeconds` (after scaling). */
  durationSeconds?: number;
  /**
   * Drop the first `skip` requests (after `durationSeconds`), the rest moved earlier so that the first
   * kept one arrives at 0: a later part of a workload, replayed on its own.
   */
  skip?: number;
  /** Keep the first `count` requests (after `skip`). */
  count?: number;
}

/**
 * A spec that says neither how many requests (`n=`) nor for how long (`duration=`) is as long as the
 * options ask for; only where they ask for neither does it get the generator's default length.
 */
function lengthAskedFor(spec: SyntheticWorkload, options: LoadWorkloadOptions): void {
  if (spec.count !== undefined || spec.durationSeconds !== undefined) return;
  if (options.count !== undefined) spec.count = (options.skip ?? 0) + options.count;
  if (options.durationSeconds !== undefined) spec.durationSeconds = options.durationSeconds;
}

/** A workload from a spec string or a trace file (see spec.ts for the grammar, traces.ts for the formats). */
export function loadWorkload(specOrFile: string, options: LoadWorkloadOptions = {}): Workload {
  let workload: Workload;
  if (looksLikeWorkloadSpec(specOrFile)) {
    const spec = parseWorkloadSpec(specOrFile);
    if (options.rate !== undefined) spec.rate = options.rate;
    lengthAskedFor(spec, options);
    workload = generateWorkload(spec, options.seed ?? 0, specOrFile);
  } else if (existsSync(specOrFile)) {
    workload = readTrace(specOrFile);
    if (options.rate !== undefined) workload = scaleToRate(workload, options.rate);
  } else {
    throw new ServeTuneError(
      `--workload '${specOrFile}' is neither a file nor a workload spec (e.g. poisson:rate=4,prompt=lognormal(1024,0.8),output=fixed(256),n=1000)`,
      'invalid-argument',
      '--workload',
    );
  }
  if (options.durationSeconds !== undefined || options.count !== undefined || options.skip) {
    workload = truncateWorkload(workload, {
      seconds: options.durationSeconds,
      skip: options.skip,
      count: options.count,
    });
  }
  return workload;
}
