import { ServeTuneError } from '../util/errors.js';
import { sampleLength } from './distributions.js';
import { MAX_ARRIVAL_SPAN_SECONDS, MAX_GENERATED_REQUESTS } from './limits.js';
import { PrefixDrawer } from './prefixes.js';
import { rateFactorAt } from './rate-curve.js';
import { checkDrawnRequestsFit } from './request-memory.js';
import { Rng } from './rng.js';
import type { SloTargets } from './slo.js';
import type { SyntheticWorkload } from './spec.js';
import {
  DEFAULT_HASH_BLOCK_TOKENS,
  SYNTHETIC_HASH_BLOCK_TOKENS,
  type Workload,
  type WorkloadRequest,
} from './types.js';

/** Requests a spec that sets neither `n=` nor `duration=` (and whose caller asks for no length) has. */
export const DEFAULT_GENERATED_REQUESTS = 1000;

/** The prefix and session draws come from a stream of their own (`PrefixDrawer`). */
const PREFIX_SEED_MIX = 0x27d4eb2f;
/** Each stream of a mix after the first draws from its own seed. */
const PART_SEED_MIX = 0x165667b1;

function tooMany(w: SyntheticWorkload, source: string): ServeTuneError {
  return new ServeTuneError(
    `workload '${source}': rate ${w.rate}/s for ${w.durationSeconds} s is more than the ${MAX_GENERATED_REQUESTS.toLocaleString('en-US')} requests a workload may have (docs/limits.md); lower duration= or rate=, or set n=`,
    'invalid-argument',
    '--workload',
  );
}

function tooLong(w: SyntheticWorkload, source: string, arrival: number): ServeTuneError {
  return new ServeTuneError(
    `workload '${source}': at rate ${w.rate}/s its arrivals reach ${arrival.toExponential(2)} s, more than the ${MAX_ARRIVAL_SPAN_SECONDS.toLocaleString('en-US')} s (10 years) a workload may span (docs/limits.md); raise rate= or lower n=`,
    'invalid-argument',
    '--workload',
  );
}

/**
 * Draws the requests of a synthetic workload with a seeded generator, one at a time: the first k requests
 * are the same however many are drawn, so a caller that needs only k asks for only k. Several streams
 * (a mix, `A + B`) are drawn each with its own seed and merged by arrival.
 */
export function generateWorkload(
  spec: SyntheticWorkload | readonly SyntheticWorkload[],
  seed: number,
  source = 'synthetic',
): Workload {
  const parts = Array.isArray(spec) ? spec : [spec as SyntheticWorkload];
  // Refused before drawing any: a duration that clearly asks for too many (the loop catches the near
  // misses), or more requests than the heap can simulate (drawing 10,000,000 takes 5 s and 0.75 GiB).
  for (const w of parts)
    if (w.count === undefined && requestsToDraw(w) > MAX_GENERATED_REQUESTS) throw tooMany(w, source);
  checkDrawnRequestsFit(parts.reduce((sum, w) => sum + Math.ceil(requestsToDraw(w)), 0));
  const streams = parts.map((w, k) =>
    generateStream(w, k === 0 ? seed : (seed ^ (PART_SEED_MIX * k)) >>> 0, k, source),
  );
  const requests = streams.length === 1 ? streams[0] : streams.flat().sort((a, b) => a.arrival - b.arrival);
  const hashed = parts.some((w) => PrefixDrawer.needed(w));
  const workload: Workload = {
    source,
    requests,
    hashBlockTokens: hashed ? SYNTHETIC_HASH_BLOCK_TOKENS : DEFAULT_HASH_BLOCK_TOKENS,
  };
  const classSlos = classSlosOf(parts, source);
  if (classSlos) workload.classSlos = classSlos;
  return workload;
}

/** The streams' class targets by class; a class given two different ones is refused. */
function classSlosOf(
  parts: readonly SyntheticWorkload[],
  source: string,
): Record<string, SloTargets> | undefined {
  const slos: Record<string, SloTargets> = {};
  let any = false;
  for (const w of parts) {
    if (w.slo === undefined || w.className === undefined) continue;
    const earlier = slos[w.className];
    if (earlier !== undefined && JSON.stringify(earlier) !== JSON.stringify(w.slo)) {
      throw new ServeTuneError(
        `workload '${source}': class ${w.className} is given two different slo= targets`,
        'invalid-argument',
        '--workload',
      );
    }
    slos[w.className] = w.slo;
    any = true;
  }
  return any ? slos : undefined;
}

/**
 * How many requests a stream is drawn to: its `n=`, else its rate over its `duration=` (arrivals are
 * random, so this is the mean; sessions' later turns come on top), else the default length.
 */
function requestsToDraw(w: SyntheticWorkload): number {
  if (w.count !== undefined) return w.count;
  return w.durationSeconds === undefined ? DEFAULT_GENERATED_REQUESTS : w.rate * w.durationSeconds;
}

/** One stream's requests, sorted by arrival. */
function generateStream(w: SyntheticWorkload, seed: number, part: number, source: string): WorkloadRequest[] {
  const rng = new Rng(seed);
  const drawer = PrefixDrawer.needed(w)
    ? new PrefixDrawer(w, new Rng((seed ^ PREFIX_SEED_MIX) >>> 0), part)
    : null;
  const count =
    w.count ?? (w.durationSeconds === undefined ? DEFAULT_GENERATED_REQUESTS : Number.POSITIVE_INFINITY);
  const until = w.durationSeconds ?? Number.POSITIVE_INFINITY;
  const shape = 1 / (w.cv * w.cv);
  const requests: WorkloadRequest[] = [];
  let t = 0;
  while (requests.length < count) {
    if (requests.length > 0 || w.arrival !== 'constant') {
      const gap =
        w.arrival === 'poisson'
          ? rng.exponential(w.rate)
          : w.arrival === 'gamma'
            ? rng.gamma(shape, 1 / (w.rate * shape))
            : 1 / w.rate;
      // A rate curve scales the gap by the rate at the previous arrival.
      t += w.curve ? gap / rateFactorAt(w.curve, t) : gap;
    }
    if (t >= until) break;
    if (!(t <= MAX_ARRIVAL_SPAN_SECONDS)) throw tooLong(w, source, t);
    if (requests.length >= MAX_GENERATED_REQUESTS) throw tooMany(w, source);
    const prompt = sampleLength(w.prompt, rng, w.maxLength);
    const output = sampleLength(w.output, rng, w.maxLength);
    if (drawer === null) requests.push({ arrival: t, promptTokens: prompt, outputTokens: output });
    else for (const r of drawer.start(t, prompt, output)) requests.push(r);
  }
  // A session's turns all carry its start as arrival, so the first n requests are whole sessions in
  // start order (the last one cut), the same however many are drawn.
  if (requests.length > count) requests.length = count;
  if (w.className !== undefined || w.priority !== 0 || w.acceptance !== undefined) {
    for (const r of requests) {
      if (w.className !== undefined) r.className = w.className;
      if (w.priority !== 0) r.priority = w.priority;
      if (w.acceptance !== undefined) r.acceptance = w.acceptance;
    }
  }
  return requests;
}
