import type { HardwareSpec } from '../hardware/spec.js';
import type { ExpertWeightLayout } from '../memory/expert-layout.js';
import { partWeightFormat, weightLayoutOf } from '../model/checkpoint.js';
import type { WeightDtype } from '../model/dtypes.js';
import type { ModelSpec } from '../model/spec.js';
import type { MoeBackend } from './moe-backend.js';

/**
 * How a serving engine lays out mxfp4 routed experts (gpt-oss) in GPU memory, by the kernel it runs them
 * with: the memory model's MemorySettings.expertLayout. Only vLLM is known to hold more than the
 * checkpoint's bytes; every other engine, and vLLM on experts of any other format, keeps the checkpoint's.
 *
 * vLLM picks the kernel in get_mxfp4_backend and sizes the weights in Mxfp4MoEMethod.create_weights and
 * process_weights_after_loading (vllm-project/vllm vllm/model_executor/layers/quantization/mxfp4.py
 * @007d50058a06dec0f82472d63c819244d460c40d; the same at @afdb4a4ff429377d0fcfac3752e814ffc36ea41d):
 * - Hopper (SM90): OpenAI's Triton kernels (Mxfp4Backend.TRITON; FlashInfer's SM90 backend only with
 *   VLLM_USE_FLASHINFER_MOE_MXFP4_BF16). create_weights pads the width per rank to a multiple of 64
 *   (`round_up(intermediate_size_per_partition, 64)`, the hidden size unpadded); process_weights_after_
 *   loading widens both biases to fp32 and swizzles weights and scales into new tensors for
 *   triton_kernels' PrecisionConfig, then deletes the old weights (`del layer.w13_weight`) but not the old
 *   scales (`layer.w13_weight_scale`, `layer.w2_weight_scale` stay registered): two copies of the scales.
 * - Blackwell (SM100 family): FlashInfer's trtllm-gen MoE (SM100_FI_MXFP4_BF16, or _MXFP8_TRTLLM with
 *   VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8): hidden size and width per rank padded to multiples of 256
 *   (`round_up(…, 256)`); the shuffled weights and scales replace the loaded ones, the biases become fp32
 *   (`w13_bias = layer.w13_bias.data.to(torch.float32)`, "fp32 per expert per channel").
 * - Marlin (VLLM_MXFP4_USE_MARLIN=1, and every GPU the two above do not cover: Ampere, Ada, the RTX
 *   Blackwell sm_120, where triton_kernels needs 9.0 ≤ capability < 11.0): hidden padded to 256 and width
 *   per rank to 128 ("n % 256 == 0 and k % 128 == 0"); prepare_moe_fp4_layer_for_marlin replaces weights,
 *   scales (e8m0, one byte) and biases (params_dtype, 16-bit) with their repacked copies
 *   (vllm/model_executor/layers/quantization/utils/marlin_utils_fp4.py
 *   @00d52e93333741b205e70acb9217a2849f173696): nothing held twice.
 * AMD GPUs (ROCm's Triton path, padded to get_padding_alignment()) are not modelled: the checkpoint's bytes.
 */
export const VLLM_MXFP4_LAYOUTS = {
  triton: {
    label: 'vLLM Triton MXFP4 MoE (Hopper)',
    hiddenMultiple: 1,
    widthMultiple: 64,
    scaleCopies: 2,
    biasBytes: 4,
  },
  flashinfer: {
    label: 'vLLM FlashInfer MXFP4 MoE (Blackwell)',
    hiddenMultiple: 256,
    widthMultiple: 256,
    scaleCopies: 1,
    biasBytes: 4,
  },
  marlin: {
    label: 'vLLM Marlin MXFP4 MoE',
    hiddenMultiple: 256,
    widthMultiple: 128,
    scaleCopies: 1,
    biasBytes: 2,
  },
} as const satisfies Record<string, ExpertWeightLayout>;

export type VllmMxfp4Kernel = keyof typeof VLLM_MXFP4_LAYOUTS;

/**
 * The kernel vLLM's get_mxfp4_backend picks for mxfp4 experts on `hardware` (see VLLM_MXFP4_LAYOUTS).
 * VLLM_MXFP4_USE_MARLIN (MoE backend `marlin`) is read only after the FlashInfer branches, so on
 * Blackwell, where FlashInfer's SM100 backend is taken first, it changes nothing.
 */
export function vllmMxfp4Kernel(
  hardware: HardwareSpec,
  moeBackend?: MoeBackend,
): VllmMxfp4Kernel | undefined {
  switch (hardware.deviceClass) {
    case 'nvidia-hopper':
      return moeBackend === 'marlin' ? 'marlin' : 'triton';
    case 'nvidia-blackwell':
      return 'flashinfer';
    case 'nvidia-ampere':
    case 'nvidia-ada':
    case 'nvidia-blackwell-rtx':
      return 'marlin';
    default:
      return undefined;
  }
}

/** The engine as far as its weight layout goes: which engine, and the MoE kernel its launch chose. */
export interface WeightLayoutEngine {
  id: string;
  moeBackend?: MoeBackend;
}

/**
 * The layout `engine` holds `model`'s routed experts in on `hardware` when loaded in `weightDtype`, for
 * MemorySettings.expertLayout; undefined where it holds the checkpoint's bytes (or no engine is named).
 */
export function engineExpertLayout(
  engine: WeightLayoutEngine | undefined,
  hardware: HardwareSpec,
  model: ModelSpec,
  weightDtype: WeightDtype,
): ExpertWeightLayout | undefined {
  if (engine?.id !== 'vllm' || !model.moe) return undefined;
  if (partWeightFormat(weightLayoutOf(model, weightDtype), 'experts').dtype !== 'mxfp4') return undefined;
  const kernel = vllmMxfp4Kernel(hardware, engine.moeBackend);
  return kernel ? VLLM_MXFP4_LAYOUTS[kernel] : undefined;
}
