import type { ReplicaState } from '../sched/state.js';
import { HeldRequests } from './held-requests.js';
import type { SimRequest } from './replica.js';

/**
 * vLLM's disaggregated decode pulls a request's KV itself (NixlConnector) and schedules the request only
 * once its engine core has learnt that the pull finished, a scheduling pass or two after it took the
 * request in. The source (vllm-project/vllm):
 * - vllm/distributed/kv_transfer/kv_connector/v1/nixl_connector.py @002a1057e9ae674d7bdc9c4be95bc29d65d2e808,
 *   `NixlConnectorScheduler.get_num_new_matched_tokens`: a request with `do_remote_prefill` returns
 *   (its prompt tokens, True), "loaded asynchronously (between scheduler steps)";
 * - vllm/v1/core/sched/scheduler.py @b4622cf924bc72504aed99e486062d6633fde39e: `schedule` allocates its
 *   blocks, sets it WAITING_FOR_REMOTE_KVS and skips it; later passes skip it until
 *   `_update_waiting_for_remote_kv` finds it in `finished_recving_kv_req_ids`, which
 *   `_update_from_kv_xfer_finished` fills from a step's output (`update_from_output`);
 * - vllm/v1/worker/kv_connector_model_runner_mixin.py @23ec7c7fab7aa8edb1c14195c048113e210683fa,
 *   `_get_kv_connector_output`: the worker starts the scheduled pulls (`start_load_kv`) as it executes the
 *   step and reports finished ones (`get_finished`) in that step's output.
 *
 * So a request the scheduler takes in at pass s is pulled while step s runs, is promoted at the first
 * pass that reads step s's output, and joins the step that pass schedules: step s + 1 where the engine
 * schedules step by step; under async scheduling step s + 1 was scheduled before step s's output was
 * read, so it joins step s + 2. At least that: a pull not finished by the end of its step is reported
 * later still (not modelled). An engine with nothing to run loops on steps that only poll the connector
 * (`kv_connector_no_forward`), so a request that reaches an idle replica is scheduled as soon as it lands.
 *
 * In the simulator the KV lands (after `kvTransferSeconds`) where the engine would take the request in;
 * these loads then keep it from the scheduler's waiting queue for `remoteKvLoadPasses` release points of
 * its replica (the points where requests that arrived during a step reach the queue: before a step's
 * scheduling without overlap, after it with overlap).
 */
export class RemoteKvLoads {
  /** Requests by the pass that releases them: `stages[head]` next. Reused, as the hot loop needs. */
  private readonly stages: HeldRequests[];
  private head = 0;

  constructor(readonly passes: number) {
    this.stages = Array.from({ length: passes }, () => new HeldRequests());
  }

  /** Requests whose pull has not yet been reported. */
  get count(): number {
    let count = 0;
    for (const stage of this.stages) count += stage.count;
    return count;
  }

  /** `r` landed while its replica stepped: released at the `passes`-th release point from now. */
  hold(r: SimRequest): void {
    this.stages[(this.head + this.passes - 1) % this.passes].hold(r);
  }

  /** One release point: the requests whose pull the engine has now read go to the waiting queue. */
  advance(state: ReplicaState): boolean {
    const released = this.stages[this.head].releaseInto(state);
    this.head = (this.head + 1) % this.passes;
    return released;
  }

  /** The replica went idle: its no-forward loop reads every pull at once. */
  releaseAll(state: ReplicaState): boolean {
    let released = false;
    for (let i = 0; i < this.passes; i++) if (this.advance(state)) released = true;
    return released;
  }
}

/**
 * Release points a pulled request waits through before vLLM's decode schedules it (RemoteKvLoads): the
 * pass that takes it in and the one that reads the pulling step's output, and under async scheduling the
 * pass scheduled before that output was read. Each later than where the simulator puts other arrivals by
 * one step (step by step) or two (async).
 */
export function remoteKvLoadPasses(overlapScheduling: boolean): number {
  return overlapScheduling ? 3 : 2;
}
