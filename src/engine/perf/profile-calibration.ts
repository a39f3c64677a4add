import type { HardwareSpec } from '../hardware/spec.js';
import { attendedPairs } from '../model/cost.js';
import type { DeviceProfile } from '../profile/schema.js';
import { type Calibration, defaultCalibrationFor, type EfficiencyCurve } from './calibration.js';
import { speedOfLight } from './roofline.js';

const elementBytes = (dtype: 'f32' | 'f16') => (dtype === 'f16' ? 2 : 4);

/** The peaks a profile's measurements are compared against: the catalog's for a known device, else what the profile measured. */
interface ReferencePeaks {
  f16Flops: number;
  f32Flops: number;
  bytesPerSecond: number;
}

export function referencePeaks(profile: DeviceProfile, catalogDevice?: HardwareSpec): ReferencePeaks {
  if (catalogDevice) {
    return {
      f16Flops: catalogDevice.tensorFlops.fp16,
      f32Flops: catalogDevice.vectorFp32Flops,
      bytesPerSecond: catalogDevice.memoryBandwidth,
    };
  }
  const f32 = profile.derived.peakFlopsPerSecond.f32;
  return {
    f16Flops: profile.derived.peakFlopsPerSecond.f16 ?? f32,
    f32Flops: f32,
    bytesPerSecond: profile.derived.copyBytesPerSecond,
  };
}

/** Geometric mean of the efficiencies measured at each x: several shapes at one size become one point. */
function curveFrom(points: [number, number][]): EfficiencyCurve | undefined {
  const byX = new Map<number, number[]>();
  for (const [x, e] of points) {
    if (!(x > 0) || !(e > 0) || !Number.isFinite(e)) continue;
    const list = byX.get(x) ?? [];
    list.push(Math.min(1, e));
    byX.set(x, list);
  }
  if (byX.size === 0) return undefined;
  return [...byX.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([x, es]) => [x, Math.exp(es.reduce((s, e) => s + Math.log(e), 0) / es.length)] as [number, number]);
}

/** Every table's measured efficiencies as (size, speed of light / measured time), not yet capped at 1. */
interface EfficiencyPoints {
  gemm: [number, number][];
  prefillAttention: [number, number][];
  decodeAttention: [number, number][];
  elementwise: [number, number][];
}

function efficiencyPoints(
  profile: DeviceProfile,
  peaks: ReferencePeaks,
  dtype: 'f32' | 'f16' | undefined,
): EfficiencyPoints {
  const flopsOf = (rowDtype: 'f32' | 'f16') => (rowDtype === 'f16' ? peaks.f16Flops : peaks.f32Flops);
  const preferF16 = <T extends { dtype: 'f32' | 'f16' }>(rows: readonly T[]): T[] => {
    if (dtype) {
      const chosen = rows.filter((r) => r.dtype === dtype);
      return chosen.length > 0 ? chosen : [...rows];
    }
    const f16 = rows.filter((r) => r.dtype === 'f16');
    return f16.length > 0 ? f16 : [...rows];
  };

  // Best kernel per GEMM shape: the engine would pick it.
  const bestGemm = new Map<string, DeviceProfile['gemm'][number]>();
  for (const g of preferF16(profile.gemm)) {
    const key = `${g.m}x${g.n}x${g.k}`;
    const known = bestGemm.get(key);
    if (!known || g.time.median < known.time.median) bestGemm.set(key, g);
  }
  return {
    gemm: [...bestGemm.values()]
      .filter((g) => g.time.median > 0)
      .map((g) => {
        const eb = elementBytes(g.dtype);
        const flops = 2 * g.m * g.n * g.k;
        const bytes = (g.m * g.k + g.n * g.k + g.m * g.n) * eb;
        return [g.m, speedOfLight(flops, bytes, flopsOf(g.dtype), peaks.bytesPerSecond) / g.time.median];
      }),
    prefillAttention: preferF16(profile.prefillAttention)
      .filter((p) => p.time.median > 0)
      .map((p) => {
        const eb = elementBytes(p.dtype);
        const flops = 4 * p.heads * p.headDim * attendedPairs(p.chunk, p.context);
        const bytes =
          2 * p.chunk * p.heads * p.headDim * eb + 2 * (p.context + p.chunk) * p.kvHeads * p.headDim * eb;
        return [flops, speedOfLight(flops, bytes, flopsOf(p.dtype), peaks.bytesPerSecond) / p.time.median];
      }),
    decodeAttention: preferF16(profile.decodeAttention)
      .filter((d) => d.time.median > 0)
      .map((d) => {
        const eb = elementBytes(d.dtype);
        const keys = d.batch * (d.context + 1);
        const flops = 4 * d.heads * d.headDim * keys;
        const bytes = 2 * d.batch * d.heads * d.headDim * eb + 2 * keys * d.kvHeads * d.headDim * eb;
        return [bytes, speedOfLight(flops, bytes, flopsOf(d.dtype), peaks.bytesPerSecond) / d.time.median];
      }),
    elementwise: preferF16(profile.elementwise)
      .filter((e) => e.time.median > 0 && e.bytesPerSecond > 0)
      .map((e) => {
        const bytes = e.bytesPerSecond * e.time.median;
        return [bytes, bytes / peaks.bytesPerSecond / e.time.median];
      }),
  };
}

