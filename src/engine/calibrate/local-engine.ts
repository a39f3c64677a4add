import type { ShaderDtype } from '../gpu/types.js';
import type { HardwareSpec } from '../hardware/spec.js';
import type { Plan } from '../memory/plan.js';
import type { ModelSpec } from '../model/spec.js';
import type { Calibration } from '../perf/calibration.js';
import {
  calibrationFromProfile,
  hardwareFromProfile,
  highestEfficiency,
  referencePeaks,
} from '../perf/profile-calibration.js';
import { addDecode, addPrefillChunk, type BatchShape, createBatchShape } from '../perf/shape.js';
import { compileStepModel } from '../perf/step-model.js';
import type { DeviceProfile, EngineStepTable } from '../profile/schema.js';
import { ServeTuneError } from '../util/errors.js';
import { spreadOf } from '../util/spread.js';
import { percentileSorted } from '../util/stats.js';
import { nonNegativeRelativeFit } from './relative-fit.js';

/** The local engine runs one GPU, no parallelism. */
export const LOCAL_ENGINE_PLAN: Plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'fp16', kvDtype: 'fp16' };

/**
 * How the kernel-level step model was brought to the engine's own steps as the profile measured them:
 * predicted step = `computeFactor` × the kernels' work + `fixedFactor` × the per-kernel and per-step
 * host costs, fitted over `steps`.
 */
interface EngineStepFit {
  computeFactor: number;
  fixedFactor: number;
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
  const { hardware, kernelLevel, parts } = kernelLevelTarget(profile, model, dtype, memoryBytes);
  const table = profile.engineSteps;
  if (!table || table.model !== model.id || table.dtype !== dtype || table.steps.length < 2) {
    return { hardware, calibration: kernelLevel, engineStepFit: null };
  }
  const fit = fitEngineSteps(table, parts.compute, parts.fixed);
  const fitted = scaleHostCosts(
    kernelLevel,
    fit.fixedFactor,
    `${kernelLevel.source}; fitted to the engine steps measured by the profile (kernels ×${fit.computeFactor.toFixed(3)}, host ×${fit.fixedFactor.toFixed(3)})`,
  );
  return {
    hardware: scaleKernelTime(hardware, fit.computeFactor),
    // The steps' variation as the profile saw it: queueing delay grows with it, not only with the mean.
    calibration: table.spread ? { ...fitted, stepTimeSpread: table.spread } : fitted,
    engineStepFit: fit,
  };
}

/** At most this many equally probable step-time factors from served steps (one per step below it). */
const SERVED_SPREAD_RESOLUTION = 4096;

/** A step the engine ran while serving: its batch, and its wall time from scheduling to commit. */
interface ServedStep {
  shape: BatchShape;
  seconds: number;
}

/** How the step model was brought to the steps the engine ran while serving a workload. */
interface ServedStepFit {
  computeFactor: number;
  fixedFactor: number;
  /** Host time per sequence in a step, added to the calibration's own (seconds). */
  perSequenceSeconds: number;
  /** Host time per prefill chunk in a step, beyond its sequence's (seconds). */
  perPrefillChunkSeconds: number;
  /**
   * Lag-1 autocorrelation of the served steps' log measured / fitted time (≥ 0), the rare long steps
   * left out: how long slow spells last.
   */
  persistence: number;
  /**
   * The share of served steps in slow or fast spells: all but the rare long ones (more than
   * `RARE_STEP_FACTOR` times the median step's ratio), which come one at a time. Optional, added later.
   */
  heldShare?: number;
  /** Served steps fitted. */
  steps: number;
  /** Mean |fitted − measured| / measured over those steps (before the step-time spread). */
  meanAbsoluteRelativeError: number;
}

