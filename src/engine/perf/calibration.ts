import { z } from 'zod';
import { recogniseGpu } from '../hardware/recognise.js';
import type { DeviceClass, HardwareSpec } from '../hardware/spec.js';

/**
 * Efficiency = speed-of-light time / real time, as a function of the op's size: (x, efficiency) points,
 * interpolated in log x. Speed of light is the roofline max(FLOPs / peak, bytes / bandwidth).
 */
export const EfficiencyCurve = z
  .array(z.tuple([z.number().positive(), z.number().gt(0).lte(1)]))
  .min(1)
  .describe('(size, efficiency) points, interpolated in log size');
export type EfficiencyCurve = z.infer<typeof EfficiencyCurve>;

/**
 * How close each op class runs to its roofline, and the fixed costs around it. Defaults per device
 * class; replaced by measurements (a DeviceProfile, imported op tables, or a fit to a real endpoint).
 */
export const Calibration = z.object({
  /** Where these numbers come from: `default:<class>`, `profile:<adapter>`, `tables:<file>`, `fit:<…>`. */
  source: z.string(),
  /** Linear layers (GEMM), by rows (tokens). */
  gemm: EfficiencyCurve,
  /** Prefill attention, by FLOPs of the call. */
  prefillAttention: EfficiencyCurve,
  /** Decode attention, by KV bytes read. */
  decodeAttention: EfficiencyCurve,
  /** Norms, activations, RoPE, residual adds, by bytes moved. */
  elementwise: EfficiencyCurve,
  /** Fixed cost of each kernel launch (with CUDA graphs for decode, a few microseconds). */
  kernelLaunchSeconds: z.number().nonnegative(),
  /** Per-iteration cost outside the GPU kernels: scheduling, input preparation, sampling. */
  stepOverheadSeconds: z.number().nonnegative(),
  /** Extra per-iteration cost per sequence in the batch (input tensors, sampler, detokenization). */
  perSequenceOverheadSeconds: z.number().nonnegative(),
  /**
   * Extra per-iteration cost per prefill chunk, beyond its sequence's: the host work of a prompt piece
   * (its token upload and metadata; for a prompt's first chunk, the request's admission). Optional,
   * added later; default 0.
   */
  perPrefillChunkOverheadSeconds: z.number().nonnegative().optional(),
  /** Achieved / nominal link bandwidth for collectives. */
  collectiveEfficiency: z.number().gt(0).lte(1),
  /**
   * The share of peak bandwidth one sequence's decode attention can use on its own (split-KV kernels
   * spread a long sequence over the chip, but not perfectly): bounds the longest sequence's time.
   */
  singleSequenceBandwidthShare: z.number().gt(0).lte(1),
  /**
   * How a step's time varies around the model's (mean) time, where it does (a CPU adapter on a machine
   * shared with other work): equally probable factors of measured step time / its mean (mean 1), from
   * the fastest to the slowest. The simulator draws each step's factor from them (seeded). Without
   * it, every step takes exactly the model's time. Optional, added later.
   */
  stepTimeSpread: z.array(z.number().positive()).min(2).optional(),
  /**
   * How long a step's factor holds: each step keeps the previous step's factor with this probability,
   * else draws anew (so consecutive factors correlate by it, and the spread stays the same). A machine's
   * slow spells last many steps, and a queue grows with them far more than with the same slow steps
   * scattered. Optional, added later; without it every step draws anew.
   */
  stepTimeSpreadPersistence: z.number().min(0).lt(1).optional(),
  /**
   * The share of `stepTimeSpread`, from its fastest factor up, that persistence holds; the slower rest
   * (collector pauses, rare long steps: they do not come in spells) is drawn independently for each step
   * at its own rate, the spread's mean unchanged. Optional, added later; without it every factor may be
   * held.
   */
  stepTimeSpreadHeldShare: z.number().gt(0).lte(1).optional(),
  /**
   * Seconds a front end (HTTP, tokenizing, streaming) adds between the engine and its client, the same
   * for every request: its first token (so TTFT and E2E) comes that much later, TPOT is unchanged
   * (`servetune calibrate` fits it). Optional, added later; default 0.
   */
  frontEndSeconds: z.number().nonnegative().optional(),
});
export type Calibration = z.infer<typeof Calibration>;

