import type { ServingEngine } from '../perf/serving-engine.js';
import { routesPrefillByRoom } from './bootstrap-room.js';
import type { PoolRole, SimReplica } from './replica.js';

/**
 * How one server with attention DP (an EP group of ranks) gives a request it takes to one of its ranks:
 * - bootstrap-room: the request's bootstrap room picks it (SGLang's disaggregated prefill, bootstrap-room.ts);
 * - fewest-active: the server balances its ranks itself (TensorRT-LLM, `fewestActiveRank`);
 * - null: the pool's router picks the rank as it picks any replica.
 */
export type RankDispatch = 'bootstrap-room' | 'fewest-active' | null;

/**
 * TensorRT-LLM's attention-DP servers assign every request they fetch to a rank in their own request
 * queue, whatever the server's role (aggregated, context or generation server), unless the request names
 * a rank (`attention_dp_rank`, which neither trtllm-serve's clients nor Dynamo's frontend without a KV
 * router set): NVIDIA/TensorRT-LLM tensorrt_llm/_torch/pyexecutor/executor_request_queue.py
 * @a98a9061d72f and @007a7508b8f6 (the same rule in both),
 * `_fetch_new_requests_attention_dp` → `_schedule_attention_dp_requests` → `_balance_requests_across_ranks`.
 */
export function rankDispatchOf(
  engine: ServingEngine | undefined,
  role: PoolRole,
  disaggregated: boolean,
): RankDispatch {
  if (routesPrefillByRoom(engine, role, disaggregated)) return 'bootstrap-room';
  return engine?.id === 'trtllm' ? 'fewest-active' : null;
}

/**
 * The rank TensorRT-LLM's attention-DP server gives a new request (`_schedule_attention_dp_requests`,
 * `_balance_requests_across_ranks`, cited above). Each rank reports its active requests and the sum of
 * their prompt lengths (`py_orig_prompt_len`); the expected share is
 * max(⌈(active over all ranks + new) / ranks⌉, the most any rank holds); only ranks below it take new
 * requests, and of those a heap of (prompt tokens, requests, rank) gives each request to the rank with
 * the fewest prompt tokens. Requests arrive here one at a time, so "new" is this one. A rank's active
 * requests are those it runs or holds for its scheduler (waiting, or arrived during a step in flight).
 * Round-robin instead would put a request on a full rank (it waits for a free slot there) while another
 * rank of the same server has room.
 */
export function fewestActiveRank(ranks: readonly SimReplica[]): SimReplica {
  let total = 0;
  let most = 0;
  for (const r of ranks) {
    const active = activeRequests(r);
    total += active;
    if (active > most) most = active;
  }
  const expected = Math.max(Math.ceil((total + 1) / ranks.length), most);
  let best = ranks[0];
  let bestTokens = Number.POSITIVE_INFINITY;
  let bestActive = Number.POSITIVE_INFINITY;
  for (const r of ranks) {
    const active = activeRequests(r);
    if (active >= expected) continue;
    const tokens = activePromptTokens(r);
    // Heap order: fewest tokens, then fewest requests, then the lowest rank.
    if (tokens < bestTokens || (tokens === bestTokens && active < bestActive)) {
      best = r;
      bestTokens = tokens;
      bestActive = active;
    }
  }
  return best;
}

function activeRequests(r: SimReplica): number {
  return r.state.outstanding() + r.incoming.count;
}

/** The prompt tokens of the requests a rank holds: TensorRT-LLM's `py_orig_prompt_len` summed. */
function activePromptTokens(r: SimReplica): number {
  let tokens = r.waitingTokens();
  const { running, swapped } = r.state;
  for (let i = 0; i < running.length; i++) tokens += running[i].promptTokens;
  for (let i = 0; i < swapped.length; i++) tokens += swapped.at(i).promptTokens;
  return tokens;
}
