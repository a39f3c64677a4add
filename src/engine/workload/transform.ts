import { ServeTuneError } from '../util/errors.js';
import type { Workload } from './types.js';

/**
 * Mean arrival rate (requests/s) over the span of arrivals; 0 where there is none: fewer than two
 * requests, or every request at the same instant (a burst has no rate; nothing here divides by its span).
 */
export function arrivalRate(workload: Workload): number {
  const r = workload.requests;
  if (r.length < 2) return 0;
  const span = r[r.length - 1].arrival - r[0].arrival;
  return span > 0 ? (r.length - 1) / span : 0;
}

/** A target rate is a positive, finite number of requests per second. */
export function checkRate(rate: number): void {
  if (!(rate > 0) || !Number.isFinite(rate)) {
    throw new ServeTuneError(`--rate must be a positive number, got ${rate}`, 'invalid-argument', '--rate');
  }
}

/**
 * The same requests with arrival times scaled so the mean rate is `rate` (burstiness kept). A single
 * request is left as it is; requests that all arrive at one instant have no spacing to scale, which is
 * an error rather than a burst passed off as any rate.
 */
export function scaleToRate(workload: Workload, rate: number): Workload {
  checkRate(rate);
  if (workload.requests.length < 2) return workload;
  const current = arrivalRate(workload);
  if (!(current > 0)) {
    throw new ServeTuneError(
      `${workload.source}: all ${workload.requests.length} requests arrive at the same instant, so there are no gaps to scale to ${rate} req/s; replay it as the burst it is (without --rate), or use a spec for a steady rate`,
      'invalid-argument',
      '--rate',
    );
  }
  const factor = current / rate;
  return {
    ...workload,
    source: `${workload.source} @ ${rate} req/s`,
    requests: workload.requests.map((r) => ({ ...r, arrival: r.arrival * factor })),
  };
}

/**
 * The requests arriving before `seconds`, less the first `skip` of them (the rest moved earlier so the
 * first kept one arrives at 0), and/or the first `count` of what remains.
 */
export function truncateWorkload(
  workload: Workload,
  limits: { seconds?: number; skip?: number; count?: number },
): Workload {
  let requests = workload.requests;
  if (limits.seconds !== undefined) requests = requests.filter((r) => r.arrival < limits.seconds!);
  if (limits.skip) {
    requests = requests.slice(limits.skip);
    const origin = requests[0]?.arrival ?? 0;
    requests = requests.map((r) => ({ ...r, arrival: r.arrival - origin }));
  }
  if (limits.count !== undefined) requests = requests.slice(0, limits.count);
  return { ...workload, requests };
}

/** How much of a repeated workload to keep (see `repeatToSpan`). */
export interface RepeatLimits {
  /** Keep every `every`-th request of the repeated stream only (one replica's share; default 1). */
  every?: number;
  /** Keep at most this many requests: the repetition stops there, short of `seconds` if need be. */
  maxRequests?: number;
}

/**
 * The workload repeated back to back until its arrivals span at least `seconds`: a finite sample at a
 * high rate lasts only moments, too short for an overloaded server's queue to show. Each copy starts one
 * mean gap after the previous one ends; its prefix hashes are offset so copies share no cached prefixes
 * the original did not. `limits` keep every n-th request of the stream and stop at a number of requests
 * (never more are built: at 10^9 req/s, 60 s of traffic would be 6·10^10 requests).
 */
export function repeatToSpan(workload: Workload, seconds: number, limits: RepeatLimits = {}): Workload {
  const every = Math.max(1, Math.floor(limits.every ?? 1));
  const most = limits.maxRequests ?? Number.POSITIVE_INFINITY;
  const requests = workload.requests;
  const first = requests[0]?.arrival ?? 0;
  const span = requests.length < 2 ? 0 : requests[requests.length - 1].arrival - first;
  if (requests.length < 2 || !(span > 0) || span >= seconds) {
    if (every === 1 && requests.length <= most) return workload;
    const kept = requests.filter((_, i) => i % every === 0).slice(0, most);
    return { ...workload, requests: kept };
  }
  const period = span + span / (requests.length - 1);
  const copies = Math.ceil(seconds / period);
  let maxHash = 0;
  for (const r of requests) for (const h of r.hashIds ?? []) maxHash = Math.max(maxHash, h);
  const repeated = [];
  let index = 0;
  for (let k = 0; k < copies && repeated.length < most; k++) {
    for (const r of requests) {
      if (index++ % every !== 0) continue;
      if (repeated.length >= most) break;
      const arrival = r.arrival + k * period;
      repeated.push(
        r.hashIds && k > 0
          ? { ...r, arrival, hashIds: r.hashIds.map((h) => h + k * (maxHash + 1)) }
          : { ...r, arrival },
      );
    }
  }
  return { ...workload, requests: repeated };
}
