import { Calibration, type EfficiencyCurve } from '../perf/calibration.js';
import type { SimulationConfig } from '../sim/config.js';
import { type SimulateOptions, simulate } from '../sim/simulate.js';
import type { RunSummary } from '../sim/summary.js';
import { ServeTuneError } from '../util/errors.js';
import type { Workload } from '../workload/types.js';

/**
 * Scales a calibration's time by `factor`: efficiencies divided by it (capped at 1), launch and
 * per-step costs multiplied by it. Every step's predicted time scales by about `factor`.
 */
export function scaleCalibrationTime(c: Calibration, factor: number, source: string): Calibration {
  const curve = (points: EfficiencyCurve): EfficiencyCurve =>
    points.map(([x, e]) => [x, Math.min(1, Math.max(1e-9, e / factor))] as [number, number]);
  return Calibration.parse({
    ...c,
    source,
    gemm: curve(c.gemm),
    prefillAttention: curve(c.prefillAttention),
    decodeAttention: curve(c.decodeAttention),
    elementwise: curve(c.elementwise),
    kernelLaunchSeconds: c.kernelLaunchSeconds * factor,
    stepOverheadSeconds: c.stepOverheadSeconds * factor,
    perSequenceOverheadSeconds: c.perSequenceOverheadSeconds * factor,
    ...(c.perPrefillChunkOverheadSeconds !== undefined
      ? { perPrefillChunkOverheadSeconds: c.perPrefillChunkOverheadSeconds * factor }
      : {}),
  });
}

interface CalibrationFit {
  calibration: Calibration;
  /** The fitted time factor over the starting calibration (> 1: the endpoint is slower than predicted). */
  factor: number;
  before: { ttftMean: number; tpotMean: number };
  after: { ttftMean: number; tpotMean: number };
  measured: { ttftMean: number; tpotMean: number };
  simulations: number;
}

/**
 * Fits the step-time model to a measured run: one time factor over the starting calibration (its
 * efficiencies and fixed costs together), found by bisection in log space so that the simulated mean
 * TPOT of the same workload under the same deployment equals the measured one (TPOT grows
 * monotonically with the factor). TTFT is reported before and after, not fitted.
 */
export function fitCalibration(
  measured: RunSummary,
  config: SimulationConfig,
  workload: Workload,
  start: Calibration,
  /**
   * How the run was served (its `client`: validation's `servedClient`, in blocks, the load generator on
   * the engine's host), as `simulate` replays it.
   */
  served: Pick<SimulateOptions, 'client'> = {},
): CalibrationFit {
  const target = measured.tpot?.mean;
  if (target === undefined || !(target > 0)) {
    throw new ServeTuneError(
      'the measured run has no TPOT (no request produced more than one token): nothing to fit',
      'invalid-argument',
      'tpot',
    );
  }
  let simulations = 0;
  const run = (c: Calibration) => {
    simulations++;
    const s = simulate({ ...config, calibration: c }, workload, { ...served, label: 'fit' });
    return { ttftMean: s.ttft?.mean ?? 0, tpotMean: s.tpot?.mean ?? 0 };
  };
  const before = run(start);
  // Bisection on the time factor; mean TPOT is only roughly monotone in it (batches shift as steps slow
  // down), so the factor kept is the evaluated one whose TPOT came closest, not the final midpoint.
  let lo = Math.log(0.01);
  let hi = Math.log(100);
  let factor = 1;
  let closest = Math.abs(before.tpotMean - target);
  for (let i = 0; i < 30 && hi - lo > 1e-3; i++) {
    const mid = (lo + hi) / 2;
    const got = run(scaleCalibrationTime(start, Math.exp(mid), 'fit')).tpotMean;
    if (Math.abs(got - target) < closest) {
      closest = Math.abs(got - target);
      factor = Math.exp(mid);
    }
    if (got < target) lo = mid;
    else hi = mid;
  }
  const calibration = scaleCalibrationTime(
    start,
    factor,
    `fit:${measured.endpoint?.url ?? measured.label} (×${factor.toFixed(3)} over ${start.source})`,
  );
  const after = run(calibration);
  const miss = after.tpotMean / target - 1;
  if (Math.abs(miss) > FIT_TOLERANCE) {
    // Efficiencies cap at 1, so no factor makes the model faster than the device's speed of light: a
    // run faster than that (or slower than a hundredth of it) was served by another model or device.
    const ms = (seconds: number) => `${(seconds * 1e3).toFixed(2)} ms`;
    const model = typeof config.model === 'string' ? config.model : config.model.id;
    const hardware = typeof config.hardware === 'string' ? config.hardware : config.hardware.id;
    throw new ServeTuneError(
      `the measured mean TPOT (${ms(target)}) cannot be fitted for ${model} on ${hardware}: the closest the step model comes is ${ms(after.tpotMean)} (×${factor.toFixed(3)} over ${start.source}), ${miss > 0 ? 'even with every kernel at full efficiency' : 'even at a hundredth of its speed'}; is the deployment right (--model, --hardware, --tp)?`,
      'invalid-argument',
      'tpot',
    );
  }
  return {
    calibration,
    factor,
    before,
    after,
    measured: { ttftMean: measured.ttft?.mean ?? 0, tpotMean: target },
    simulations,
  };
}

/** A fit whose mean TPOT misses the measured one by more than this fraction is no fit. */
const FIT_TOLERANCE = 0.1;
