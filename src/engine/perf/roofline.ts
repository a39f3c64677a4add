import type { HardwareSpec } from '../hardware/spec.js';
import { computeDtypeOf, type WeightDtype } from '../model/dtypes.js';

/** The peaks an op's speed-of-light time is computed against. */
export interface DevicePeaks {
  /**
   * Tensor-core FLOP/s for the linear layers' compute type: fp8 or fp4 where the weights are and the chip
   * has that rate, else 16-bit.
   */
  gemmFlops: number;
  /** Tensor-core FLOP/s in 16-bit, for attention. */
  attentionFlops: number;
  /** Non-tensor FLOP/s, for elementwise ops. */
  vectorFlops: number;
  bytesPerSecond: number;
}

/**
 * The linear layers' tensor rate. A chip without the weights' low-precision rate dequantizes them into
 * 16-bit matmuls (W8A16, W4A16): Hopper and CDNA 3 serve NVFP4/MXFP4 checkpoints with W4A16 kernels
 * (Marlin, Triton), not on their fp8 tensor cores, so fp4 falls back to fp16, not fp8.
 */
function gemmFlopsOf(hardware: HardwareSpec, weightDtype: WeightDtype): number {
  const { fp16, fp8, fp4 } = hardware.tensorFlops;
  switch (computeDtypeOf(weightDtype)) {
    case 'fp8':
      return fp8 ?? fp16;
    case 'fp4':
      return fp4 ?? fp16;
    case 'fp16':
      return fp16;
  }
}

export function devicePeaks(hardware: HardwareSpec, weightDtype: WeightDtype): DevicePeaks {
  const fp16 = hardware.tensorFlops.fp16;
  return {
    gemmFlops: gemmFlopsOf(hardware, weightDtype),
    attentionFlops: fp16,
    vectorFlops: hardware.vectorFp32Flops,
    bytesPerSecond: hardware.memoryBandwidth,
  };
}

/** Speed-of-light time: the roofline max of compute time and memory time. */
export function speedOfLight(
  flops: number,
  bytes: number,
  peakFlops: number,
  bytesPerSecond: number,
): number {
  const compute = flops / peakFlops;
  const memory = bytes / bytesPerSecond;
  return Math.max(compute, memory);
}
