// vLLM replays CUDA graphs only for steps of up to its largest captured size: a larger step runs eagerly.
import type { ModelFamily } from '../model/spec.js';
import type { ServingEngine } from './serving-engine.js';

/**
 * vLLM's default ceiling on the captured sizes (vllm-project/vllm vllm/config/vllm.py `_set_cudagraph_sizes`:
 * `max_cudagraph_capture_size = min(max_num_seqs * decode_query_len * 2, 512)` where the launch sets none,
 * then `min(max_num_batched_tokens, ...)`; decode_query_len is 1 + the speculative tokens).
 */
export const VLLM_DEFAULT_MAX_CAPTURE_TOKENS = 512;

/**
 * Ceilings a model class sets for itself where the launch sets none. vLLM runs each architecture's
 * `verify_and_update_config` first in `VllmConfig.__post_init__` (`try_verify_and_update_config`), before
 * the sizes are derived. gpt-oss (`GptOssForCausalLMConfig`, vllm-project/vllm
 * vllm/model_executor/models/config.py @1936cf3841edb9781b06c50fc4daf4bac9d3b23e): "Only override when the
 * user has not set either of cudagraph_capture_sizes or max_cudagraph_capture_size" →
 * `max_cudagraph_capture_size = 1024` ("Increase the max capture size from 512 to 1024 for performance";
 * 992 in earlier versions, @0144dd5b0d2d9ef9ac2651a3ab6efa83d0497ea9, where FA3's full graphs stopped).
 */
const VLLM_MODEL_MAX_CAPTURE_TOKENS: Partial<Record<ModelFamily, number>> = { gpt_oss: 1024 };

/**
 * The ceiling a step model assumes where no pool's scheduler resolved it (withCaptureTokens): the model
 * class's own, else vLLM's default.
 */
export function vllmUnresolvedCaptureTokens(family: ModelFamily): number {
  return VLLM_MODEL_MAX_CAPTURE_TOKENS[family] ?? VLLM_DEFAULT_MAX_CAPTURE_TOKENS;
}

/** The scheduler limits vLLM sizes its graphs from. */
export interface CaptureLimits {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  /** Speculative tokens a decode step verifies per sequence (0 without speculation). */
  speculativeTokens: number;
  /** The served model's architecture: some raise the default ceiling (VLLM_MODEL_MAX_CAPTURE_TOKENS). */
  family?: ModelFamily;
}

/**
 * The largest step, in tokens, that vLLM replays from a CUDA graph: the launch's
 * `max_cudagraph_capture_size` (ServingEngine.cudaGraphMaxTokens), else the model class's own, else vLLM's
 * default, never above
 * max_num_batched_tokens. Its dispatcher (vllm/v1/cudagraph_dispatcher.py `dispatch`) finds no graph key
 * for a larger step and returns CUDAGraphMode.NONE: every prompt step of more tokens launches eagerly.
 */
export function vllmCaptureTokens(
  engine: Pick<ServingEngine, 'cudaGraphMaxTokens'>,
  limits: CaptureLimits,
): number {
  const modelDefault = limits.family ? VLLM_MODEL_MAX_CAPTURE_TOKENS[limits.family] : undefined;
  const chosen =
    engine.cudaGraphMaxTokens ??
    modelDefault ??
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
