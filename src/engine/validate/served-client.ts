import { arrivalOrder } from '../sim/arrival-order.js';
import type { ClientModel, ClientRun } from '../sim/client-model.js';
import type { SimReplica } from '../sim/replica.js';
import type { FinishedRequestTimes } from '../sim/request-metrics.js';
import type { WorkloadRequest } from '../workload/types.js';
import { throughFrontEnd } from './front-end.js';

/** How `servetune validate` serves a workload, to be replayed by `simulate` (each default: not so). */
export interface ServedClientOptions {
  /**
   * Serve the workload in blocks of this many requests (consecutive in the workload's order), one
   * after another: each block's arrivals are moved so that its first request arrives when every request
   * before it has finished (or failed), as a load generator replaying a workload in runs of its own
   * does.
   */
  blockRequests?: number;
  /**
   * The load generator runs on the engine's own host: whatever makes a step slower than the model's
   * time stalls it too, so a request due while a step runs slow is sent when the slow part ends. A
   * step's excess over its model time comes first in it (`SimReplica.slowUntil`).
   */
  clientSharesHost?: boolean;
  /**
   * Seconds a front end (HTTP, parsing, streaming) adds between the engine and its client, as measured
   * on one (`servetune validate` pairs each response's client TTFT with the engine's own): the client
   * sees each request's tokens later by one draw from these (`throughFrontEnd`), so its TTFT and E2E
   * carry the front end's spread as well as its mean. Default: the client sees the engine directly.
   */
  frontEndSeconds?: readonly number[];
}

/** The front end's draws come from a stream of their own, apart from the step times'. */
const FRONT_END_SEED_MIX = 0x27d4eb2f;

/** The client of a run served as `servetune validate` serves it (`ServedClientOptions`), for `simulate`. */
export function servedClient(options: ServedClientOptions): ClientModel {
  const blockRequests =
    options.blockRequests !== undefined && options.blockRequests > 0 ? options.blockRequests : 0;
  const blockOf = (index: number) => (blockRequests > 0 ? Math.floor(index / blockRequests) : 0);
  return {
    // By arrival time within each block, the blocks in the workload's order.
    arrivalOrder: (requests: readonly WorkloadRequest[]) => arrivalOrder(requests, blockOf),
    startRun: (seed: number) => new ServedClientRun(options, blockOf, (seed ^ FRONT_END_SEED_MIX) >>> 0),
  };
}

/**
 * One run of that client. Blocks: the arrivals of the open block are moved by `blockShift`; the next
 * block opens once every request before it has settled (finished or failed), at `drainedAt`.
 */
class ServedClientRun implements ClientRun {
  private settledCount = 0;
  private openBlock = 0;
  private blockShift = 0;
  private drainedAt = 0;
  private readonly clientSharesHost: boolean;
  private readonly frontEndSeconds: readonly number[];

  constructor(
    options: ServedClientOptions,
    private readonly blockOf: (index: number) => number,
    private readonly frontEndSeed: number,
  ) {
    this.clientSharesHost = options.clientSharesHost === true;
    this.frontEndSeconds = options.frontEndSeconds ?? [];
  }

  dueTime(index: number, arrival: number): number {
    if (this.blockOf(index) > this.openBlock) {
      // A block's first request waits until every request before it has settled.
      if (this.settledCount < index) return Number.POSITIVE_INFINITY;
      this.blockShift = this.drainedAt - arrival;
      this.openBlock = this.blockOf(index);
    }
    return arrival + this.blockShift;
  }

  settled(now: number, arrived: number): void {
    this.settledCount++;
    if (this.settledCount === arrived) this.drainedAt = now;
  }

  sentAt(replica: SimReplica, due: number): number {
    // Sent when the running step's slow part ends: the client stalled with the host.
    return this.clientSharesHost && replica.inFlight > 0 && due < replica.slowUntil ? replica.slowUntil : due;
  }

  seen(finished: readonly FinishedRequestTimes[]): readonly FinishedRequestTimes[] {
    return throughFrontEnd(finished, this.frontEndSeconds, this.frontEndSeed);
  }
}
