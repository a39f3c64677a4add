import type { HardwareSpec } from '../hardware/spec.js';
import type { ModelSpec } from '../model/spec.js';
import type { DeviceProfile, ShaderDtype } from '../profile/schema.js';
import type { Calibration } from './calibration.js';
import { calibrationFromProfile, hardwareFromProfile } from './profile-calibration.js';

/**
 * Kernels the local reference engine launches that the step model's op list (vLLM's fused kernels)
 * does not have: per layer a separate KV-cache write and an unfused second residual add; per step the
 * final RMSNorm and the greedy argmax on the sampled rows.
 */
export const LOCAL_ENGINE_EXTRA_KERNELS = { perLayer: 2, perStep: 2 } as const;

/**
 * The profiled device and the calibration that describe the local reference engine's execution to the
 * step model:
 * - The device is uncatalogued (`hardwareFromProfile`). The step model counts 16-bit elements; an engine
 *   running f32 moves twice the bytes, so for f32 the device is described per 16-bit element (half the
 *   measured bandwidth) with the f32 compute peak, which gives every op its true speed of light.
 * - Efficiencies come from the profile's rows of the engine's shader type.
 * - Every kernel costs what the profiler measured per dispatch of a step built per step (host build,
 *   encode, submit, GPU dispatch overhead; the engine builds its dispatches every step), falling back to
 *   the GPU dispatch overhead alone; each step pays the measured fixed cost of a step (metadata uploads,
 *   submit, read-back; else the submit round trip) and the
 *   launches of the kernels outside the model's op list.
 */
export function localEngineTarget(
  profile: DeviceProfile,
  model: ModelSpec,
  dtype: ShaderDtype,
  memoryBytes: number,
): { hardware: HardwareSpec; calibration: Calibration } {
  const measured = hardwareFromProfile(profile, memoryBytes);
  const f32 = profile.derived.peakFlopsPerSecond.f32;
  const f16 = profile.derived.peakFlopsPerSecond.f16 ?? f32;
  const hardware: HardwareSpec = {
    ...measured,
    id: 'local-gpu',
    name: `${measured.name} (as the local engine runs it, ${dtype})`,
    tensorFlops: { fp16: Math.max(1, dtype === 'f32' ? f32 : f16), fp8: null },
    memoryBandwidth: Math.max(1, profile.derived.copyBytesPerSecond / (dtype === 'f32' ? 2 : 1)),
  };
  const base = calibrationFromProfile(profile, hardware, { sameDevice: true, dtype });
  const launch = profile.stepDispatchSeconds ?? profile.dispatchOverheadSeconds;
  const extraKernels =
    LOCAL_ENGINE_EXTRA_KERNELS.perLayer * model.numLayers + LOCAL_ENGINE_EXTRA_KERNELS.perStep;
  return {
    hardware,
    calibration: {
      ...base,
      source: `${base.source}; local engine (${dtype})`,
      kernelLaunchSeconds: launch,
      stepOverheadSeconds: (profile.stepBaseSeconds ?? profile.submitOverheadSeconds) + extraKernels * launch,
    },
  };
}
