import { RequestStatus } from '../sched/request.js';
import type { WorkloadRequest } from '../workload/types.js';
import type { SimRequest } from './replica.js';

const noHashes: readonly number[] = [];

/**
 * The `max_tokens` requests ask for: one number for all, or `'output'`, each its own output length, as
 * a benchmark client sends it with `ignore_eos` (SemiAnalysisAI/InferenceX
 * utils/bench_serving/backend_request_func.py @10081450dedfdc7ed144197b9c969237eb800e1b,
 * `async_request_openai_completions`: `"max_tokens": request_func_input.output_len`, the length drawn
 * for that request).
 */
export type MaxTokens = number | 'output';

/**
 * The simulator's requests, in arrival order: `order` (indices into `source`), or `source`'s own where
 * null. `prefillOnly`: each leaves its replica after its first token (a disaggregated prefill pool).
 * `maxSequenceTokens`: the longest sequence the deployment serves (max-model-len, or the whole KV cache
 * where that is less). A trace records what a request produced, not its `max_tokens`, so a scheduler
 * plans for what an OpenAI server allows without one: the rest of that limit after the prompt, or
 * `maxTokens` where the caller says what requests ask for (`'output'`: each its own output length).
 * The true length only decides when the request finishes.
 */
export function simRequests(
  source: readonly WorkloadRequest[],
  order: readonly number[] | null,
  prefillOnly: boolean,
  maxSequenceTokens: number,
  maxTokens: MaxTokens = Number.POSITIVE_INFINITY,
): SimRequest[] {
  const requests: SimRequest[] = new Array(source.length);
  for (let i = 0; i < source.length; i++) {
    const w = source[order ? order[i] : i];
    const promptTokens = Math.max(1, Math.round(w.promptTokens));
    const outputTokens = Math.max(1, Math.round(w.outputTokens));
    // One literal with every field, not newSchedRequest spread into a SimRequest: the spread object took
    // a slower shape, and the simulator ran 6-7x slower with 2-5x the memory (bench/sim.ts).
    requests[i] = {
      id: i,
      promptTokens,
      maxOutputTokens:
        maxTokens === 'output'
          ? outputTokens
          : Math.max(outputTokens, Math.min(maxTokens, maxSequenceTokens - promptTokens)),
      blockHashes: w.hashIds ?? noHashes,
      priority: w.priority ?? 0,
      generated: 0,
      computed: 0,
      status: RequestStatus.Waiting,
      scheduledTokens: 0,
      inFlight: false,
      blocks: 0,
      sharedHashes: 0,
      prefixPublished: false,
      cachedPromptTokens: 0,
      preemptions: 0,
      prefillOnly,
      arrival: w.arrival,
      outputTokens,
      firstScheduled: -1,
      firstToken: -1,
      lastToken: -1,
      finish: -1,
      maxGap: 0,
      gapsOverTbt: 0,
      kvTransferSeconds: 0,
      decodeReplica: -1,
      prefillReplica: -1,
      failed: false,
      className: w.className,
      nextTurn: -1,
      thinkSeconds: w.thinkSeconds ?? 0,
      pinnedHashes: 0,
      pinnedOn: -1,
      specTokens: 0,
      acceptance: w.acceptance ?? -1,
      specAccepted: 0,
      specTrials: 0,
      specDrafted: 0,
      specEmitted: 0,
    };
  }
  return requests;
}
