import type { HardwareSpec } from '../hardware/spec.js';
import type { ServingEngine } from './serving-engine.js';

/**
 * vLLM 0.12 on Hopper runs block-scaled fp8 experts on DeepGEMM's contiguous grouped GEMM at every
 * batch size, over a worst-case padded row count that does not shrink with the batch. What selects it
 * (vllm-project/vllm, the 0.12 sources):
 * - The fp8 MoE backend: with `VLLM_USE_DEEP_GEMM` and `VLLM_MOE_USE_DEEP_GEMM` at their default 1
 *   (vllm/envs.py @f218f9c24d224800e0ea4488aa71bd8215c8bdcd), block-quantized weights and deep_gemm
 *   installed, get_fp8_moe_backend returns Fp8MoeBackend.DEEPGEMM before its Triton default
 *   (vllm/model_executor/layers/quantization/fp8.py); vLLM's image builds DeepGEMM for 9.0a
 *   (docker/Dockerfile @dead20baf70df70580ecb093f82b0b7b8676e4f5, "Install DeepGEMM from source").
 *   PR #29346 (opened 2025-11-24, merged; before it, DeepSeek-R1 at TP 8 logged "Using DeepGEMM
 *   backend for FP8 MoE") keeps Triton where the MoE's TP size is 8 or more unless the variable is set.
 * - DeepGEMM at decode sizes too: TritonOrDeepGemmExperts takes DeepGEMM where
 *   `is_deep_gemm_e8m0_used() or _valid_deep_gemm(...)` (vllm/model_executor/layers/fused_moe/
 *   triton_deep_gemm_moe.py @8970309548cb6333a54547703cff63027ac8c683, _select_experts_impl); the second
 *   test alone needs 128 rows, but E8M0 is on by default on Hopper since PR #26197 (opened
 *   2025-10-03, merged): vllm/utils/deep_gemm.py @779d1fc154ee91e5decea00ab46e4ba6532c45e9,
 *   is_deep_gemm_e8m0_used returns `envs.VLLM_USE_DEEP_GEMM_E8M0` (default 1) on any supported GPU.
 * - The rows: without per-expert counts on the host (none without an EP all-to-all that returns them),
 *   compute_aligned_M sizes the permuted input at `M * num_topk + local_num_experts * (alignment - 1)`
 *   rounded up to the alignment (128), and deepgemm_moe_permute fills the expert index of every row
 *   past the routed ones with expert 0 (`expert_ids_init = torch.zeros if maybe_has_empty_blocks`), so
 *   both grouped GEMMs compute all of them (vllm/model_executor/layers/fused_moe/deep_gemm_utils.py
 *   @6138c395948dcbd2674eea2521dfaf425d6c002d). For 128 experts that is 16,256 rows more than the
 *   routed ones at any batch: the padding, not the tokens, sets the MoE's time at decode.
 * Later releases change each of these (the padding to the active experts, `-1` rows that DeepGEMM
 * skips, Triton preferred on Hopper), which were not checked version by version: the rule holds for
 * 0.12 only.
 */
export const VLLM_PADDED_DEEPGEMM_MOE = { major: 0, minor: 12 } as const;

/** DeepGEMM's M alignment of the contiguous layout (get_mk_alignment_for_contiguous_layout on SM90). */
export const DEEPGEMM_M_ALIGNMENT = 128;

/** The MoE TP size from which vLLM keeps Triton for block-scaled fp8 experts (PR #29346). */
const TRITON_FROM_MOE_TP = 8;

/**
 * Whether `engine` runs the routed experts as vLLM 0.12's padded DeepGEMM grouped GEMMs: vLLM 0.12 on a
 * Hopper GPU, block-scaled fp8 experts (`expertsTableDtype` fp8_block), no MoE backend chosen at launch
 * (a chosen one, e.g. `triton` for VLLM_MOE_USE_DEEP_GEMM=0, wins), an MoE TP size under 8, and no
 * DeepEP all-to-all (its batched layout runs DeepGEMM's masked GEMM over the dispatched tokens instead).
 */
export function runsPaddedDeepGemmMoe(
  engine: ServingEngine | undefined,
  hardware: HardwareSpec,
  expertsTableDtype: string,
  moeTp: number,
  deepEpAllToAll: boolean,
): boolean {
  if (engine?.id !== 'vllm' || engine.moeBackend !== undefined) return false;
  const version = /^v?(\d+)\.(\d+)/.exec(engine.version ?? '');
  if (!version) return false;
  return (
    Number(version[1]) === VLLM_PADDED_DEEPGEMM_MOE.major &&
    Number(version[2]) === VLLM_PADDED_DEEPGEMM_MOE.minor &&
    hardware.deviceClass === 'nvidia-hopper' &&
    expertsTableDtype === 'fp8_block' &&
    moeTp < TRITON_FROM_MOE_TP &&
    !deepEpAllToAll
  );
}

/**
 * The rows both grouped GEMMs compute on one GPU: the routed copies (`routedRows`, tokens × top-k)
 * plus one alignment less a row for each local expert, rounded up to the alignment
 * (compute_aligned_M without host-side counts).
 */
export function paddedDeepGemmRows(routedRows: number, localExperts: number): number {
  const rows = routedRows + localExperts * (DEEPGEMM_M_ALIGNMENT - 1);
  return Math.ceil(rows / DEEPGEMM_M_ALIGNMENT) * DEEPGEMM_M_ALIGNMENT;
}