/**
 * The step model fitted to the steps the engine ran while serving (a warm-up workload): the two parts
 * `localEngineTarget` fits to the profile's isolated steps plus a host time per sequence, measured
 * under serving's own conditions — the HTTP server and the load generator sharing the event loop and
 * the CPU, batches as the scheduler forms them — which the isolated steps do not see (`fitServedSteps`).
 * The step-time spread is each served step's measured / fitted time, and how long its slow spells last.
 */
export function servedEngineTarget(
  profile: DeviceProfile,
  model: ModelSpec,
  dtype: ShaderDtype,
  memoryBytes: number,
  served: readonly ServedStep[],
): { hardware: HardwareSpec; calibration: Calibration; fit: ServedStepFit } {
  const { hardware, kernelLevel, parts } = kernelLevelTarget(profile, model, dtype, memoryBytes);
  const { fit, ratios } = fitServedSteps(served, parts.compute, parts.fixed);
  const calibration = scaleHostCosts(
    kernelLevel,
    fit.fixedFactor,
    `${kernelLevel.source}; fitted to ${fit.steps} steps the engine ran while serving (kernels ×${fit.computeFactor.toFixed(3)}, host ×${fit.fixedFactor.toFixed(3)}, +${(fit.perSequenceSeconds * 1e6).toFixed(0)} µs per sequence, +${(fit.perPrefillChunkSeconds * 1e6).toFixed(0)} µs per prefill chunk)`,
  );
  // Every served step's factor, not a few bins of them: a rare step many times the typical one holds
  // the queue far longer than the same time spread over a bin of ordinary steps, and queueing grows
  // with that tail.
  return {
    hardware: scaleKernelTime(hardware, fit.computeFactor),
    calibration: {
      ...calibration,
      perSequenceOverheadSeconds: calibration.perSequenceOverheadSeconds + fit.perSequenceSeconds,
      perPrefillChunkOverheadSeconds:
        (calibration.perPrefillChunkOverheadSeconds ?? 0) + fit.perPrefillChunkSeconds,
      stepTimeSpread: spreadOf(ratios, SERVED_SPREAD_RESOLUTION),
      stepTimeSpreadPersistence: fit.persistence,
      stepTimeSpreadHeldShare: fit.heldShare,
    },
    fit,
  };
}

/**
 * measured ≈ computeFactor × kernels' work + fixedFactor × host costs + perSequenceSeconds × sequences
 * + perPrefillChunkSeconds × prefill chunks over served steps, by non-negative relative least squares,
 * then all four scaled together so that the fitted steps add up to the measured time (the queue
 * depends on that sum); `ratios` are each step's measured / fitted time, in the order the steps ran.
 * The cost per chunk: on lavapipe a prefill chunk cost 0.45–0.7 ms of host time more than its kernels
 * and its sequence explain; without it, the fit left the twin's steps with a prefill 1.5% fast and the
 * decode-only ones 0.4% slow on average in six runs (+0.1% and −0.0% with it).
 */
