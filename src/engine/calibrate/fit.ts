import { Calibration, type EfficiencyCurve } from '../perf/calibration.js';
import type { SimulationConfig } from '../sim/config.js';
import { type SimulateOptions, simulate } from '../sim/simulate.js';
import type { RunSummary } from '../sim/summary.js';
import { ServeTuneError } from '../util/errors.js';
import type { Workload } from '../workload/types.js';
import { fitVerdict, type MetricError, metricErrors } from './fit-errors.js';

/**
 * GEMM points at or below this many rows are decode batches (weight streaming); above, prefill chunks.
 * The curve interpolates between the two sides' last and first points.
 */
const DECODE_GEMM_ROWS = 256;

/** Time factors for the two sides of a step (> 1: slower than the starting calibration). */
export interface PartFactors {
  /** Decode attention, elementwise ops, GEMMs of up to 256 rows, launch, per-step and per-sequence costs. */
  decode: number;
  /** Prefill attention, GEMMs of more rows, the per-prefill-chunk cost. */
  prefill: number;
}

/**
 * Scales each side of a calibration's time by its factor: efficiencies divided by it (capped at 1),
 * fixed costs multiplied by it.
 */
export function scaleCalibrationParts(c: Calibration, f: PartFactors, source: string): Calibration {
  const scale = (e: number, factor: number) => Math.min(1, Math.max(1e-9, e / factor));
  const curve = (points: EfficiencyCurve, factor: number): EfficiencyCurve =>
    points.map(([x, e]) => [x, scale(e, factor)] as [number, number]);
  return Calibration.parse({
    ...c,
    source,
    gemm: c.gemm.map(([x, e]) => [x, scale(e, x <= DECODE_GEMM_ROWS ? f.decode : f.prefill)]),
    prefillAttention: curve(c.prefillAttention, f.prefill),
    decodeAttention: curve(c.decodeAttention, f.decode),
    elementwise: curve(c.elementwise, f.decode),
    kernelLaunchSeconds: c.kernelLaunchSeconds * f.decode,
    stepOverheadSeconds: c.stepOverheadSeconds * f.decode,
    perSequenceOverheadSeconds: c.perSequenceOverheadSeconds * f.decode,
    ...(c.perPrefillChunkOverheadSeconds !== undefined
      ? { perPrefillChunkOverheadSeconds: c.perPrefillChunkOverheadSeconds * f.prefill }
      : {}),
  });
}

/**
 * Scales a calibration's time by `factor`: efficiencies divided by it (capped at 1), launch and
 * per-step costs multiplied by it. Every step's predicted time scales by about `factor`.
 */
export function scaleCalibrationTime(c: Calibration, factor: number, source: string): Calibration {
  return scaleCalibrationParts(c, { decode: factor, prefill: factor }, source);
}

interface Means {
  ttftMean: number;
  tpotMean: number;
}

interface CalibrationFit {
  calibration: Calibration;
  /** The decode side's factor (kept under its old name: it is what mean TPOT fits). */
  factor: number;
  factors: PartFactors;
  /** Seconds the front end adds to each request's first token (and so E2E); `calibration` carries it. */
  frontEndSeconds: number;
  /** Simulated means (TTFT with the front end) before and after the fit, and the measured ones. */
  before: Means;
  after: Means;
  measured: Means;
  /** Every metric after the fit. */
  errors: MetricError[];
  /** False where decode and prefill could not be fitted apart and one factor stands for both. */
  partsApart: boolean;
  /** Whether the fit reproduces the run's headline metrics (`fitVerdict`), and in words. */
  explains: boolean;
  verdict: string;
  simulations: number;
}

/** The smallest relative change of a factor the bisections resolve. */
const BISECTION_PRECISION = 2e-3;

/**
 * The factor in [0.01, 100] whose run's `value` comes closest to `target` (bisection in log space; the
 * value grows with the factor, roughly: batches shift as steps slow down, so the closest evaluated
 * factor is kept, not the final midpoint).
 */
