import type { EngineId } from '../engines/index.js';

/**
 * Every container image an emitted deployment runs, each pinned to a version tag so what runs (and what
 * its settings mean) is known: vLLM 0.12 honours chunked prefill switched off, which 0.8–0.11 ignore.
 * One place for them all; a test checks that every image in every emitted file carries a version tag.
 */
export const ENGINE_IMAGES: Record<EngineId, string> = {
  vllm: 'vllm/vllm-openai:v0.12.0',
  sglang: 'lmsysorg/sglang:v0.5.3-cu126',
  tgi: 'ghcr.io/huggingface/text-generation-inference:3.3.4',
  trtllm: 'nvcr.io/nvidia/tensorrt-llm/release:1.0.0',
};

/** Dynamo's runtime image per engine (its workers run `python3 -m dynamo.<engine>`; its frontend too). */
export const DYNAMO_IMAGES: Partial<Record<EngineId, string>> = {
  vllm: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.5.0',
  sglang: 'nvcr.io/nvidia/ai-dynamo/sglang-runtime:0.5.0',
  trtllm: 'nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.5.0',
};

/** llm-d's vLLM image; its model service chart runs `vllm serve <model>` before the container's args. */
export const LLMD_IMAGE = 'ghcr.io/llm-d/llm-d:v0.2.0';

/**
 * llm-d's routing sidecar on decode pods: it sends each request's prefill to a prefill pod first. The
 * model service chart requires `routing.proxy.image` when the proxy is on.
 */
export const LLMD_ROUTING_SIDECAR_IMAGE = 'ghcr.io/llm-d/llm-d-routing-sidecar:v0.2.0';

/**
 * vllm-project/router: its release is a Python package (a Rust binary inside), installed at a pinned
 * version into a pinned Python image when the container starts.
 */
export const VLLM_ROUTER = { package: 'vllm-router==0.1.17', image: 'python:3.12.11-slim-bookworm' };

/**
 * The images that pair prefill and decode pools: SGLang's router ships in SGLang's image, TensorRT-LLM's
 * `trtllm-serve disaggregated` in TensorRT-LLM's, vLLM's router installs into `VLLM_ROUTER.image`.
 */
export const ROUTER_IMAGES: Record<'vllm' | 'sglang' | 'trtllm', string> = {
  vllm: VLLM_ROUTER.image,
  sglang: ENGINE_IMAGES.sglang,
  trtllm: ENGINE_IMAGES.trtllm,
};

/**
 * production-stack's disaggregated prefill (its tutorial `values-16-disagg-prefill.yaml`) runs vLLM with
 * LMCache's NIXL transfer, so its engines use LMCache's vLLM image and its router LMCache's router image.
 * The chart's tutorial names only nightly and development builds (`lmcache/vllm-openai:nightly-2025-08-20`,
 * a personal router image); these are the released tags: `lmcache/vllm-openai:v0.3.7` (LMCache 0.3.7,
 * Docker Hub release tag) and `lmcache/lmstack-router:v0.1.12` (the chart's default router repository,
 * Docker Hub release tag; the chart's own default is `latest`). The tutorial was run on the nightly
 * builds only; these released tags are the newest ones known to carry the same components.
 */
export const PRODUCTION_STACK_PD_IMAGES = {
  engine: 'lmcache/vllm-openai:v0.3.7',
  router: 'lmcache/lmstack-router:v0.1.12',
};
