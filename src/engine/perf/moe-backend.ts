import { z } from 'zod';
import type { EngineBackend } from '../opdb/systems.js';

/**
 * The kernel an engine runs a MoE layer's routed experts with, where its launch chooses one (TensorRT-LLM
 * `moe_config.backend`, vLLM's MoE environment variables). Absent: the engine's default for the GPU and
 * format (perf/serving-engine.ts ENGINE_KERNELS, the tables' own kernel).
 *
 * - `deepgemm`: TensorRT-LLM `moe_config.backend: DEEPGEMM`, block-scaled fp8 experts as DeepGEMM's
 *   grouped GEMMs (tensorrt_llm/_torch/modules/fused_moe/fused_moe_deepgemm.py), priced from its dense
 *   fp8_block GEMM table (op-timer.ts groupedOnDenseKernel). TensorRT-LLM's default for block-scaled fp8
 *   on Blackwell (NVIDIA/TensorRT-LLM docs/source/deployment-guide/quick-start-recipe-for-deepseek-r1-on-trtllm.md
 *   @a98a9061: "B200/GB200 EP<=8 | FP8 | DEEPGEMM").
 * - `trtllm-gen`: the trtllm-gen fused MoE kernels (routing, both grouped GEMMs and the finalize in one
 *   runner): TensorRT-LLM `moe_config.backend: TRTLLM` (TRTLLMGenFusedMoE, NVIDIA/TensorRT-LLM
 *   tensorrt_llm/_torch/modules/fused_moe/fused_moe_trtllm_gen.py @7b437aaa, forward_impl: for DeepSeek's
 *   fp8 block scales `fp8_quantize_1x128(x)`, then `fp8_block_scale_moe_runner(router_logits, …)`, "routing
 *   kernel is integrated into moe_runner for fp8"), and vLLM's FlashInfer TRT-LLM
 *   backends, which call the same kernels through FlashInfer (flashinfer.fused_moe
 *   trtllm_fp8_block_scale_moe, trtllm_fp4_block_scale_moe). Priced from the MoE table of a kernel whose
 *   name says trtllm: aiconfigurator measured it in vLLM (`vllm_fp8moe_flashinfer_trtllm_…`) where
 *   TensorRT-LLM's own table lacks the format.
 * - `trtllm-gen-mxfp8`: the trtllm-gen kernel for mxfp4 weights with the activations quantized to mxfp8
 *   (vLLM `VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8=1`: Mxfp4Backend.SM100_FI_MXFP4_MXFP8_TRTLLM on SM100,
 *   vllm-project/vllm vllm/model_executor/layers/quantization/mxfp4.py @007d5005, get_mxfp4_backend;
 *   without it SM100 runs SM100_FI_MXFP4_BF16, bf16 activations). Priced from the tables'
 *   `w4a8_mxfp4_mxfp8` kernel (perf/transferred-moe.ts).
 * - `marlin`: vLLM's Marlin W4A16 MoE kernel for mxfp4 experts (`VLLM_MXFP4_USE_MARLIN=1`; the same
 *   get_mxfp4_backend returns Mxfp4Backend.MARLIN), perf/marlin-moe.ts.
 * - `cutlass`: TensorRT-LLM `moe_config.backend: CUTLASS`, its CUTLASS fused MoE (routing, permute, two
 *   CUTLASS grouped GEMMs, finalize; MoeConfig's declared default, NVIDIA/TensorRT-LLM
 *   tensorrt_llm/llmapi/llm_args.py @fcd3f316: `backend: Literal["CUTLASS", …] = Field(default='CUTLASS')`).
 *   Priced from a MoE table's kernel whose name says cutlass (CUTLASS_KERNEL): TensorRT-LLM's own
 *   (`moe_torch_flow_cutlass`, Hopper and RTX PRO 6000), else FlashInfer's `cutlass_fused_moe` as vLLM
 *   measured it (`…_flashinfer_cutlass_flashinferexperts`), taken as the same kernel family; at the
 *   model's expert shape where measured, else its efficiency carried from the nearest measured shape
 *   (perf/transferred-moe.ts).
 * - `triton`: vLLM's Triton fused MoE (TritonExperts) for fp8 experts where the launch turns the
 *   FlashInfer and DeepGEMM MoE backends off (`VLLM_USE_FLASHINFER_MOE_FP8=0 VLLM_MOE_USE_DEEP_GEMM=0`):
 *   vLLM's fp8 MoE oracle then removes FLASHINFER_TRTLLM, FLASHINFER_CUTLASS and DEEPGEMM from its
 *   priority list, Fp8MoEMethod passes `allow_vllm_cutlass=False`, and the first supported backend left
 *   on CUDA is TRITON (vllm-project/vllm vllm/model_executor/layers/fused_moe/oracle/fp8.py @001a058b,
 *   select_fp8_moe_backend: "If the user rejects FlashInfer remove those backends", the same for DeepGEMM
 *   where VLLM_MOE_USE_DEEP_GEMM is set false). On Blackwell, where the default is FlashInfer's
 *   trtllm-gen kernel, that is 1.2–1.6× its time at decode sizes (SGLang's B300 tables, MiniMax-M2's
 *   experts at TP 4: 53 against 45 µs at 4 tokens, 257 against 163 µs at 32). Priced from a MoE table's
 *   kernel whose name says triton (TRITON_KERNEL): vLLM's own where measured, else SGLang's
 *   `sglang_fused_moe_triton` (SGLang's fused_moe_triton is vLLM's fused_moe kernel, adapted), on this
 *   GPU or one of its class, efficiency transferred (measured-layer.ts). SGLang runs the same kernel,
 *   adapted, with `--moe-runner-backend triton` (its default where no FlashInfer or DeepGEMM runner
 *   applies: Hopper's block-scaled fp8 tables measured it), timed from its own `sglang_fused_moe_triton` rows.
 *
 * SGLang's `--moe-runner-backend` names these kernels (sgl-project/sglang python/sglang/srt/layers/moe/
 * utils.py @d737979cbd17c6162f39c1953cfa72d3d23cc0d0, `MoeRunnerBackend`: auto, deep_gemm, triton,
 * triton_kernel, flashinfer_trtllm, flashinfer_cutlass, flashinfer_mxfp4, flashinfer_cutedsl, cutlass,
 * marlin, …): `flashinfer_trtllm` is FlashInfer's trtllm-gen fused MoE (`trtllm-gen`; what aiconfigurator
 * measured SGLang's Blackwell MoE with, `sglang_flashinfer_trtllm_moe`), `flashinfer_cutlass` FlashInfer's
 * cutlass_fused_moe (`cutlass`, timed from SGLang's own `sglang_flashinfer_cutlass_moe` rows), `triton`
 * the fused Triton kernel. `flashinfer_cutedsl` (FlashInfer's CuteDSL masked grouped GEMM that the DeepEP
 * low-latency path runs, `is_flashinfer_cutedsl_v1_path` in the same file) and `deep_gemm` have no MoE
 * table here: config/knobs/moe-backend.ts reads them as the tables' own kernel.
 */