function bisectFactor(value: (factor: number) => number, target: number, start: number): number {
  let lo = Math.log(0.01);
  let hi = Math.log(100);
  let best = start;
  let closest = Math.abs(value(start) - target);
  for (let i = 0; i < 30 && hi - lo > BISECTION_PRECISION; i++) {
    const mid = (lo + hi) / 2;
    const got = value(Math.exp(mid));
    if (Math.abs(got - target) < closest) {
      closest = Math.abs(got - target);
      best = Math.exp(mid);
    }
    if (got < target) lo = mid;
    else hi = mid;
  }
  return best;
}

/**
 * Fits the step-time model to a measured run, part by part, each with the simulator replaying the run's
 * workload under its deployment (and `served`: how it was served, validation's `servedClient`):
 * - decode: the factor whose simulated mean TPOT is the measured one (decode kernels with the per-step
 *   and per-sequence costs: one run's metrics do not tell a step's fixed cost from its kernels');
 * - prefill: the factor whose simulated TTFT spread (mean − min) is the measured one. A front end adds
 *   about the same to every request's first token, so the spread is the engine's own;
 * - front end: what the measured mean TTFT has beyond the simulated one (0 where the engine alone
 *   accounts for it, the prefill factor then fitting the mean itself), saved in the calibration;
 * then decode again, prefill having moved the mixed steps. Every metric's error is reported after the
 * fit, with a verdict on whether the fit explains the run (`fitVerdict`).
 */
export function fitCalibration(
  measured: RunSummary,
  config: SimulationConfig,
  workload: Workload,
  startWithFrontEnd: Calibration,
  served: Pick<SimulateOptions, 'client'> = {},
): CalibrationFit {
  // The engine's parts are fitted to the engine alone; the front end is fitted anew below.
  const { frontEndSeconds: _startFrontEnd, ...engineStart } = startWithFrontEnd;
  const start: Calibration = engineStart;
  const target = measured.tpot?.mean;
  if (target === undefined || !(target > 0)) {
    throw new ServeTuneError(
      'the measured run has no TPOT (no request produced more than one token): nothing to fit',
      'invalid-argument',
      'tpot',
    );
  }
  let simulations = 0;
  const run = (calibration: Calibration) => {
    simulations++;
    return simulate({ ...config, calibration }, workload, { ...served, label: 'fit' });
  };
  const runParts = (f: PartFactors) => run(scaleCalibrationParts(start, f, 'fit'));
  const before = run(start);
  const { factors: f, after, apart } = fitFactors(measured, target, runParts);
  refuseUnfittable(config, start, f.decode, target, after.tpot?.mean ?? 0);
  const engineFit = scaleCalibrationParts(
    start,
    f,
    `fit:${measured.endpoint?.url ?? measured.label} (decode ×${f.decode.toFixed(3)}, prefill ×${f.prefill.toFixed(3)} over ${start.source})`,
  );
  const frontEndSeconds = Math.max(0, (measured.ttft?.mean ?? 0) - (after.ttft?.mean ?? 0));
  const calibration = frontEndSeconds > 0 ? { ...engineFit, frontEndSeconds } : engineFit;
  const errors = metricErrors(measured, after, frontEndSeconds);
  const { explains, verdict } = fitVerdict(errors);
  const means = (s: RunSummary, frontEnd: number): Means => ({
    ttftMean: (s.ttft?.mean ?? 0) + frontEnd,
    tpotMean: s.tpot?.mean ?? 0,
  });
  return {
    calibration,
    factor: f.decode,
    factors: { ...f },
    frontEndSeconds,
    before: means(before, 0),
    after: means(after, frontEndSeconds),
    measured: { ttftMean: measured.ttft?.mean ?? 0, tpotMean: target },
    errors,
    partsApart: apart,
    explains,
    verdict: apart
      ? verdict
      : `decode and prefill could not be fitted apart (one factor for both); ${verdict}`,
    simulations,
  };
}

