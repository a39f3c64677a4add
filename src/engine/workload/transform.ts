import { ServeTuneError } from '../util/errors.js';
import type { Workload } from './types.js';

/** Mean arrival rate (requests/s) over the span of arrivals. */
export function arrivalRate(workload: Workload): number {
  const r = workload.requests;
  if (r.length < 2) return 0;
  const span = r[r.length - 1].arrival - r[0].arrival;
  return span > 0 ? (r.length - 1) / span : Number.POSITIVE_INFINITY;
}

/** The same requests with arrival times scaled so the mean rate is `rate` (burstiness kept). */
export function scaleToRate(workload: Workload, rate: number): Workload {
  if (!(rate > 0) || !Number.isFinite(rate)) {
    throw new ServeTuneError(`--rate must be a positive number, got ${rate}`, 'invalid-argument', '--rate');
  }
  const current = arrivalRate(workload);
  if (!(current > 0) || !Number.isFinite(current)) return workload;
  const factor = current / rate;
  return {
    ...workload,
    source: `${workload.source} @ ${rate} req/s`,
    requests: workload.requests.map((r) => ({ ...r, arrival: r.arrival * factor })),
  };
}

/** The requests arriving before `seconds` and/or the first `count` of them. */
export function truncateWorkload(workload: Workload, limits: { seconds?: number; count?: number }): Workload {
  let requests = workload.requests;
  if (limits.seconds !== undefined) requests = requests.filter((r) => r.arrival < limits.seconds!);
  if (limits.count !== undefined) requests = requests.slice(0, limits.count);
  return { ...workload, requests };
}