export function fitServedSteps(
  served: readonly ServedStep[],
  predictCompute: (shape: BatchShape) => number,
  predictFixed: (shape: BatchShape) => number,
): { fit: ServedStepFit; ratios: number[] } {
  const points = served
    .map((s) => ({
      columns: [
        predictCompute(s.shape),
        predictFixed(s.shape),
        stepSequences(s.shape),
        s.shape.prefillSequences,
      ],
      m: s.seconds,
    }))
    .filter((p) => p.m > 0 && p.columns[0] + p.columns[1] > 0);
  if (points.length < 2) {
    throw new ServeTuneError(
      `fitting the step model to served steps needs at least 2 timed steps, got ${points.length}`,
      'invalid-argument',
      'served steps',
    );
  }
  const x0 = nonNegativeRelativeFit(points);
  const fitted = (p: (typeof points)[number], x: readonly number[]) =>
    x[0] * p.columns[0] + x[1] * p.columns[1] + x[2] * p.columns[2] + x[3] * p.columns[3];
  const measuredSum = points.reduce((sum, p) => sum + p.m, 0);
  const fittedSum = points.reduce((sum, p) => sum + fitted(p, x0), 0);
  const scale = fittedSum > 0 ? measuredSum / fittedSum : 1;
  const x = x0.map((v) => v * scale);
  const ratios = points.map((p) => p.m / fitted(p, x));
  // The rare long steps (collector pauses) come one at a time, the rest in spells: in eight served runs
  // on lavapipe, a step over twice the median time of its batch shape (2–3% of steps) followed another
  // such step 10–25% of the time, while the others' lag-1 autocorrelation was 0.44–0.62 (0.42–0.53
  // with them). Persistence is measured without them, and the simulator draws them apart.
  const rare = RARE_STEP_FACTOR * percentileSorted(Float64Array.from(ratios).sort(), 50);
  const spells = ratios.filter((r) => r <= rare);
  return {
    fit: {
      computeFactor: x[0],
      fixedFactor: x[1],
      perSequenceSeconds: x[2],
      perPrefillChunkSeconds: x[3],
      persistence: lagOneCorrelation(spells.map(Math.log)),
      heldShare: spells.length / ratios.length,
      steps: points.length,
      meanAbsoluteRelativeError: ratios.reduce((sum, r) => sum + Math.abs(1 / r - 1), 0) / ratios.length,
    },
    ratios,
  };
}

/** A served step more than this many times the median step's measured / fitted time is a rare long one. */
const RARE_STEP_FACTOR = 2;

/** The lag-1 autocorrelation of a series, clamped to [0, 0.99]. */
function lagOneCorrelation(values: readonly number[]): number {
  const n = values.length;
  if (n < 3) return 0;
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    den += d * d;
    if (i > 0) num += d * (values[i - 1] - mean);
  }
  return den > 0 ? Math.min(0.99, Math.max(0, num / den)) : 0;
}

/** Sequences in a step: each one costs the host its own work (its token streamed, its bookkeeping). */
function stepSequences(shape: BatchShape): number {
  return shape.prefillSequences + shape.decodeCount;
}

/**
 * The device as the local engine runs it and the kernel-level calibration (see `localEngineTarget`),
 * with the step model's prediction split in two: the kernels' own work, and the per-kernel and
 * per-step host costs (everything that does not grow with the batch's arithmetic).
 */
function kernelLevelTarget(
  profile: DeviceProfile,
  model: ModelSpec,
  dtype: ShaderDtype,
  memoryBytes: number,
): {
  hardware: HardwareSpec;
  kernelLevel: Calibration;
  parts: { compute: (shape: BatchShape) => number; fixed: (shape: BatchShape) => number };
} {
  const measured = hardwareFromProfile(profile, memoryBytes);
  // Peaks no measured kernel exceeds: on a device emulated on the CPU a kernel whose operands sit in
  // cache outruns the measured copy bandwidth (a GEMV ran at 1.55× it on lavapipe), and an efficiency
  // capped at 1 would model it slower than it ran. Raising every peak by the highest efficiency keeps
  // each kernel's modelled time its measured one.
  const own = referencePeaks(profile);
  const headroom = Math.max(1, highestEfficiency(profile, own, dtype));
  const peaks = {
    f16Flops: own.f16Flops * headroom,
    f32Flops: own.f32Flops * headroom,
    bytesPerSecond: own.bytesPerSecond * headroom,
  };
  const hardware: HardwareSpec = {
    ...measured,
    id: 'local-gpu',
    name: `${measured.name} (as the local engine runs it, ${dtype})`,
    tensorFlops: {
      fp16: Math.max(1, dtype === 'f32' ? peaks.f32Flops : peaks.f16Flops),
      fp8: null,
      fp4: null,
    },
    vectorFp32Flops: Math.max(1, peaks.f32Flops),
    memoryBandwidth: Math.max(1, peaks.bytesPerSecond / (dtype === 'f32' ? 2 : 1)),
  };
  const base = calibrationFromProfile(profile, hardware, { sameDevice: true, dtype, peaks });
  const launch = profile.stepDispatchSeconds ?? profile.dispatchOverheadSeconds;
  const extraKernels =
    LOCAL_ENGINE_EXTRA_KERNELS.perLayer * model.numLayers + LOCAL_ENGINE_EXTRA_KERNELS.perStep;
  const kernelLevel: Calibration = {
    ...base,
    source: `${base.source}; local engine (${dtype})`,
    kernelLaunchSeconds: launch,
    stepOverheadSeconds: (profile.stepBaseSeconds ?? profile.submitOverheadSeconds) + extraKernels * launch,
  };
  const computeOnly = compileStepModel(model, hardware, LOCAL_ENGINE_PLAN, {
    calibration: scaleHostCosts(kernelLevel, 0, kernelLevel.source),
  });
  const full = compileStepModel(model, hardware, LOCAL_ENGINE_PLAN, { calibration: kernelLevel });
  return {
    hardware,
    kernelLevel,
    parts: {
      compute: (shape) => computeOnly.stepSeconds(shape),
      fixed: (shape) => full.stepSeconds(shape) - computeOnly.stepSeconds(shape),
    },
  };
}

