// vLLM replays CUDA graphs only for steps of up to its largest captured size: a larger step runs eagerly.
import type { ServingEngine } from './serving-engine.js';

/**
 * vLLM's default ceiling on the captured sizes (vllm-project/vllm vllm/config/vllm.py `_set_cudagraph_sizes`:
 * `max_cudagraph_capture_size = min(max_num_seqs * decode_query_len * 2, 512)` where the launch sets none,
 * then `min(max_num_batched_tokens, ...)`; decode_query_len is 1 + the speculative tokens).
 */
export const VLLM_DEFAULT_MAX_CAPTURE_TOKENS = 512;

/** The scheduler limits vLLM sizes its graphs from. */
export interface CaptureLimits {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  /** Speculative tokens a decode step verifies per sequence (0 without speculation). */
  speculativeTokens: number;
}

/**
 * The largest step, in tokens, that vLLM replays from a CUDA graph: the launch's
 * `max_cudagraph_capture_size` (ServingEngine.cudaGraphMaxTokens) or vLLM's default, never above
 * max_num_batched_tokens. Its dispatcher (vllm/v1/cudagraph_dispatcher.py `dispatch`) finds no graph key
 * for a larger step and returns CUDAGraphMode.NONE: every prompt step of more tokens launches eagerly.
 */
export function vllmCaptureTokens(
  engine: Pick<ServingEngine, 'cudaGraphMaxTokens'>,
  limits: CaptureLimits,
): number {
  const chosen =
    engine.cudaGraphMaxTokens ??
    Math.min(limits.maxNumSeqs * (1 + limits.speculativeTokens) * 2, VLLM_DEFAULT_MAX_CAPTURE_TOKENS);
  return Math.max(1, Math.min(chosen, limits.maxNumBatchedTokens));
}

/**
 * The engine with its graph ceiling resolved from the pool's scheduler (vLLM with graphs on), for the step
 * model; any other engine as it is.
 */
export function withCaptureTokens<E extends ServingEngine | undefined>(engine: E, limits: CaptureLimits): E {
  if (engine?.id !== 'vllm' || !engine.cudaGraphs) return engine;
  return { ...engine, cudaGraphMaxTokens: vllmCaptureTokens(engine, limits) };
}
