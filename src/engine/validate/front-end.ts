import type { FinishedRequestTimes } from '../sim/request-metrics.js';
import { SeededRandom } from '../util/random.js';

/**
 * The requests as a client behind a front end (HTTP, parsing, streaming) sees them: each one's tokens
 * arrive later by one draw (seeded, in the requests' order) from the front end's measured latencies.
 * A draw per request, not their mean, because the client's TTFT tail is partly the front end's own: on
 * the local engine its latency has a median near 1 ms and a p99 of 5–11 ms. Every token of a request
 * moves alike, so TPOT does not.
 */
export function throughFrontEnd(
  requests: readonly FinishedRequestTimes[],
  latencies: readonly number[],
  seed: number,
): readonly FinishedRequestTimes[] {
  if (latencies.length === 0) return requests;
  const random = new SeededRandom(seed);
  return requests.map((r) => {
    const delay = latencies[random.int(latencies.length)];
    return { ...r, firstToken: r.firstToken + delay, finish: r.finish + delay };
  });
}