/** The per-kernel and per-step host costs scaled by `factor`; the kernels' own time as it was. */
function scaleHostCosts(c: Calibration, factor: number, source: string): Calibration {
  return {
    ...c,
    source,
    kernelLaunchSeconds: c.kernelLaunchSeconds * factor,
    stepOverheadSeconds: c.stepOverheadSeconds * factor,
    perSequenceOverheadSeconds: c.perSequenceOverheadSeconds * factor,
  };
}

/**
 * The device with every kernel's time scaled by `factor`: its peaks divided by it. Dividing the
 * efficiencies instead would cap them at 1, and then the model would no longer be the fitted one (with
 * kernels ×0.53, lavapipe's fitted GEMVs were modelled 1.9× slower than fitted).
 */
function scaleKernelTime(hardware: HardwareSpec, factor: number): HardwareSpec {
  // A fit that leaves the kernels out (factor 0) gets kernels a millionth of their measured time.
  const f = Math.max(factor, 1e-6);
  return {
    ...hardware,
    tensorFlops: {
      fp16: hardware.tensorFlops.fp16 / f,
      fp8: hardware.tensorFlops.fp8 === null ? null : hardware.tensorFlops.fp8 / f,
      fp4: hardware.tensorFlops.fp4 === null ? null : hardware.tensorFlops.fp4 / f,
    },
    vectorFp32Flops: hardware.vectorFp32Flops / f,
    memoryBandwidth: hardware.memoryBandwidth / f,
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
 * alone, and the per-kernel host cost from a probe of tiny layers; the engine's whole step (the
 * runtime's threads, caches and the machine's load of the moment) costs more or less than that. Fits
 * measured ≈ computeFactor × kernels' work + fixedFactor × host costs over the engine steps the profile
 * measured: non-negative least squares on relative error, so every shape counts alike.
 */
export function fitEngineSteps(
  table: EngineStepTable,
  predictCompute: (shape: BatchShape) => number,
  predictFixed: (shape: BatchShape) => number,
): EngineStepFit {
  const points = table.steps
    .map((s) => {
      const shape = engineStepShape(s);
      return { s, c: predictCompute(shape), f: predictFixed(shape), m: s.meanSeconds };
    })
    .filter((x) => x.m > 0 && x.c + x.f > 0);
  const [a, b] = nonNegativeRelativeFit(points.map((p) => ({ columns: [p.c, p.f], m: p.m })));
  return {
    computeFactor: a,
    fixedFactor: b,
    steps: points.map(({ s, c, f, m }) => ({
      prefillTokens: s.prefillTokens,
      decodeBatch: s.decodeBatch,
      measuredSeconds: m,
      kernelModelSeconds: c + f,
      fittedSeconds: a * c + b * f,
    })),
  };
}
