import type { LayerCostSetup } from '../model/cost.js';
import { ACTIVATION_BYTES, type WeightDtype } from '../model/dtypes.js';

/**
 * MoE tensor parallelism over an EP group of attention-DP ranks (Plan.moeTensorParallel): TensorRT-LLM
 * with `enable_attention_dp` and `moe_expert_parallel_size: 1` (its Mapping then sets moe_tp_size =
 * tp_size). Its MoE layers cannot all-to-all under MoE TP (NVIDIA/TensorRT-LLM
 * tensorrt_llm/_torch/modules/fused_moe/fused_moe_trtllm_gen.py @026946f023d1,
 * `select_alltoall_method_type`: "AlltoAll cannot support MoE TP"; the same rule in
 * communication/communication_factory.py @03c36d62, `AllGatherReduceScatter`), so `forward_impl` runs
 * `run_post_quant_allgather`: each rank quantizes its tokens (`fp8_quantize_1x128` for block-scaled fp8
 * experts, nvfp4 for nvfp4 ones), all-gathers them over the group, runs its 1/moe_tp slice of every
 * expert over the whole group's tokens, and reduce-scatters the 16-bit outputs back to their ranks.
 * vLLM's `--data-parallel-size` without `--enable-expert-parallel` runs the same layout over DP × TP GPUs,
 * gathering the 16-bit hidden states (config/engines/data-parallel-experts.ts cites the source).
 */

/** The MoE kernel's degrees for a table lookup: its TP slice and EP split of the experts. */
export function moeKernelDegrees(setup: LayerCostSetup): { tp: number; ep: number } {
  if (setup.moeTensorParallel) return { tp: setup.ep, ep: 1 };
  return { tp: setup.ep > 1 ? 1 : setup.tp, ep: setup.ep };
}

/**
 * Bytes a value of the all-gathered MoE input: TensorRT-LLM quantizes it for fp8 and nvfp4 experts before
 * the gather; the 16-bit hidden state otherwise, and for any other engine (no source read here has one
 * gather quantized tokens).
 */
function gatheredBytesPerValue(weightDtype: WeightDtype, quantizesBeforeGather: boolean): number {
  if (quantizesBeforeGather && weightDtype === 'fp8') return 1 + 4 / 128; // fp32 scale per 128 values
  if (quantizesBeforeGather && weightDtype === 'nvfp4') return 0.5 + 1 / 16; // fp8 scale per 16
  return ACTIVATION_BYTES;
}

/**
 * NCCL message sizes of one layer's all-gather and reduce-scatter on each GPU, as nccl-tests (and the
 * measured tables) size them: the all-gather's whole output, every rank's `rankTokens` quantized; the
 * reduce-scatter's whole input, the group's tokens in 16 bits.
 */
export function moeTensorParallelMessages(options: {
  rankTokens: number;
  hidden: number;
  groupRanks: number;
  weightDtype: WeightDtype;
  quantizesBeforeGather: boolean;
}): { allGather: number; reduceScatter: number } {
  const { rankTokens, hidden, groupRanks, weightDtype, quantizesBeforeGather } = options;
  const values = rankTokens * groupRanks * hidden;
  const gathered = gatheredBytesPerValue(weightDtype, quantizesBeforeGather);
  return { allGather: values * gathered, reduceScatter: values * ACTIVATION_BYTES };
}
