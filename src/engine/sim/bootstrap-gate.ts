import { recvGated } from './recv-gate.js';
import type { SimReplica } from './replica.js';

/**
 * SGLang's PD bootstrap orders a disaggregated request's steps: the front end sends it to both servers
 * at once; the decode server's scheduler takes it in (`recv_requests`, which its
 * `--scheduler-recv-interval` gates, recv-gate.ts), puts it in its `DecodePreallocQueue`, allocates
 * its KV slots and sends their indices to the prefill server (`kv_receiver.init`); the prefill server's
 * `PrefillBootstrapQueue` releases the request to its waiting queue only once that has arrived
 * (`pop_bootstrapped` skips a sender still in `KVPoll.Bootstrapping`). So the decode's recv gate holds
 * the request before its prefill may start, and the prefill server sees the requests a decode server
 * took in together as they were taken in. After the prefill, the decode loop polls the transfer
 * (`DecodeTransferQueue.pop_transferred`, in `process_decode_queue`) on every iteration, gated or not.
 * Source: sgl-project/sglang python/sglang/srt/disaggregation/prefill.py
 * (000c2b942308ea5502978be73542016c230dba02): `PrefillBootstrapQueue.pop_bootstrapped` (`if poll ==
 * KVPoll.Bootstrapping: continue`; a sender turns `WaitingForInput` once the decode sent its indices),
 * and `event_loop_normal_disagg_prefill` / `event_loop_overlap_disagg_prefill`, which extend the waiting
 * queue with `pop_bootstrapped()` before forming a batch; decode.py (0035ca42c2d615f77778ce3bf825d6ce6e089661
 * for `DecodePreallocQueue._pre_alloc` and `DecodeTransferQueue`), whose `event_loop_normal_disagg_decode`
 * and `event_loop_overlap_disagg_decode` call `recv_requests()`, `process_input_requests()` and then
 * `process_decode_queue()` (`pop_preallocated`, then `pop_transferred`) on every iteration, in each
 * version stored from v0.4.6 on.
 *
 * The simulator pairs such a request with its decode replica at arrival; where that replica's gate
 * holds it (a step is running and the counter has not reached the interval), the request waits there
 * (`SimReplica.awaitingRecv`) and goes to its prefill replica when the gate opens or the replica idles;
 * its KV then joins that decode replica past the gate (`SimReplica.received`).
 */
export function decodeGatesPrefill(decodeReplicas: readonly SimReplica[]): boolean {
  return decodeReplicas.some(recvGated);
}
