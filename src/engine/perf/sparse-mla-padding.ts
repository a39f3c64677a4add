import type { DeviceClass } from '../hardware/spec.js';
import type { AttentionPathCoefficients } from '../model/cost.js';
import type { EngineBackend } from '../opdb/systems.js';

/**
 * DeepSeek Sparse Attention's prefill (DeepSeek-V3.2, GLM-5) in vLLM and SGLang runs FlashMLA's sparse
 * kernel, whose 16-bit prefill path takes a multiple of 64 query heads on Hopper and of 128 on Blackwell
 * (SM100/103): with fewer heads per GPU under TP, both engines pad the query with zero heads, and the
 * kernel computes every padded head. GLM-5's 64 heads over TP 8 are 8 per GPU, run as 64 (Hopper) or 128
 * (Blackwell): 8× or 16× the attention of the 8 real heads.
 * - sgl-project/sglang python/sglang/srt/layers/attention/nsa_backend.py @005e8bf8,
 *   `_forward_flashmla_sparse`: "FlashMLA sparse kernel requires num_heads to be a multiple of 64 (Hopper)
 *   or 128 (Blackwell)"; `required_padding = 128 if self.device_sm_major >= 10 else 64`, q zero-padded.
 * - vllm-project/vllm vllm/v1/attention/backends/mla/flashmla_sparse.py @008a0c31, FlashMLASparseImpl:
 *   "Prefill BF16 kernel requires 64 on Hopper, 128 on Blackwell" (`prefill_padding`), the query's heads
 *   rounded up to it.
 * SGLang runs a prefill whose every sequence is within the top-k (max KV length ≤ index_topk) as dense
 * MHA instead (`set_nsa_prefill_impl`: `use_mha`), without the padding.
 */
const HEAD_MULTIPLE: Partial<Record<DeviceClass, number>> = {
  'nvidia-hopper': 64,
  'nvidia-blackwell': 128,
};

const PADDING_ENGINES: ReadonlySet<EngineBackend> = new Set(['vllm', 'sglang']);

/**
 * How many times its real heads' work a GPU's sparse prefill computes (≥ 1): heads per GPU rounded up to
 * the kernel's multiple, over heads per GPU. 1 where the engine or GPU does not run the padded kernel.
 */
export function sparsePrefillPadding(
  engine: EngineBackend | undefined,
  deviceClass: DeviceClass | undefined,
  headsPerGpu: number,
): number {
  const multiple = deviceClass && HEAD_MULTIPLE[deviceClass];
  if (!engine || !PADDING_ENGINES.has(engine) || !multiple || headsPerGpu <= 0) return 1;
  return (Math.ceil(headsPerGpu / multiple) * multiple) / headsPerGpu;
}

/**
 * The sparse prefill's per-GPU coefficients with padded heads: each pair's FLOPs and each token's query
 * and output bytes grow with the heads computed; the latent keys read do not (every head reads the same).
 */
export function paddedSparsePrefill(
  prefill: AttentionPathCoefficients,
  padding: number,
): AttentionPathCoefficients {
  if (padding === 1) return prefill;
  return {
    ...prefill,
    flopsPerPair: prefill.flopsPerPair * padding,
    bytesPerToken: prefill.bytesPerKey + (prefill.bytesPerToken - prefill.bytesPerKey) * padding,
  };
}
