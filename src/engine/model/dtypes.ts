import { z } from 'zod';

/**
 * Storage formats of weights and KV cache. Bytes per element include the scales that grouped
 * quantization stores beside the values (an int4 weight with one fp16 scale per 128 values costs
 * 0.5 + 2/128 bytes), because that is what occupies GPU memory.
 *
 * The 4-bit float formats are microscaled: mxfp4 (OCP MX, gpt-oss's experts) stores one 8-bit power-of-two
 * scale per 32 values, nvfp4 one fp8 scale per 16 values (plus one fp32 scale per tensor, negligible).
 */
export const WeightDtype = z.enum(['fp16', 'bf16', 'fp8', 'int8', 'int4', 'nvfp4', 'mxfp4']);
export type WeightDtype = z.infer<typeof WeightDtype>;

/**
 * KV cache formats. fp8: one byte, per-tensor scales (all four engines). fp4: e2m1 values with one 8-bit
 * scale per 16 (SGLang's `fp4_e2m1`, TensorRT-LLM's `nvfp4`). int8: one byte with per-head scales; no
 * engine ServeTune emits stores it (LMDeploy does), so it serves memory what-ifs and emitting it is refused.
 */
export const KvDtype = z.enum(['fp16', 'bf16', 'fp8', 'int8', 'fp4']);
export type KvDtype = z.infer<typeof KvDtype>;

/** Bytes of one activation element: serving engines run activations in 16-bit. */
export const ACTIVATION_BYTES = 2;

export const DEFAULT_INT4_GROUP_SIZE = 128;
/** int4 scales are fp16. */
const INT4_SCALE_BYTES = 2;
/** fp8 block scales (DeepSeek-V3's `weight_block_size` [128, 128]) are fp32. */
const FP8_SCALE_BYTES = 4;
/** mxfp4: one 8-bit power-of-two scale per 32 values; nvfp4: one fp8 scale per 16. */
const MXFP4_GROUP_SIZE = 32;
const NVFP4_GROUP_SIZE = 16;

export interface WeightFormat {
  dtype: WeightDtype;
  /**
   * Values sharing one scale. int4: 128 when absent. fp8: a block-scaled checkpoint's block (128×128 =
   * 16384); absent, fp8 and int8 scales are per tensor or channel, negligible. mxfp4 and nvfp4 fix
   * theirs (32, 16).
   */
  groupSize?: number;
}

export function weightBytesPerParam(format: WeightFormat | WeightDtype): number {
  const { dtype, groupSize } = typeof format === 'string' ? { dtype: format, groupSize: undefined } : format;
  switch (dtype) {
    case 'fp16':
    case 'bf16':
      return 2;
    case 'fp8':
      return 1 + (groupSize ? FP8_SCALE_BYTES / groupSize : 0);
    case 'int8':
      return 1;
    case 'int4':
      return 0.5 + INT4_SCALE_BYTES / (groupSize ?? DEFAULT_INT4_GROUP_SIZE);
    case 'mxfp4':
      return 0.5 + 1 / MXFP4_GROUP_SIZE;
    case 'nvfp4':
      return 0.5 + 1 / NVFP4_GROUP_SIZE;
  }
}

/** The share of `weightBytesPerParam` that is block scales, not values (0 where the scales are per tensor or channel). */
export function weightScaleBytesPerParam(format: WeightFormat): number {
  const { dtype, groupSize } = format;
  switch (dtype) {
    case 'fp8':
      return groupSize ? FP8_SCALE_BYTES / groupSize : 0;
    case 'int4':
      return INT4_SCALE_BYTES / (groupSize ?? DEFAULT_INT4_GROUP_SIZE);
    case 'mxfp4':
      return 1 / MXFP4_GROUP_SIZE;
    case 'nvfp4':
      return 1 / NVFP4_GROUP_SIZE;
    default:
      return 0;
  }
}

/** fp4 KV: 16 values share one 8-bit scale in SGLang's and TensorRT-LLM's layouts. */
const FP4_KV_GROUP_SIZE = 16;

/** Bytes one cached K or V element occupies, its share of the block scales included. */
export function kvBytesPerElement(dtype: KvDtype): number {
  switch (dtype) {
    case 'fp16':
    case 'bf16':
      return 2;
    case 'fp8':
    case 'int8':
      return 1;
    case 'fp4':
      return 0.5 + 1 / FP4_KV_GROUP_SIZE;
  }
}

/**
 * Which tensor-core rate a linear layer runs at where the device has it. fp8 weights run as W8A8 on fp8
 * tensor cores, nvfp4 and mxfp4 on block-scaled fp4 tensor cores; int8 and int4 weight-only formats
 * dequantize into 16-bit matmuls. A device without the rate runs the 16-bit one (`devicePeaks`).
 */
export function computeDtypeOf(weight: WeightDtype): 'fp16' | 'fp8' | 'fp4' {
  if (weight === 'fp8') return 'fp8';
  return weight === 'nvfp4' || weight === 'mxfp4' ? 'fp4' : 'fp16';
}
