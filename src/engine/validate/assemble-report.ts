import { cpus } from 'node:os';
import { LOCAL_ENGINE_PLAN } from '../calibrate/local-engine.js';
import { compileStepModel } from '../perf/step-model.js';
import type { DeviceProfile } from '../profile/schema.js';
import type { LocalEngine, StepRecord } from '../serve/local/engine.js';
import type { RunSummary } from '../sim/summary.js';
import type { Workload } from '../workload/types.js';
import { PREDICTION_SEEDS, VALIDATION_TARGET, type ValidationOptions } from './options.js';
import type { Prediction } from './prediction.js';
import type { PredictionSetup, StepTarget } from './prediction-setup.js';
import { metricErrors, ValidationReport } from './report.js';
import type { ServedBlocks } from './served-blocks.js';
import { compareSteps, servedBlockRecords } from './step-comparison.js';
import type { ServingRate } from './warm-up.js';

/** Everything a validation found, for its report. */
export interface ValidationFindings {
  options: ValidationOptions;
  /** `performance.now()` when the validation began. */
  started: number;
  profile: DeviceProfile;
  engine: LocalEngine;
  setup: PredictionSetup;
  /** The step target that predicts (the twin's fit, else the profile's). */
  headline: StepTarget;
  servingRate: ServingRate;
  /** The validated run's blocks; the twin's (none without a warm-up) and the block size. */
  blocks: ServedBlocks;
  /** The twin's fit as recorded; null where the profile alone predicts. */
  servedFit: ValidationReport['servedStepFit'];
  prediction: Prediction;
  measured: RunSummary;
}

/**
 * The report: the prediction's error per metric (its target met where mean TTFT and mean TPOT are both
 * within `VALIDATION_TARGET`), the step model against the validated run's steps, whole and per block,
 * and what the profile alone would have predicted.
 */
export function assembleReport(f: ValidationFindings): ValidationReport {
  const { options, profile, engine, setup, blocks, prediction, measured } = f;
  const c = engine.config;
  const validatedSteps = blocks.validated.flatMap((b) => b.steps);
  // Compiled once: it times the validated run and then every block of both runs.
  const headlineSteps = stepComparer(options, f.headline);
  const errors = metricErrors(prediction.predicted, measured);
  const cpuList = cpus();
  return ValidationReport.parse({
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    quick: options.quick,
    machine: {
      adapter: profile.adapter.description || profile.adapter.device,
      cpus: Math.max(1, cpuList.length),
      cpuModel: cpuList[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    model: options.model.id,
    engine: {
      policy: c.policy,
      maxNumSeqs: c.maxNumSeqs,
      maxNumBatchedTokens: c.maxNumBatchedTokens,
      blockSize: c.blockSize,
      kvBlocks: engine.kv.totalBlocks,
      dtype: options.dtype,
    },
    workload: {
      source: options.workload,
      requests: prediction.workload.requests.length,
      seed: options.seed,
      rate: f.servingRate.rate ?? meanRate(prediction.workload),
      predictedCapacity: f.servingRate.capacity,
      utilization: options.utilization ?? null,
    },
    profile: {
      wallSeconds: profile.wallSeconds ?? 0,
      dispatchOverheadSeconds: profile.dispatchOverheadSeconds,
      submitOverheadSeconds: profile.submitOverheadSeconds,
      stepDispatchSeconds: profile.stepDispatchSeconds ?? null,
      stepBaseSeconds: profile.stepBaseSeconds ?? null,
      engineSteps: profile.engineSteps ?? null,
    },
    engineStepFit: setup.profileTarget.engineStepFit,
    servedStepFit: f.servedFit,
    servedBlocks:
      blocks.twin.length > 0
        ? servedBlockRecords(blocks.twin, blocks.validated, blocks.blockRequests, headlineSteps)
        : null,
    calibration: f.headline.calibration,
    predicted: prediction.predicted,
    predictionSeeds: PREDICTION_SEEDS,
    profileOnly: prediction.profileOnly
      ? {
          predicted: prediction.profileOnly,
          errors: metricErrors(prediction.profileOnly, measured),
          steps: stepComparer(options, setup.profileTarget)(validatedSteps),
        }
      : null,
    measured,
    errors,
    steps: headlineSteps(validatedSteps),
    target: { maxRelativeError: VALIDATION_TARGET, met: targetMet(errors) },
    wallSeconds: (performance.now() - f.started) / 1000,
  });
}

/** Compares steps with `target`'s step model (compiled once), its spread giving the predicted percentiles. */
function stepComparer(options: ValidationOptions, target: StepTarget) {
  const model = compileStepModel(options.model, target.hardware, LOCAL_ENGINE_PLAN, {
    calibration: target.calibration,
  });
  const spread = target.calibration.stepTimeSpread;
  return (steps: readonly StepRecord[]) => compareSteps(steps, (shape) => model.stepSeconds(shape), spread);
}

/** Whether mean TTFT and mean TPOT are both predicted within the target. */
function targetMet(errors: ReturnType<typeof metricErrors>): boolean {
  return ['ttft', 'tpot'].every((metric) => {
    const e = errors.find((x) => x.metric === metric && x.stat === 'mean');
    return e !== undefined && Math.abs(e.relativeError) <= VALIDATION_TARGET;
  });
}

function meanRate(workload: Workload): number {
  const n = workload.requests.length;
  const span = n > 1 ? workload.requests[n - 1].arrival - workload.requests[0].arrival : 0;
  return span > 0 ? (n - 1) / span : 0;
}