export const MOE_BACKENDS = [
  'deepgemm',
  'trtllm-gen',
  'trtllm-gen-mxfp8',
  'marlin',
  'cutlass',
  'triton',
] as const;
export const MoeBackend = z.enum(MOE_BACKENDS);
export type MoeBackend = z.infer<typeof MoeBackend>;

interface MoeBackendFacts {
  /** The engines that have it, and how their launch selects it. */
  engines: Partial<Record<EngineBackend, string>>;
  /** For --help and the docs: what it runs. */
  summary: string;
}

export const MOE_BACKEND_FACTS: Readonly<Record<MoeBackend, MoeBackendFacts>> = {
  deepgemm: {
    engines: { trtllm: 'moe_config: {backend: DEEPGEMM}' },
    summary: "block-scaled fp8 experts as DeepGEMM's grouped GEMMs (TensorRT-LLM's Blackwell default)",
  },
  'trtllm-gen': {
    engines: {
      trtllm: 'moe_config: {backend: TRTLLM}',
      vllm: "its FlashInfer TRT-LLM MoE backends (the kernels aiconfigurator's B200 vLLM tables measured)",
      sglang: '--moe-runner-backend flashinfer_trtllm',
    },
    summary: 'the trtllm-gen fused MoE kernels (routing, grouped GEMMs, finalize in one runner)',
  },
  'trtllm-gen-mxfp8': {
    engines: { vllm: 'VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8=1' },
    summary: 'trtllm-gen for mxfp4 experts with mxfp8 activations',
  },
  marlin: {
    engines: { vllm: 'VLLM_MXFP4_USE_MARLIN=1' },
    summary: "Marlin's W4A16 grouped GEMM for mxfp4 experts",
  },
  cutlass: {
    engines: { trtllm: 'moe_config: {backend: CUTLASS}', sglang: '--moe-runner-backend flashinfer_cutlass' },
    summary: 'the CUTLASS fused MoE (routing, CUTLASS grouped GEMMs, finalize)',
  },
  triton: {
    engines: {
      vllm: 'VLLM_USE_FLASHINFER_MOE_FP8=0 VLLM_MOE_USE_DEEP_GEMM=0 (fp8 experts)',
      sglang: '--moe-runner-backend triton',
    },
    summary:
      "the Triton fused MoE (vLLM's fp8 fallback when FlashInfer and DeepGEMM are off; SGLang's runner)",
  },
};

