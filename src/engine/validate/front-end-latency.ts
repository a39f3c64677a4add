import type { MeasuredRequest } from '../bench/requests-file.js';
import type { InEngineFirstToken } from '../serve/local/engine.js';

/** Some served runs: what the client measured and the engine's own first-token times. */
export interface ClientAndEngineRecords {
  requests: readonly MeasuredRequest[];
  inEngineFirstTokens: readonly InEngineFirstToken[];
}

export interface FrontEndLatencies {
  /** What the front end added to each first token (seconds), one per paired response. */
  seconds: number[];
  /** Responses paired by id; 0 where none could be, and `seconds` holds the two means' difference. */
  paired: number;
}

/**
 * What the front end (request parsing and admission, streaming the first token back, the client reading
 * it) added to each first token of some runs: a response's TTFT as the client measured it less the
 * engine's own submit-to-first-token for the same response id. Where none pairs (a client that saw no
 * ids), the difference of the two means stands for every request, as before pairing.
 */
export function frontEndLatencies(runs: readonly ClientAndEngineRecords[]): FrontEndLatencies {
  const inEngine = new Map<string, number>();
  for (const run of runs) for (const t of run.inEngineFirstTokens) inEngine.set(t.requestId, t.seconds);
  const seconds: number[] = [];
  let clientSum = 0;
  let clientCount = 0;
  for (const run of runs) {
    for (const r of run.requests) {
      if (r.status !== 'ok' || r.tokenTimes.length === 0) continue;
      const ttft = r.tokenTimes[0] - r.sentAt;
      clientSum += ttft;
      clientCount++;
      const engine = r.responseId === undefined ? undefined : inEngine.get(r.responseId);
      if (engine !== undefined) seconds.push(Math.max(0, ttft - engine));
    }
  }
  if (seconds.length > 0) return { seconds, paired: seconds.length };
  if (clientCount === 0 || inEngine.size === 0) return { seconds: [], paired: 0 };
  let engineSum = 0;
  for (const s of inEngine.values()) engineSum += s;
  return { seconds: [Math.max(0, clientSum / clientCount - engineSum / inEngine.size)], paired: 0 };
}