/**
 * The highest efficiency any measured kernel reached against `peaks` (over 1: a kernel beat them, as
 * on a device emulated on the CPU, where a kernel whose operands sit in cache outruns the copy
 * bandwidth); 0 if the profile measured no kernel.
 */
export function highestEfficiency(
  profile: DeviceProfile,
  peaks: ReferencePeaks,
  dtype?: 'f32' | 'f16',
): number {
  const points = efficiencyPoints(profile, peaks, dtype);
  let highest = 0;
  for (const table of Object.values(points)) {
    for (const [, e] of table) if (Number.isFinite(e) && e > highest) highest = e;
  }
  return highest;
}

/**
 * Efficiencies measured on the profiled device: for every table entry, speed-of-light time on that
 * device / measured median time. Carried to another device, they scale its own speed of light (the
 * "measured / SOL" calibration); on the profiled device itself they reproduce the measured times,
 * interpolated between measured sizes. Tables the profile lacks keep the target's defaults.
 *
 * `sameDevice`: the profile was taken on the device being modelled, so its dispatch and submit overheads
 * apply too; on another device they say nothing (WebGPU dispatch is not a CUDA graph launch).
 */
export function calibrationFromProfile(
  profile: DeviceProfile,
  target: HardwareSpec,
  options: {
    catalogDevice?: HardwareSpec;
    sameDevice: boolean;
    /** Use the rows measured in this shader type (an engine running f32); default: f16 where measured. */
    dtype?: 'f32' | 'f16';
    /** The peaks efficiencies are measured against; default: `referencePeaks(profile, catalogDevice)`. */
    peaks?: ReferencePeaks;
  },
): Calibration {
  const peaks = options.peaks ?? referencePeaks(profile, options.catalogDevice);
  const base = defaultCalibrationFor(target);
  const points = efficiencyPoints(profile, peaks, options.dtype);
  const gemm = curveFrom(points.gemm);
  const prefillAttention = curveFrom(points.prefillAttention);
  const decodeAttention = curveFrom(points.decodeAttention);
  const elementwise = curveFrom(points.elementwise);

  const measured = [
    gemm && 'gemm',
    prefillAttention && 'prefill attention',
    decodeAttention && 'decode attention',
    elementwise && 'elementwise',
  ].filter(Boolean);
  return {
    ...base,
    source: `profile:${profile.adapter.description || profile.adapter.device || profile.adapter.vendor} (${measured.join(', ') || 'no tables'})`,
    gemm: gemm ?? base.gemm,
    prefillAttention: prefillAttention ?? base.prefillAttention,
    decodeAttention: decodeAttention ?? base.decodeAttention,
    elementwise: elementwise ?? base.elementwise,
    kernelLaunchSeconds: options.sameDevice ? profile.dispatchOverheadSeconds : base.kernelLaunchSeconds,
    stepOverheadSeconds: options.sameDevice ? profile.submitOverheadSeconds : base.stepOverheadSeconds,
  };
}

/**
 * A hardware description of a profiled device that the catalog does not know (the local GPU), from
 * what the profile measured. Memory size and links are not measured: the caller gives the memory.
 */
export function hardwareFromProfile(profile: DeviceProfile, memoryBytes: number): HardwareSpec {
  const f32 = Math.max(1, profile.derived.peakFlopsPerSecond.f32);
  const f16 = profile.derived.peakFlopsPerSecond.f16 ?? f32;
  const name = profile.adapter.description || profile.adapter.device || 'profiled adapter';
  return {
    id: 'profiled',
    name,
    vendor: /amd/i.test(profile.adapter.vendor) ? 'amd' : 'nvidia',
    memoryBytes,
    memoryBandwidth: Math.max(1, profile.derived.copyBytesPerSecond),
    tensorFlops: { fp16: Math.max(1, f16), fp8: null, fp4: null },
    vectorFp32Flops: f32,
    gpusPerNode: 1,
    intraNode: {
      kind: 'pcie',
      generation: 'unknown',
      bytesPerSecondPerDirection: 16e9,
      latencySeconds: 10e-6,
    },
    interNodeBytesPerSecond: 12.5e9,
    interNodeLatencySeconds: 10e-6,
    hostLinkBytesPerSecond: 16e9,
    sources: [`measured by the profiler on ${profile.createdAt}`],
  };
}
