/**
 * SGLang's `--scheduler-recv-interval` (its `SchedulerRecvSkipper`): the scheduler loop takes in new
 * requests only on some iterations. Each iteration adds the weight of the last batch's forward mode to
 * a counter (a decode or target-verify batch 1, no batch 1, any other mode 1000) and takes in requests
 * once the counter reaches the interval, then starts over from 0. With interval n, a server that is
 * decoding sees a new request only every n decode steps, and at once after a prefill (extend) step.
 * Source: sgl-project/sglang python/sglang/srt/managers/scheduler_recv_skipper.py
 * (70310f051068e3ea8dbaaecd4e408919cd431417): `handle(last_forward_mode)` adds the mode's weight
 * (`SGLANG_SCHEDULER_RECV_SKIPPER_WEIGHT_DECODE`, `_TARGET_VERIFY`, `_NONE`, else `_DEFAULT`, whose
 * defaults in python/sglang/srt/environ.py are 1, 1, 1 and 1000; earlier versions hard-code the same
 * `_DEFAULT_WEIGHT = 1000` and `{DECODE: 1, TARGET_VERIFY: 1, None: 1}`) and returns True (receive) when
 * `self._counter >= self._threshold` (`server_args.scheduler_recv_interval`), resetting the counter;
 * `Scheduler.recv_requests` returns no request on the other iterations. The interval is 1 by default
 * (`maybe_create` makes no skipper), which takes in requests every iteration.
 *
 * Its versions of the v0.5 releases assert that attention data parallelism is off (`assert not
 * server_args.enable_dp_attention`), so the gate applies to replicas that step on their own; an idle
 * server's loop spins (no batch weighs 1 and takes microseconds), so an idle replica takes in a
 * request at once.
 */

/** What a decode (or verification) step adds to the counter; also what an idle loop adds. */
export const RECV_WEIGHT_DECODE = 1;
/** What any other step (a prefill, a mixed batch) adds: enough to take in requests at the next loop. */
export const RECV_WEIGHT_OTHER = 1000;

/** The state a replica keeps for the gate. */
export interface RecvGateState {
  /** `--scheduler-recv-interval`; 1: requests are taken in every iteration. */
  readonly recvInterval: number;
  /** The skipper's counter. */
  recvCounter: number;
  /** What the last step started adds at the next iteration (`RECV_WEIGHT_*`). */
  lastStepWeight: number;
}

/**
 * Whether the replica takes in arrivals only on some iterations: an interval above 1, on a replica that
 * steps on its own (not an EP group's rank, see above).
 */
export function recvGated(
  replica: Pick<RecvGateState, 'recvInterval'> & { readonly epGroup: object | null },
): boolean {
  return replica.recvInterval > 1 && replica.epGroup === null;
}

/** Whether the replica takes in arrivals at this scheduling iteration; advances its counter. */
export function recvThisIteration(gate: RecvGateState): boolean {
  if (gate.recvInterval <= 1) return true;
  gate.recvCounter += gate.lastStepWeight;
  gate.lastStepWeight = RECV_WEIGHT_DECODE;
  if (gate.recvCounter < gate.recvInterval) return false;
  gate.recvCounter = 0;
  return true;
}

/** The weight a step adds at the next iteration: decode-only steps 1, steps with prompt tokens 1000. */
export function stepRecvWeight(prefillTokens: number): number {
  return prefillTokens > 0 ? RECV_WEIGHT_OTHER : RECV_WEIGHT_DECODE;
}
