import { z } from 'zod';
import { Calibration } from '../perf/calibration.js';
import { EngineStepTable } from '../profile/schema.js';
import { RunSummary } from '../sim/summary.js';

export const ValidatedMetric = z.enum(['ttft', 'tpot', 'itl', 'e2e']);
export type ValidatedMetric = z.infer<typeof ValidatedMetric>;

export const MetricError = z.object({
  metric: ValidatedMetric,
  stat: z.enum(['mean', 'p90']),
  predicted: z.number(),
  measured: z.number(),
  /** (predicted − measured) / measured. */
  relativeError: z.number(),
});
export type MetricError = z.infer<typeof MetricError>;

/** Step times the engine measured against what the step model predicts for the same batches. */
export const StepComparison = z.object({
  kind: z.enum(['all', 'decode-only', 'with-prefill']),
  steps: z.number().int().nonnegative(),
  measuredMeanSeconds: z.number(),
  predictedMeanSeconds: z.number(),
  /** Of the measured step, the forward pass alone (the rest: scheduling, commit, streaming). Optional, added later. */
  measuredForwardMeanSeconds: z.number().optional(),
  /**
   * 90th and 99th percentiles of the measured and predicted step times; the predicted ones with the
   * step-time spread the prediction draws from, where it has one (reports before it: without).
   * Optional, added later.
   */
  measuredP90Seconds: z.number().optional(),
  measuredP99Seconds: z.number().optional(),
  predictedP90Seconds: z.number().optional(),
  predictedP99Seconds: z.number().optional(),
  /** Σ predicted / Σ measured − 1. */
  relativeError: z.number(),
});
export type StepComparison = z.infer<typeof StepComparison>;

