import { ServeTuneError } from '../util/errors.js';

/**
 * Refuses a warm-up that takes every request: with k ≥ n completions left out, a run measures nothing
 * and would report empty metrics and zero throughput as if they were a result.
 */
export function refuseWarmUpOfAll(warmUpRequests: number | undefined, requests: number, where: string): void {
  if (warmUpRequests === undefined || warmUpRequests < requests) return;
  throw new ServeTuneError(
    `${where} ${warmUpRequests} leaves none of the workload's ${requests} request${requests === 1 ? '' : 's'} to measure: give fewer than ${requests}, or a workload of more requests`,
    'invalid-argument',
    where,
  );
}
