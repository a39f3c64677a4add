import { RequestStatus } from '../sched/request.js';
import type { WorkloadRequest } from '../workload/types.js';
import type { SimRequest } from './replica.js';

const noHashes: readonly number[] = [];

/**
 * The simulator's requests, in arrival order: `order` (indices into `source`), or `source`'s own where
 * null. `prefillOnly`: each leaves its replica after its first token (a disaggregated prefill pool).
 */
export function simRequests(
  source: readonly WorkloadRequest[],
  order: readonly number[] | null,
  prefillOnly: boolean,
): SimRequest[] {
  const requests: SimRequest[] = new Array(source.length);
  for (let i = 0; i < source.length; i++) {
    const w = source[order ? order[i] : i];
    // One literal with every field, not newSchedRequest spread into a SimRequest: the spread object took
    // a slower shape, and the simulator ran 6-7x slower with 2-5x the memory (bench/sim.ts).
    requests[i] = {
      id: i,
      promptTokens: Math.max(1, Math.round(w.promptTokens)),
      maxOutputTokens: Math.max(1, Math.round(w.outputTokens)),
      blockHashes: w.hashIds ?? noHashes,
      generated: 0,
      computed: 0,
      status: RequestStatus.Waiting,
      scheduledTokens: 0,
      inFlight: false,
      blocks: 0,
      sharedHashes: 0,
      prefixPublished: false,
      cachedPromptTokens: 0,
      preemptions: 0,
      prefillOnly,
      arrival: w.arrival,
      outputTokens: Math.max(1, Math.round(w.outputTokens)),
      firstScheduled: -1,
      firstToken: -1,
      lastToken: -1,
      finish: -1,
      maxGap: 0,
      gapsOverTbt: 0,
      kvTransferSeconds: 0,
      failed: false,
    };
  }
  return requests;
}
