import type { SchedulerPolicyChoice, StepKnobs } from './types.js';

/**
 * In-flight batching (TGI, TensorRT-LLM) as the simulator runs it. With chunked prefill (TGI v3 always,
 * TensorRT-LLM's enable_chunked_context) prompts share steps with decodes under a token budget, else
 * whole prompts go first. TensorRT-LLM's batch waiting (config/knobs/batch-wait.ts), where a file sets it,
 * holds new prompts back as the engine's scheduler does (sched/config.ts batchWaitIters).
 */
export function inFlightBatching(knobs: StepKnobs): SchedulerPolicyChoice {
  return {
    policy: knobs.chunkedPrefill ? 'sarathi' : 'orca',
    maxNumBatchedTokens: knobs.maxNumBatchedTokens,
    ...(knobs.batchWaitIters ? { batchWaitIters: knobs.batchWaitIters } : {}),
    ...(knobs.batchWaitTokensRatio !== undefined ? { batchWaitTokensRatio: knobs.batchWaitTokensRatio } : {}),
  };
}
