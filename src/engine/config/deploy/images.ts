import type { EngineId } from '../engines/index.js';

/**
 * The image each emitted deployment runs, pinned so the engine version (and what its settings mean) is
 * known: vLLM 0.12 honours chunked prefill switched off, which 0.8–0.11 ignore.
 */
export const ENGINE_IMAGES: Record<EngineId, string> = {
  vllm: 'vllm/vllm-openai:v0.12.0',
  sglang: 'lmsysorg/sglang:v0.5.3-cu126',
  tgi: 'ghcr.io/huggingface/text-generation-inference:3.3.4',
  trtllm: 'nvcr.io/nvidia/tensorrt-llm/release:1.0.0',
};

/** Dynamo's runtime image per engine (its workers run `python3 -m dynamo.<engine>`). */
export const DYNAMO_IMAGES: Partial<Record<EngineId, string>> = {
  vllm: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.5.0',
  sglang: 'nvcr.io/nvidia/ai-dynamo/sglang-runtime:0.5.0',
  trtllm: 'nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.5.0',
};
