import type { ServingEngine } from '../perf/serving-engine.js';
import type { PoolRole } from './replica.js';

/**
 * SGLang's prefill server of a disaggregated deployment sends each request to the attention-DP rank
 * `bootstrap_room % dp_size`, not in turn. sgl-project/sglang python/sglang/srt/managers/
 * data_parallel_controller.py: the v0.5 releases' `round_robin_scheduler` sends a request in turn only
 * where `disaggregation_mode == "null"`, else to `self.workers[req.bootstrap_room % len(self.workers)]`
 * (a request naming its `data_parallel_rank` aside); later versions (000a3db1c0c42140f14ddab7b4c6dda86de1fa4b)
 * name it `follow_bootstrap_room_scheduler` and server_args.py makes it the prefill role's method, a
 * prefill server's `round_robin` included ("in PD-disaggregation prefill mode, the 'round_robin' load
 * balancing method means `bootstrap_room` routing"). The room is a random 63-bit number drawn per
 * request by whoever pairs the two sides: Dynamo's prefill handler (ai-dynamo/dynamo
 * components/src/dynamo/sglang/request_handlers/llm/prefill_handler.py
 * 02266e7111bca9ed5daa53c803d85cedf4567b2c: `_generate_bootstrap_room()`, `random.randint(0, 2**63 - 1)`
 * in handler_base.py, and no `data_parallel_rank`) and SGLang's own PD load balancer (the same draw). So
 * the ranks of one prefill server get uneven shares of its requests, and in a lockstep EP group the
 * busiest rank sets the step. The server itself is the front end's choice (the pool's router).
 */
export function routesPrefillByRoom(
  engine: ServingEngine | undefined,
  role: PoolRole,
  disaggregated: boolean,
): boolean {
  return disaggregated && role === 'prefill' && engine?.id === 'sglang';
}

/**
 * The rank of `ranks` a request's bootstrap room selects: a fixed hash of the request's index and the
 * run's seed stands for the random room (murmur3's 32-bit finalizer), so runs are reproducible and the
 * choice allocates nothing.
 */
export function roomRank(requestId: number, seed: number, ranks: number): number {
  let h = (requestId ^ Math.imul(seed + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h % ranks;
}