/** What `servetune validate` prints with --json and records in bench/results. */
export const ValidationReport = z.object({
  schemaVersion: z.literal(1),
  createdAt: z.string(),
  quick: z.boolean(),
  machine: z.object({
    adapter: z.string(),
    cpus: z.number().int().positive(),
    cpuModel: z.string(),
    node: z.string(),
    platform: z.string(),
  }),
  model: z.string(),
  engine: z.object({
    policy: z.string(),
    maxNumSeqs: z.number().int(),
    maxNumBatchedTokens: z.number().int(),
    blockSize: z.number().int(),
    kvBlocks: z.number().int(),
    dtype: z.string(),
  }),
  workload: z.object({
    source: z.string(),
    requests: z.number().int(),
    seed: z.number().int(),
    /** Mean arrival rate served, requests/s. Optional, added later. */
    rate: z.number().nonnegative().optional(),
    /** The engine's capacity (requests/s) as predicted from the profile, when the rate was chosen from it. */
    predictedCapacity: z.number().nonnegative().nullable().optional(),
    /** The chosen fraction of that capacity. */
    utilization: z.number().positive().nullable().optional(),
  }),
  profile: z.object({
    wallSeconds: z.number(),
    dispatchOverheadSeconds: z.number(),
    submitOverheadSeconds: z.number(),
    stepDispatchSeconds: z.number().nullable(),
    stepBaseSeconds: z.number().nullable(),
    /** The engine's own steps as the profile measured them. Optional, added later. */
    engineSteps: EngineStepTable.nullable().optional(),
  }),
  /** How the step model was brought to those measured engine steps. Optional, added later. */
  engineStepFit: z
    .object({
      computeFactor: z.number(),
      fixedFactor: z.number(),
      steps: z.array(
        z.object({
          prefillTokens: z.number().int(),
          decodeBatch: z.number().int(),
          measuredSeconds: z.number(),
          kernelModelSeconds: z.number(),
          fittedSeconds: z.number(),
        }),
      ),
    })
    .nullable()
    .optional(),
  /**
   * How the step model was fitted to the steps the engine ran while serving a twin of the validated run
   * (`requests`, `seed`, `rate`, `steps`: the twin, as many other requests as the validated run, served
   * in blocks alternating with the validated run's; `warmUpRequests`: served before both); null where
   * the prediction comes from the profile alone. Optional, added later.
   */
  servedStepFit: z
    .object({
      requests: z.number().int().nonnegative(),
      /** Requests served first to warm the runtime and set the fitted phase's rate. Optional, added later. */
      warmUpRequests: z.number().int().nonnegative().optional(),
      seed: z.number().int(),
      rate: z.number().nonnegative().nullable(),
      /**
       * The twin and the validated run were served in alternating blocks of this many requests, this
       * many each (1: the whole twin, then the whole validated run). Optional, added later.
       */
      blockRequests: z.number().int().positive().optional(),
      blocks: z.number().int().positive().optional(),
      computeFactor: z.number(),
      fixedFactor: z.number(),
      /** Host time per sequence in a step, added to the calibration's. Optional, added later. */
      perSequenceSeconds: z.number().nonnegative().optional(),
      /** Host time per prefill chunk in a step, beyond its sequence's. Optional, added later. */
      perPrefillChunkSeconds: z.number().nonnegative().optional(),
      /** How long the served steps' slow spells last (lag-1 autocorrelation). Optional, added later. */
      persistence: z.number().min(0).max(1).optional(),
      /** The share of steps in spells: all but the rare long ones, drawn apart. Optional, added later. */
      heldShare: z.number().min(0).max(1).optional(),
      steps: z.number().int().nonnegative(),
      meanAbsoluteRelativeError: z.number(),
      /**
       * The front end's mean latency: what the twin's client TTFTs took beyond the engine's own
       * submit-to-first-token, response by response. Optional, added later.
       */
      frontEndSeconds: z.number().nonnegative().optional(),
      /**
       * Its p90: each predicted request's first (and last) token is later by a draw from the twin's
       * latencies, not by their mean. Optional, added later.
       */
      frontEndP90Seconds: z.number().nonnegative().optional(),
      /** Twin responses paired with the engine's records by id (0: the means' difference stood in). */
      frontEndPairs: z.number().int().nonnegative().optional(),
      wallSeconds: z.number(),
    })
    .nullable()
    .optional(),
  /**
   * The serving runs after the warm-up, in the order served (twin and validated blocks alternating),
   * each with its steps' mean measured time and the mean the fitted step model predicts for the same
   * batches: how the machine's speed moved over the run. Optional, added later.
   */
  servedBlocks: z
    .array(
      z.object({
        kind: z.enum(['twin', 'validated']),
        /** The block's first request in its workload (0-based). */
        skip: z.number().int().nonnegative(),
        requests: z.number().int().nonnegative(),
        steps: z.number().int().nonnegative(),
        measuredStepMeanSeconds: z.number().nonnegative(),
        predictedStepMeanSeconds: z.number().nonnegative(),
        wallSeconds: z.number().nonnegative(),
      }),
    )
    .nullable()
    .optional(),
  /** The calibration behind `predicted`. */
  calibration: Calibration,
  predicted: RunSummary,
  /**
   * `predicted` (and `profileOnly.predicted`) is the mean over this many seeds of the step-time draws;
   * absent: one seed. Optional, added later.
   */
  predictionSeeds: z.number().int().positive().optional(),
  /**
   * Where `predicted` used the warm-up's served steps: the same workload predicted from the profile
   * alone, and its errors. Optional, added later.
   */
  profileOnly: z
    .object({ predicted: RunSummary, errors: z.array(MetricError), steps: z.array(StepComparison) })
    .nullable()
    .optional(),
  measured: RunSummary,
  errors: z.array(MetricError),
  steps: z.array(StepComparison),
  /** The project's targets: |error| of mean TPOT and mean TTFT each at most 10%. */
  target: z.object({ maxRelativeError: z.number(), met: z.boolean() }),
  wallSeconds: z.number(),
});
export type ValidationReport = z.infer<typeof ValidationReport>;

export function metricErrors(predicted: RunSummary, measured: RunSummary): MetricError[] {
  const out: MetricError[] = [];
  for (const metric of ValidatedMetric.options) {
    const p = predicted[metric];
    const m = measured[metric];
    if (!p || !m) continue;
    for (const stat of ['mean', 'p90'] as const) {
      out.push({
        metric,
        stat,
        predicted: p[stat],
        measured: m[stat],
        relativeError: m[stat] > 0 ? (p[stat] - m[stat]) / m[stat] : 0,
      });
    }
  }
  return out;
}
