import { partWeightFormat, type WeightLayout } from '../model/checkpoint.js';
import type { WeightFormat } from '../model/dtypes.js';
import type { ServingEngine } from './serving-engine.js';

/**
 * DeepSeek-V3's own fp8 format: one fp32 scale per 128 × 128 block (the `weight_block_size` SGLang's
 * re-quantization names), as a group of 16384 values.
 */
const BLOCK_FP8: WeightFormat = { dtype: 'fp8', groupSize: 128 * 128 };

/**
 * The environment variable that turns it on (deepseek_v2.py, as ServingEngine.fp8QBProj cites it): the one
 * spelling that config/knobs reads and writes and the CLI's help and errors name.
 */
export const SGLANG_FP8_Q_B_PROJ_ENV = 'SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN';

/**
 * The format MLA's q_b_proj runs in where the engine loads it apart from the rest of attention, else
 * undefined (attention's). SGLang with `SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1` (ServingEngine.fp8QBProj
 * has the source) builds q_b_proj with a block-scaled fp8 config on an NVFP4 checkpoint, whose MLA
 * projections NVIDIA's checkpoints keep 16-bit; where attention is already quantized the checkpoint's
 * own format stands.
 */
export function qUpProjectionFormat(
  engine: ServingEngine | undefined,
  layout: WeightLayout,
): WeightFormat | undefined {
  if (!engine?.fp8QBProj || engine.id !== 'sglang') return undefined;
  if (layout.format.dtype !== 'nvfp4') return undefined;
  const attention = partWeightFormat(layout, 'attention');
  return attention.dtype === 'bf16' || attention.dtype === 'fp16' ? BLOCK_FP8 : undefined;
}
