import type { ValidationOptions } from './options.js';
import type { ServedRun, ServingRuns } from './serving-runs.js';

/** The twin's and the validated run's blocks, in the order served within each. */
export interface ServedBlocks {
  twin: ServedRun[];
  validated: ServedRun[];
  /** Requests per block (the last may hold fewer). */
  blockRequests: number;
}

/**
 * Serves a twin of the validated run (as many other requests, seed + 2, at the same rate) in blocks
 * alternating with the validated run's: this machine's speed moves by tens of percent within seconds,
 * so a twin served before the validated run sampled other spells than the validated run met;
 * alternating blocks of about a second sample the same ones. Each block is a run of its own (of the
 * one load generator process) on an idle engine, and the prediction replays the validated blocks so
 * (`servedClient` with `blockRequests`).
 */
export async function serveAlternatingBlocks(
  runs: ServingRuns,
  options: ValidationOptions,
  rate: number | null,
  say: (line: string) => void,
): Promise<ServedBlocks> {
  const requests = options.requests;
  const blockRequests = Math.min(requests, Math.max(1, options.blockRequests ?? requests));
  const blockCount = Math.ceil(requests / blockRequests);
  say(
    blockCount > 1
      ? `serving a twin of the validated run (${requests} other requests) and the validated run (${requests} requests, ${options.workload}) in ${blockCount} alternating blocks of ${blockRequests} each…`
      : `serving a twin of the validated run (${requests} other requests), then the validated run (${requests} requests, ${options.workload})…`,
  );
  const blocks: ServedBlocks = { twin: [], validated: [], blockRequests };
  for (let block = 0; block < blockCount; block++) {
    const skip = block * blockRequests;
    const count = Math.min(blockRequests, requests - skip);
    for (const [kind, seed, into] of [
      ['twin', options.seed + 2, blocks.twin],
      ['validated', options.seed, blocks.validated],
    ] as const) {
      const number = 2 * block + (kind === 'twin' ? 1 : 2);
      say(`serving block ${number}/${2 * blockCount} (${kind}, requests ${skip + 1}–${skip + count})…`);
      into.push(await runs.serve({ seed, skip, count, rate }, blockCount === 1));
    }
  }
  return blocks;
}
