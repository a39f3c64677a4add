// Steps that carry prompts run without CUDA graphs under TensorRT-LLM: their host time can exceed the GPU's.
import type { ServingEngine } from './serving-engine.js';

/**
 * Host time TensorRT-LLM's PyTorch backend spends per kernel of a step it runs eagerly: the Python
 * module calls, the custom-op dispatch and the launch. Its CUDA graphs replay generation-only batches
 * alone (NVIDIA/TensorRT-LLM tensorrt_llm/_torch/pyexecutor/scheduler.py,
 * b93e14ca093e446615f3009cae6ca5a33c4f2f56: `ScheduledRequests.can_run_cuda_graph` is
 * `not self.context_requests`, and the model engine replays a graph only where it is true), so every
 * step holding a prompt launches each layer's kernels from Python. The GPU waits on the host whenever
 * the step's kernels are shorter than their launches: short prompts on small or widely split models.
 *
 * Fitted, not measured: AIConfigurator's gap-analysis rows of TensorRT-LLM 1.0.0rc3 on H100 give, by
 * the split of mean TPOT over OSL (scripts/split-tpot-by-osl.ts), a floor on a prompt-carrying step of
 * about 17-20 ms for Llama-3.1-8B (385 kernels a step at TP2-TP8, whatever the prompt's length, which
 * shows only where the GPU's share is shorter: 1k prompts at TP4/TP8) and about 100-107 ms for
 * Qwen3-235B-A22B at TP8 × EP8 (1,599 kernels a step, at 256-, 512- and 1k-token prompts alike): 45 to
 * 65 µs a kernel. The decode-only steps between them replay graphs and keep the fitted step overhead.
 */
export const TRTLLM_EAGER_HOST_SECONDS_PER_KERNEL = 50e-6;

/**
 * Whether the host floor is applied for the TensorRT-LLM version: the 1.0 line it was fitted on. Later
 * versions run prompt steps eagerly too under the launches measured (`torch_compile_config`, whose
 * piecewise graphs would cover them, defaults to None), and no measured TTFT of theirs falls below the
 * floor alone; but with the fitted front end the floor over-predicts their fastest rows (gpt-oss-120b TP1
 * on B200 answers a 1k prompt in 35-40 ms all told), so it stays off there: engine-overheads.md,
 * "Checked and not modelled: the eager prompt-step floor beyond 1.0". Unknown versions go without.
 */
function hostFloorFitted(version: string | undefined): boolean {
  return /^v?1\.0(\.|rc|$)/.test(version ?? '');
}

/**
 * The least time a step holding prompts lasts (its kernels plus the 8 µs launches every TensorRT-LLM
 * context step pays, EngineKernels.eagerContextSteps, are held to it), for an engine that runs such steps eagerly while its CUDA
 * graphs are on (TensorRT-LLM 1.0), given the kernels one step launches; 0 where that does not apply
 * (another engine or version, or graphs off: the eager launch cost is then charged on every step).
 */
export function promptStepHostSeconds(engine: ServingEngine | undefined, kernelsPerStep: number): number {
  if (!engine?.cudaGraphs || engine.id !== 'trtllm' || !hostFloorFitted(engine.version)) return 0;
  return kernelsPerStep * TRTLLM_EAGER_HOST_SECONDS_PER_KERNEL;
}
