import type { WorkloadRequest } from '../workload/types.js';
import type { SimReplica } from './replica.js';
import type { FinishedRequestTimes } from './request-metrics.js';

/**
 * The client of a simulated run where it is not an ideal one. Without a client model `simulate` sends
 * each request at its workload time, in arrival order, and reports the engine's own token times. A
 * measured run is not served so (`servetune validate`'s load generator serves a workload in blocks, on
 * the engine's host, behind a front end): a client model replays such a run as it was served. The
 * simulator's core only asks it at these points; what it answers is the model's own.
 */
export interface ClientModel {
  /**
   * The order in which the workload's requests arrive (indices into `requests`), asked once per run;
   * `null`: as given. Without a client model it is by arrival time (`arrivalOrder`).
   */
  arrivalOrder(requests: readonly WorkloadRequest[]): readonly number[] | null;
  /**
   * The model's state for one run (a seed mean runs many with one model); `seed`: the run's,
   * `requests`: how many the run has.
   */
  startRun(seed: number, requests: number): ClientRun;
}

/** One run's client (see `ClientModel`). */
export interface ClientRun {
  /**
   * When the `index`-th request (in arrival order) is due, whose workload time is `arrival`;
   * `Number.POSITIVE_INFINITY` while the client holds it back (the simulator asks again after its next
   * event). Asked until it is sent, so at every event, and must not decrease for one request.
   */
  dueTime(index: number, arrival: number): number;
  /** A request settled (finished or failed) at `now`, when `arrived` requests had arrived. */
  settled(now: number, arrived: number): void;
  /**
   * When a request due at `due`, and admitted by `replica`, counts as sent (its latencies count from
   * then): `due`, or later where the client was held up.
   */
  sentAt(replica: SimReplica, due: number): number;
  /** The finished requests (in arrival order) as the client sees them. */
  seen(finished: readonly FinishedRequestTimes[]): readonly FinishedRequestTimes[];
}
