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
  return {
    arrivalOrder: (requests: readonly WorkloadRequest[]) => arrivalOrder(requests),
    startRun: (_seed: number, requests: number) => new ClosedLoopRun(concurrency, thinkSeconds, requests),
  };
}

/**
 * One run of that client. Requests are sent in order; `released` of them have a send time, kept in
 * `due` (the first `concurrency` at 0, each later one when a request settled, plus the think time).
 * Requests sent and not settled are at most `released − settled` = `concurrency`.
 */
class ClosedLoopRun implements ClientRun {
  private readonly due: Float64Array;
  private released: number;

  constructor(
    concurrency: number,
    private readonly thinkSeconds: number,
    requests: number,
  ) {
    this.due = new Float64Array(requests);
    this.released = Math.min(concurrency, requests);
  }

  dueTime(index: number): number {
    return index < this.released ? this.due[index] : Number.POSITIVE_INFINITY;
  }

  settled(now: number): void {
    if (this.released < this.due.length) this.due[this.released++] = now + this.thinkSeconds;
  }

  sentAt(_replica: SimReplica, due: number): number {
    return due;
  }

  seen(finished: readonly FinishedRequestTimes[]): readonly FinishedRequestTimes[] {
    return finished;
  }
}
