import type { SchedulerPolicyChoice, StepKnobs } from './types.js';

/**
 * In-flight batching (TGI, TensorRT-LLM) as the simulator runs it. With chunked prefill (TGI v3 always,
 * TensorRT-LLM's enable_chunked_context) prompts share steps with decodes under a token budget, else
 * whole prompts go first.
 */
export function inFlightBatching(knobs: StepKnobs): SchedulerPolicyChoice {
  return {
    policy: knobs.chunkedPrefill ? 'sarathi' : 'orca',
    maxNumBatchedTokens: knobs.maxNumBatchedTokens,
  };
}
