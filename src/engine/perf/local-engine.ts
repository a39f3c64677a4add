import type { HardwareSpec } from '../hardware/spec.js';
import type { ModelSpec } from '../model/spec.js';
import type { Plan } from '../plan.js';
import type { DeviceProfile, EngineStepTable, ShaderDtype } from '../profile/schema.js';
import type { Calibration } from './calibration.js';
import { scaleCalibrationTime } from './fit.js';
import { calibrationFromProfile, hardwareFromProfile } from './profile-calibration.js';
import { addDecode, addPrefillChunk, type BatchShape, createBatchShape } from './shape.js';
import { compileStepModel } from './step-model.js';

/** The local engine runs one GPU, no parallelism. */
export const LOCAL_ENGINE_PLAN: Plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'fp16', kvDtype: 'fp16' };

/**
 * How the kernel-level step model was brought to the engine's own steps as the profile measured them:
 * predicted step = `factor` × kernel-level prediction + `addedSeconds`, fitted over `steps`.
 */
export interface EngineStepFit {
  factor: number;
  addedSeconds: number;
  steps: {
    prefillTokens: number;
    decodeBatch: number;
    measuredSeconds: number;
    kernelModelSeconds: number;
    fittedSeconds: number;
  }[];
}

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
): { hardware: HardwareSpec; calibration: Calibration; engineStepFit: EngineStepFit | null } {
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
  const kernelLevel: Calibration = {
    ...base,
    source: `${base.source}; local engine (${dtype})`,
    kernelLaunchSeconds: launch,
    stepOverheadSeconds: (profile.stepBaseSeconds ?? profile.submitOverheadSeconds) + extraKernels * launch,
  };
  const table = profile.engineSteps;
  if (!table || table.model !== model.id || table.dtype !== dtype || table.steps.length < 2) {
    return { hardware, calibration: kernelLevel, engineStepFit: null };
  }
  const kernelModel = compileStepModel(model, hardware, LOCAL_ENGINE_PLAN, { calibration: kernelLevel });
  const fit = fitEngineSteps(table, (shape) => kernelModel.stepSeconds(shape));
  const scaled = scaleCalibrationTime(
    kernelLevel,
    fit.factor,
    `${kernelLevel.source}; engine steps measured by the profile (×${fit.factor.toFixed(3)} + ${(fit.addedSeconds * 1e3).toFixed(3)} ms)`,
  );
  return {
    hardware,
    calibration: { ...scaled, stepOverheadSeconds: scaled.stepOverheadSeconds + fit.addedSeconds },
    engineStepFit: fit,
  };
}

export function engineStepShape(step: EngineStepTable['steps'][number]): BatchShape {
  const shape = createBatchShape();
  for (let i = 0; i < step.decodeBatch; i++) addDecode(shape, step.decodeContext);
  if (step.prefillTokens > 0) addPrefillChunk(shape, step.prefillTokens, step.prefillContext, true);
  return shape;
}

/**
 * The kernel-level model counts the engine's kernels one by one from measurements of each kernel
 * alone; the engine's whole step (host work for every kernel, the runtime's threads under the load of
 * the moment) costs more or less than their sum. Fits measured ≈ factor × predicted + added over the
 * engine steps the profile measured, least squares on relative error (every shape counts alike),
 * with factor > 0 and added ≥ 0.
 */
export function fitEngineSteps(
  table: EngineStepTable,
  predict: (shape: BatchShape) => number,
): EngineStepFit {
  const points = table.steps
    .map((s) => ({ s, p: predict(engineStepShape(s)), m: s.meanSeconds }))
    .filter((x) => x.m > 0 && x.p > 0);
  // Weighted normal equations of m ≈ k·p + c with weights 1/m².
  let spp = 0;
  let sp = 0;
  let s1 = 0;
  let spm = 0;
  let sm = 0;
  for (const { p, m } of points) {
    const w = 1 / (m * m);
    spp += w * p * p;
    sp += w * p;
    s1 += w;
    spm += w * p * m;
    sm += w * m;
  }
  const det = spp * s1 - sp * sp;
  let factor = det > 0 ? (spm * s1 - sp * sm) / det : 0;
  let addedSeconds = det > 0 ? (spp * sm - sp * spm) / det : 0;
  if (!(factor > 0) || addedSeconds < 0) {
    addedSeconds = 0;
    factor = spp > 0 ? spm / spp : 1;
  }
  if (!(factor > 0)) factor = 1;
  return {
    factor,
    addedSeconds,
    steps: points.map(({ s, p, m }) => ({
      prefillTokens: s.prefillTokens,
      decodeBatch: s.decodeBatch,
      measuredSeconds: m,
      kernelModelSeconds: p,
      fittedSeconds: factor * p + addedSeconds,
    })),
  };
}
