import type { HardwareSpec } from '../hardware/spec.js';
import { computeDtypeOf, type WeightDtype } from '../model/dtypes.js';

/** The peaks an op's speed-of-light time is computed against. */
export interface DevicePeaks {
  /** Tensor-core FLOP/s for the linear layers' compute type (fp8 where the weights are fp8 and the chip has it). */
  gemmFlops: number;
  /** Tensor-core FLOP/s in 16-bit, for attention. */
  attentionFlops: number;
  /** Non-tensor FLOP/s, for elementwise ops. */
  vectorFlops: number;
  bytesPerSecond: number;
}

export function devicePeaks(hardware: HardwareSpec, weightDtype: WeightDtype): DevicePeaks {
  const fp16 = hardware.tensorFlops.fp16;
  const gemmFlops = computeDtypeOf(weightDtype) === 'fp8' ? (hardware.tensorFlops.fp8 ?? fp16) : fp16;
  return {
    gemmFlops,
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
