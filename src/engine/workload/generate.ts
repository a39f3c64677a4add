import { ServeTuneError } from '../util/errors.js';
import { sampleLength } from './distributions.js';
import { MAX_ARRIVAL_SPAN_SECONDS, MAX_GENERATED_REQUESTS } from './limits.js';
import { Rng } from './rng.js';
import type { SyntheticWorkload } from './spec.js';
import { DEFAULT_HASH_BLOCK_TOKENS, type Workload, type WorkloadRequest } from './types.js';

/** Requests a spec that sets neither `n=` nor `duration=` (and whose caller asks for no length) has. */
export const DEFAULT_GENERATED_REQUESTS = 1000;

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
 * are the same however many are drawn, so a caller that needs only k asks for only k.
 */
export function generateWorkload(w: SyntheticWorkload, seed: number, source = 'synthetic'): Workload {
  // Refuse a duration that clearly asks for too many before drawing any; the loop catches the near misses.
  if (
    w.count === undefined &&
    w.durationSeconds !== undefined &&
    w.rate * w.durationSeconds > MAX_GENERATED_REQUESTS
  )
    throw tooMany(w, source);
  const rng = new Rng(seed);
  const count =
    w.count ?? (w.durationSeconds === undefined ? DEFAULT_GENERATED_REQUESTS : Number.POSITIVE_INFINITY);
  const until = w.durationSeconds ?? Number.POSITIVE_INFINITY;
  const shape = 1 / (w.cv * w.cv);
  const requests: WorkloadRequest[] = [];
  let t = 0;
  while (requests.length < count) {
    if (requests.length > 0 || w.arrival !== 'constant') {
      if (w.arrival === 'poisson') t += rng.exponential(w.rate);
      else if (w.arrival === 'gamma') t += rng.gamma(shape, 1 / (w.rate * shape));
      else t += 1 / w.rate;
    }
    if (t >= until) break;
    if (!(t <= MAX_ARRIVAL_SPAN_SECONDS)) throw tooLong(w, source, t);
    if (requests.length === MAX_GENERATED_REQUESTS) throw tooMany(w, source);
    requests.push({
      arrival: t,
      promptTokens: sampleLength(w.prompt, rng, w.maxLength),
      outputTokens: sampleLength(w.output, rng, w.maxLength),
    });
  }
  return { source, requests, hashBlockTokens: DEFAULT_HASH_BLOCK_TOKENS };
}
