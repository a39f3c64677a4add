import { ServeTuneError } from '../util/errors.js';
import { generateWorkload } from './generate.js';
import { looksLikeWorkloadSpec, parseWorkloadMix, type SyntheticWorkload } from './spec.js';
import { applyTraceOptions, traceReference } from './trace-options.js';
import { readTrace } from './traces.js';
import { checkRate, scaleToRate, truncateWorkload } from './transform.js';
import type { Workload } from './types.js';

interface LoadWorkloadOptions {
  /** Scale arrival times to this mean rate (requests/s); for a spec, replaces its rate. */
  rate?: number;
  seed?: number;
  /**
   * Keep the requests arriving in the first `durationSeconds` (with `rate`, of the trace scaled to it;
   * what is kept is then scaled to `rate` itself).
   */
  durationSeconds?: number;
  /**
   * Drop the first `skip` requests (after `durationSeconds`), the rest moved earlier so that the first
   * kept one arrives at 0: a later part of a workload, replayed on its own.
   */
  skip?: number;
  /** Keep the first `count` requests (after `skip`). */
  count?: number;
}

const smaller = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/**
 * A spec is drawn only as far as the options keep: `skip` + `count` requests and `durationSeconds` of
 * arrivals at most (its first requests are the same however many are drawn, so `n=1e6` with a count of 10
 * draws 10). A spec that says neither how many (`n=`) nor for how long (`duration=`) is as long as the
 * options ask for; only where they ask for neither does it get the generator's default length.
 */
function lengthAskedFor(spec: SyntheticWorkload, options: LoadWorkloadOptions): void {
  const count = options.count === undefined ? undefined : (options.skip ?? 0) + options.count;
  spec.count = smaller(spec.count, count);
  spec.durationSeconds = smaller(spec.durationSeconds, options.durationSeconds);
}

/**
 * A trace cut first and the part kept scaled to `rate`: a trace's load changes over its span, so scaling
 * the whole trace and cutting it would offer the cut's own rate, not the one asked. `durationSeconds` is
 * time at the asked rate, so the whole trace is scaled to it before that cut.
 */
function cutThenScale(trace: Workload, options: LoadWorkloadOptions, rate: number): Workload {
  let kept = trace;
  if (options.durationSeconds !== undefined)
    kept = truncateWorkload(scaleToRate(trace, rate), { seconds: options.durationSeconds });
  if (options.skip || options.count !== undefined)
    kept = truncateWorkload(kept, { skip: options.skip, count: options.count });
  if (kept.requests.length < 2) return { ...kept, source: `${trace.source} @ ${rate} req/s` };
  return scaleToRate({ ...kept, source: trace.source }, rate);
}

/**
 * A workload from a spec string or a trace file, `FILE#model=NAME` keeping one model's requests (see
 * spec.ts for the grammar, traces.ts for the formats, trace-options.ts for what follows a `#`).
 */
export function loadWorkload(specOrFile: string, options: LoadWorkloadOptions = {}): Workload {
  let workload: Workload;
  if (options.rate !== undefined) checkRate(options.rate);
  const isSpec = looksLikeWorkloadSpec(specOrFile);
  const trace = isSpec ? undefined : traceReference(specOrFile);
  if (isSpec) {
    const streams = parseWorkloadMix(specOrFile);
    // A mix keeps its streams' shares of the rate; each is drawn as long as the whole may need.
    const total = streams.reduce((sum, w) => sum + w.rate, 0);
    for (const spec of streams) {
      if (options.rate !== undefined) spec.rate = (options.rate * spec.rate) / total;
      lengthAskedFor(spec, options);
    }
    workload = generateWorkload(streams, options.seed ?? 0, specOrFile);
  } else if (trace !== undefined) {
    workload = applyTraceOptions(readTrace(trace.file), specOrFile, trace.options);
    if (options.rate !== undefined) return cutThenScale(workload, options, options.rate);
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

/** Why a command refuses a workload left with no request: its message, and the flag to change. */
export interface EmptyWorkloadRefusal {
  message: string;
  flag: string;
}

/**
 * `loadWorkload` for a command that cannot run without a request: one with none (none in it, or none
 * its cuts kept) is refused as `whyEmpty` says, in the command's own words and naming its own flag.
 */
export function loadNonEmptyWorkload(
  specOrFile: string,
  options: LoadWorkloadOptions,
  whyEmpty: () => EmptyWorkloadRefusal,
): Workload {
  const workload = loadWorkload(specOrFile, options);
  if (workload.requests.length > 0) return workload;
  const { message, flag } = whyEmpty();
  throw new ServeTuneError(message, 'invalid-argument', flag);
}