/**
 * Which default efficiencies a device gets: its catalog entry's class. A device described outside the
 * catalog (a file, the profiler) without one is classed as the catalog GPU its id names, else by vendor.
 */
export function deviceClassOf(hardware: Pick<HardwareSpec, 'id' | 'vendor' | 'deviceClass'>): DeviceClass {
  if (hardware.deviceClass) return hardware.deviceClass;
  if (hardware.vendor === 'amd') return 'amd-cdna3';
  return recogniseGpu(hardware.id, 'label')?.deviceClass ?? 'nvidia-ada';
}

/*
 * Defaults, and why:
 * - GEMM: cuBLAS/CUTLASS reach 75-80% of dense tensor peak on large bf16 GEMMs (H100: 700-780 of 989
 *   TFLOP/s) and 80-90% of HBM bandwidth when weight-streaming at a few rows; the dip near the ridge
 *   point (a few hundred rows on H100) is where neither unit is saturated. AMD MI300X GEMMs reach about
 *   55-65% of their (higher) nominal peak in published vLLM/hipBLASLt results.
 * - Prefill attention: FlashAttention-2/3 run at 35-75% of peak depending on length; short chunks much lower.
 * - Decode attention (paged, split-KV): 60-80% of bandwidth once the KV read is large; launch-bound when small.
 * - Elementwise: memory-bound kernels reach 70-85% of bandwidth on large tensors.
 * - Overheads: vLLM's CPU side (schedule, prepare inputs, sample) costs about a millisecond per step;
 *   graph-captured kernels launch in 2-4 µs.
 */
const GEMM_DATACENTER: EfficiencyCurve = [
  [1, 0.82],
  [16, 0.78],
  [64, 0.68],
  [256, 0.6],
  [1024, 0.72],
  [8192, 0.78],
];
const GEMM_CONSUMER: EfficiencyCurve = [
  [1, 0.8],
  [16, 0.75],
  [64, 0.62],
  [256, 0.55],
  [1024, 0.65],
  [8192, 0.7],
];
const GEMM_AMD: EfficiencyCurve = [
  [1, 0.7],
  [16, 0.65],
  [64, 0.5],
  [256, 0.45],
  [1024, 0.55],
  [8192, 0.6],
];
const PREFILL_ATTENTION: EfficiencyCurve = [
  [1e6, 0.05],
  [1e9, 0.3],
  [1e11, 0.55],
  [1e13, 0.65],
];
const DECODE_ATTENTION: EfficiencyCurve = [
  [1e5, 0.1],
  [1e7, 0.45],
  [1e8, 0.65],
  [1e9, 0.75],
];
const ELEMENTWISE: EfficiencyCurve = [
  [1e5, 0.3],
  [1e7, 0.6],
  [1e8, 0.8],
];

export function defaultCalibration(deviceClass: DeviceClass): Calibration {
  const amd = deviceClass === 'amd-cdna3' || deviceClass === 'amd-cdna4';
  const consumer = deviceClass === 'nvidia-ada' || deviceClass === 'nvidia-blackwell-rtx';
  return {
    source: `default:${deviceClass}`,
    gemm: amd ? GEMM_AMD : consumer ? GEMM_CONSUMER : GEMM_DATACENTER,
    prefillAttention: amd
      ? PREFILL_ATTENTION.map(([x, e]) => [x, e * 0.8] as [number, number])
      : PREFILL_ATTENTION,
    decodeAttention: DECODE_ATTENTION,
    elementwise: ELEMENTWISE,
    kernelLaunchSeconds: amd ? 4e-6 : 2.5e-6,
    stepOverheadSeconds: 1e-3,
    perSequenceOverheadSeconds: 4e-6,
    collectiveEfficiency: consumer ? 0.7 : 0.8,
    singleSequenceBandwidthShare: 0.5,
  };
}

export function defaultCalibrationFor(
  hardware: Pick<HardwareSpec, 'id' | 'vendor' | 'deviceClass'>,
): Calibration {
  return defaultCalibration(deviceClassOf(hardware));
}