/** Whether `engine` has the MoE backend at all (what its launch can select). */
export function engineHasMoeBackend(engine: EngineBackend, backend: MoeBackend): boolean {
  return MOE_BACKEND_FACTS[backend].engines[engine] !== undefined;
}

/** The engines that have `backend`, as help and errors list them. */
export function enginesWithMoeBackend(backend: MoeBackend): string[] {
  return Object.keys(MOE_BACKEND_FACTS[backend].engines);
}

/** `--moe-backend` help: each value, what it runs and how each engine selects it. */
export function describeMoeBackends(): string {
  return MOE_BACKENDS.map((b) => {
    const facts = MOE_BACKEND_FACTS[b];
    const how = Object.entries(facts.engines)
      .map(([engine, flag]) => `${engine}: ${flag}`)
      .join('; ');
    return `${b}: ${facts.summary} (${how})`;
  }).join('. ');
}

/** The kernels of a MoE table that are the trtllm-gen family, by aiconfigurator's kernel_source names. */
export const TRTLLM_GEN_KERNEL = /trtllm/i;

/** The kernels of a MoE table that are CUTLASS fused MoE ones, by aiconfigurator's kernel_source names. */
export const CUTLASS_KERNEL = /cutlass/i;

/** The kernels of a MoE table that are Triton fused MoE ones, by aiconfigurator's kernel_source names. */
export const TRITON_KERNEL = /triton/i;

/** The kernel-name pattern a backend's measurements go by, where a MoE table names its kernels so. */
export function kernelPatternOf(backend: MoeBackend | undefined): RegExp | undefined {
  if (backend === 'trtllm-gen') return TRTLLM_GEN_KERNEL;
  if (backend === 'cutlass') return CUTLASS_KERNEL;
  if (backend === 'triton') return TRITON_KERNEL;
  return undefined;
}

/**
 * Whether the launch's backend is read from its own kernel family's rows only (the model's shape, else
 * that family's efficiency at the nearest shape): CUTLASS and Triton, whose tables also hold the engine's
 * default kernel at the same shapes. No other engine's CUTLASS stands in; another engine's Triton does
 * where the engine measured none (measured-layer.ts).
 */
export function pinsMeasuredKernel(backend: MoeBackend | undefined): backend is 'cutlass' | 'triton' {
  return backend === 'cutlass' || backend === 'triton';
}