/** Whether a run's mean TPOT is within FIT_TOLERANCE of `target`, and how far off it is. */
const tpotMiss = (s: RunSummary, target: number) => Math.abs((s.tpot?.mean ?? 0) / target - 1);

/**
 * Decode, then prefill and the front end, then decode again (see `fitCalibration`). Where that leaves
 * mean TPOT more than FIT_TOLERANCE off (mean TPOT jumps with the factors on a short run, batches
 * shifting), one factor for both sides, as bisection finds it, if it comes closer.
 */
function fitFactors(
  measured: RunSummary,
  target: number,
  runParts: (f: PartFactors) => RunSummary,
): { factors: PartFactors; after: RunSummary; apart: boolean } {
  const tpotWith = (f: PartFactors) => runParts(f).tpot?.mean ?? 0;
  const f: PartFactors = { decode: 1, prefill: 1 };
  f.decode = bisectFactor((decode) => tpotWith({ ...f, decode }), target, 1);
  if (fitPrefill(measured, runParts, f))
    f.decode = bisectFactor((decode) => tpotWith({ ...f, decode }), target, f.decode);
  const after = runParts(f);
  if (tpotMiss(after, target) <= FIT_TOLERANCE) return { factors: f, after, apart: true };
  const one = bisectFactor((x) => tpotWith({ decode: x, prefill: x }), target, 1);
  const together = runParts({ decode: one, prefill: one });
  return tpotMiss(together, target) < tpotMiss(after, target)
    ? { factors: { decode: one, prefill: one }, after: together, apart: false }
    : { factors: f, after, apart: true };
}

/**
 * Sets `f.prefill` from the measured TTFT (see `fitCalibration`); false where the run gives nothing to
 * fit it to (fewer than two first tokens, or all alike).
 */
function fitPrefill(measured: RunSummary, runParts: (f: PartFactors) => RunSummary, f: PartFactors): boolean {
  const ttft = measured.ttft;
  if (!ttft || ttft.count < 2 || !(ttft.mean - ttft.min > 0)) return false;
  const spread = (s: RunSummary) => (s.ttft ? s.ttft.mean - s.ttft.min : 0);
  f.prefill = bisectFactor((prefill) => spread(runParts({ ...f, prefill })), ttft.mean - ttft.min, 1);
  const engineMean = runParts(f).ttft?.mean ?? 0;
  // The engine alone takes longer than the client saw: no front end, and the mean is the target.
  if (engineMean > ttft.mean)
    f.prefill = bisectFactor((prefill) => runParts({ ...f, prefill }).ttft?.mean ?? 0, ttft.mean, f.prefill);
  return true;
}

/** A fit whose mean TPOT misses the measured one by more than this fraction is no fit. */
const FIT_TOLERANCE = 0.1;

/**
 * Efficiencies cap at 1, so no factor makes the model faster than the device's speed of light: a run
 * faster than that (or slower than a hundredth of it) was served by another model or device.
 */
function refuseUnfittable(
  config: SimulationConfig,
  start: Calibration,
  factor: number,
  target: number,
  got: number,
): void {
  const miss = got / target - 1;
  if (Math.abs(miss) <= FIT_TOLERANCE) return;
  const ms = (seconds: number) => `${(seconds * 1e3).toFixed(2)} ms`;
  const model = typeof config.model === 'string' ? config.model : config.model.id;
  const hardware = typeof config.hardware === 'string' ? config.hardware : config.hardware.id;
  throw new ServeTuneError(
    `the measured mean TPOT (${ms(target)}) cannot be fitted for ${model} on ${hardware}: the closest the step model comes is ${ms(got)} (decode ×${factor.toFixed(3)} over ${start.source}), ${miss > 0 ? 'even with every kernel at full efficiency' : 'even at a hundredth of its speed'}; is the deployment right (--model, --hardware, --tp)?`,
    'invalid-argument',
    'tpot',
  );
}
