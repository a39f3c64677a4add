import { ACTIVATION_BYTES, type WeightDtype } from '../model/dtypes.js';
import { NVFP4_DISPATCH_BYTES_PER_VALUE } from './deepep.js';

/**
 * What TensorRT-LLM's attention-DP MoE layers move between the EP ranks, per GPU and per phase.
 *
 * Its throughput all-to-all (NVLinkOneSided, the MNNVL path) sends a token once to each rank that holds
 * at least one of its top-k experts, not once per expert: `moeA2ADispatchKernel` keeps an
 * `already_copied` bitmask of target ranks and skips a rank it has written to (NVIDIA/TensorRT-LLM
 * cpp/tensorrt_llm/kernels/communicationKernels/moeAlltoAllKernels.cu @01f0021387f7); the combine reads
 * one partial sum back per such rank (`vectorized_combine_impl`, same file). With nvfp4 experts the
 * dispatch carries the already quantized activations (`use_postquant_alltoall` =
 * TRTLLM_MOE_POST_QUANT_ALLTOALLV, default "1", and `quant_mode.has_nvfp4()`,
 * tensorrt_llm/_torch/modules/fused_moe/fused_moe_cutlass.py), half a byte a value plus an fp8 scale
 * per 16; other formats and the combine move BF16. Releases that turned the all-to-all on only above
 * EP = top-k (same file, `select_alltoall_method_type`) all-gathered the fp4 activations and
 * reduce-scattered the BF16 outputs instead: (EP − 1) × tokens × hidden each way, within 10% of these
 * bytes at EP 2–4 (the attention-DP prefill servers), 1.5× them at EP 8. The MNNVL path needs only every
 * NVLink up (`MnnvlMemory.supports_mnnvl`, tensorrt_llm/_mnnvl_utils.py): NVL72 racks and HGX NVSwitch
 * nodes alike, so it is priced on both.
 */

/**
 * Expected number of EP ranks holding at least one of a token's `topK` experts, drawn without
 * replacement from `experts` placed in contiguous blocks of experts / ep per rank (balanced routing).
 */
export function distinctRanksPerToken(experts: number, topK: number, ep: number): number {
  if (ep <= 1) return 1;
  const perRank = experts / ep;
  // P(a given rank holds none of the k experts) = C(experts − perRank, k) / C(experts, k).
  let missProbability = 1;
  for (let i = 0; i < topK; i++) missProbability *= Math.max(0, experts - perRank - i) / (experts - i);
  return ep * (1 - missProbability);
}

/** Bytes a value of TensorRT-LLM's dispatch: NVFP4 with nvfp4 experts (post-quant all-to-all), else BF16. */
export function trtllmDispatchBytesPerValue(weightDtype: WeightDtype): number {
  return weightDtype === 'nvfp4' ? NVFP4_DISPATCH_BYTES_PER_VALUE : ACTIVATION_BYTES;
}

/**
 * Bytes one GPU sends in TensorRT-LLM's dispatch and receives in its combine: its share of the replica's
 * `tokens` (a TP group's GPUs split them), once per distinct target rank, the busiest rank `imbalance`
 * times the mean.
 */
export function trtllmAllToAllBytes(options: {
  tokens: number;
  hidden: number;
  experts: number;
  topK: number;
  tp: number;
  ep: number;
  imbalance: number;
  weightDtype: WeightDtype;
}): { dispatch: number; combine: number } {
  const { tokens, hidden, experts, topK, tp, ep, imbalance, weightDtype } = options;
  const copies = (tokens / Math.min(tp, ep)) * distinctRanksPerToken(experts, topK, ep) * imbalance;
  return {
    dispatch: copies * hidden * trtllmDispatchBytesPerValue(weightDtype),
    combine: copies * hidden * ACTIVATION_BYTES,
  };
}
