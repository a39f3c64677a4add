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
  /**
   * Requests of a warm-up phase that the client runs to its end before it starts the measured phase:
   * the requests after the first `warmUpPhase` are held until every one of those has settled, and then
   * `concurrency` of them are sent at once, as AIPerf runs its phases (the profiling phase starts once
   * every warm-up credit has come back, then issues credits as fast as its concurrency allows:
   * ai-dynamo/aiperf aiperf/timing/credit_issuing_strategy.py `_execute_phases`, "Wait for the credits
   * to be returned before continuing to the next phase", and request_rate_strategy.py, whose
   * concurrency-burst mode waits 0 between credits; commits 32decb7381925adbc0ea85f1b3a0b13772d35faa and
   * 06440a38314de7911b9716e8662a61a21c589e61). Default 0: no phases, each next request sent as one settles.
   */
  warmUpPhase?: number;
}

/**
 * The longest think time a closed loop takes: a day. The simulated clock counts seconds in a double, so
 * a think time of 1e300 s leaves no digits for the milliseconds a step takes (every TTFT came out 0);
 * no client waits longer than a day between requests of one benchmark.
 */
export const MAX_THINK_SECONDS = 86_400;

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
  if (!(thinkSeconds >= 0 && thinkSeconds <= MAX_THINK_SECONDS)) {
    throw new ServeTuneError(
      `closed loop: the think time must be 0 to ${MAX_THINK_SECONDS} seconds (a day), got ${thinkSeconds}`,
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
  const warmUpPhase = options.warmUpPhase ?? 0;
  if (!Number.isInteger(warmUpPhase) || warmUpPhase < 0) {
    throw new ServeTuneError(
      `closed loop: the warm-up phase must be a whole number of requests, got ${warmUpPhase}`,
      'invalid-argument',
      'warmUpPhase',
    );
  }
  return {
    arrivalOrder: (requests: readonly WorkloadRequest[]) => arrivalOrder(requests),
    startRun: (_seed: number, requests: number) =>
      new ClosedLoopRun({ concurrency, thinkSeconds, frontendSeconds, warmUpPhase }, requests),
  };
}

/**
 * One run of that client. Requests are sent in order; `released` of them have a due time at the
 * engine, kept in `due` (the first `concurrency` at the front-end latency, each later one when a request
 * settled, plus the think time). A request counts as sent the front-end latency before it is due.
 * Requests sent and not settled are at most `released − settled` = `concurrency`. With a warm-up
 * phase, the first request after it is released only when the phase's last request settles, together
 * with the next `concurrency − 1`.
 */
class ClosedLoopRun implements ClientRun {
  private readonly due: Float64Array;
  private readonly concurrency: number;
  private readonly thinkSeconds: number;
  private readonly frontendSeconds: number;
  /** Requests of the warm-up phase (0: none). */
  private readonly phaseEnd: number;
  private released: number;
  private settledCount = 0;

  constructor(options: Required<ClosedLoopOptions>, requests: number) {
    this.concurrency = options.concurrency;
    this.thinkSeconds = options.thinkSeconds;
    this.frontendSeconds = options.frontendSeconds;
    this.phaseEnd = options.warmUpPhase < requests ? options.warmUpPhase : 0;
    this.due = new Float64Array(requests);
    const firstPhase = this.phaseEnd > 0 ? this.phaseEnd : requests;
    this.released = Math.min(this.concurrency, firstPhase);
    this.due.fill(this.frontendSeconds, 0, this.released);
  }

  dueTime(index: number): number {
    return index < this.released ? this.due[index] : Number.POSITIVE_INFINITY;
  }

  settled(now: number): void {
    const settled = ++this.settledCount;
    const phaseEnd = this.phaseEnd;
    if (phaseEnd === 0 || this.released < phaseEnd || settled > phaseEnd) {
      this.release(1, now);
    } else if (settled === phaseEnd) {
      // The warm-up's last request settled: every client starts the measured phase at once.
      this.release(this.concurrency, now);
    }
    // Otherwise a client that finished its warm-up waits for the others to finish theirs.
  }

  private release(count: number, now: number): void {
    const end = Math.min(this.released + count, this.due.length);
    this.due.fill(now + this.thinkSeconds, this.released, end);
    this.released = end;
  }

  sentAt(_replica: SimReplica, due: number): number {
    return due - this.frontendSeconds;
  }

  seen(finished: readonly FinishedRequestTimes[]): readonly FinishedRequestTimes[] {
    return finished;
  }
}
