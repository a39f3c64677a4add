import { ServeTuneError } from '../util/errors.js';
import type { WorkloadRequest } from '../workload/types.js';
import { arrivalOrder } from './arrival-order.js';
import type { ClientModel, ClientRun } from './client-model.js';
import type { SimReplica } from './replica.js';
import type { FinishedRequestTimes } from './request-metrics.js';

/** A closed-loop client: how many requests it keeps in flight, and how long it waits before the next. */
export interface ClosedLoopOptions {
  /** Requests in flight at once: the number of clients, each sending its next when its last settles. */
  concurrency: number;
  /** Seconds a client waits after a request settles before it sends its next; default 0. */
  thinkSeconds?: number;
  /**
   * Seconds a request spends outside the engine (HTTP, the API server, tokenization, the hand-over to
   * the engine process, the first token's way back): counted in the request's TTFT and E2E, as the
   * client measures them; default 0. The engine still sees each next request as the last one settles:
   * with identical requests, a gap there would merge the clients into lockstep bursts that real,
   * jittered clients do not form. (So, counted from their sends, up to `concurrency` more requests
   * overlap by the front-end latency; the engine never holds more than `concurrency`.)
   */
  frontendSeconds?: number;
}

/**
 * The client of a closed-loop benchmark (`vllm bench serve --max-concurrency N --request-rate inf`,
 * GuideLLM's concurrent profile, AIPerf's and genai-perf's concurrency modes): `concurrency` requests
 * are sent at 0, and whenever one settles (finishes or fails) the next is sent, `thinkSeconds` later.
 * The workload's arrival times are ignored; its order (by arrival time) and its lengths are kept. A
 * request's latencies count from its send, as those tools measure them.
 */
export function closedLoopClient(options: ClosedLoopOptions): ClientModel {
  const concurrency = options.concurrency;
  const thinkSeconds = options.thinkSeconds ?? 0;
  const frontendSeconds = options.frontendSeconds ?? 0;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ServeTuneError(
      `closed loop: the concurrency must be a positive integer, got ${concurrency}`,
      'invalid-argument',
      'concurrency',
    );
  }
  if (!(thinkSeconds >= 0) || !Number.isFinite(thinkSeconds)) {
    throw new ServeTuneError(
      `closed loop: the think time must be 0 or more seconds, got ${thinkSeconds}`,
      'invalid-argument',
      'thinkSeconds',
    );
  }
  if (!(frontendSeconds >= 0) || !Number.isFinite(frontendSeconds)) {
    throw new ServeTuneError(
      `closed loop: the front-end latency must be 0 or more seconds, got ${frontendSeconds}`,
      'invalid-argument',
      'frontendSeconds',
    );
  }
  return {
    arrivalOrder: (requests: readonly WorkloadRequest[]) => arrivalOrder(requests),
    startRun: (_seed: number, requests: number) =>
      new ClosedLoopRun(concurrency, thinkSeconds, frontendSeconds, requests),
  };
}

/**
 * One run of that client. Requests are sent in order; `released` of them have a due time at the
 * engine, kept in `due` (the first `concurrency` at the front-end latency, each later one when a request
 * settled, plus the think time). A request counts as sent the front-end latency before it is due.
 * Requests sent and not settled are at most `released − settled` = `concurrency`.
 */
class ClosedLoopRun implements ClientRun {
  private readonly due: Float64Array;
  private released: number;

  constructor(
    concurrency: number,
    private readonly thinkSeconds: number,
    private readonly frontendSeconds: number,
    requests: number,
  ) {
    this.due = new Float64Array(requests);
    this.released = Math.min(concurrency, requests);
    this.due.fill(frontendSeconds, 0, this.released);
  }

  dueTime(index: number): number {
    return index < this.released ? this.due[index] : Number.POSITIVE_INFINITY;
  }

  settled(now: number): void {
    if (this.released < this.due.length) this.due[this.released++] = now + this.thinkSeconds;
  }

  sentAt(_replica: SimReplica, due: number): number {
    return due - this.frontendSeconds;
  }

  seen(finished: readonly FinishedRequestTimes[]): readonly FinishedRequestTimes[] {
    return finished;
  }
}
