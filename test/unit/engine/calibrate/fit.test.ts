import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitCalibration, scaleCalibrationParts } from '../../../../src/engine/calibrate/fit.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { defaultCalibrationFor } from '../../../../src/engine/perf/calibration.js';
import { SimulationConfig } from '../../../../src/engine/sim/config.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import type { MetricSummary, RunSummary } from '../../../../src/engine/sim/summary.js';
import { generateWorkload, parseWorkloadSpec } from '../../../../src/engine/workload/spec.js';

const config = SimulationConfig.parse({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  deployment: {
    kind: 'colocated',
    pool: {
      plan: { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
      scheduler: { policy: 'vllm-v1', maxModelLen: 8192 },
    },
  },
});
const spec = 'poisson:rate=4,prompt=lognormal(1500,0.8),output=lognormal(120,0.5),n=200,max=6000';
const workload = generateWorkload(parseWorkloadSpec(spec), 1, spec);
const start = defaultCalibrationFor(getHardware('h100-sxm'));
const shift = (m: MetricSummary | null, s: number): MetricSummary | null =>
  m && {
    ...m,
    mean: m.mean + s,
    p50: m.p50 + s,
    p90: m.p90 + s,
    p99: m.p99 + s,
    min: m.min + s,
    max: m.max + s,
  };

/** A run "measured" on a server whose decode is 1.5× slower, prefill 2×, behind a 20 ms front end. */
function measuredRun(): RunSummary {
  const truth = scaleCalibrationParts(start, { decode: 1.5, prefill: 2 }, 'truth');
  const s = simulate({ ...config, calibration: truth }, workload);
  return { ...s, ttft: shift(s.ttft, 0.02), e2e: shift(s.e2e, 0.02) };
}

describe('calibrate fits the parts that differ', () => {
  const measured = measuredRun();

  it('finds decode and prefill apart, and the front end, and explains the run', () => {
    const fit = fitCalibration(measured, config, workload, start);
    assert.ok(Math.abs(fit.factors.decode / 1.5 - 1) < 0.05, `decode ×${fit.factors.decode}`);
    assert.ok(Math.abs(fit.factors.prefill / 2 - 1) < 0.15, `prefill ×${fit.factors.prefill}`);
    assert.ok(Math.abs(fit.frontEndSeconds - 0.02) < 0.006, `front end ${fit.frontEndSeconds}`);
    const ttft = fit.errors.find((e) => e.metric === 'TTFT mean');
    assert.ok(ttft && Math.abs(ttft.error) < 0.05, JSON.stringify(ttft));
    for (const metric of ['TTFT p90', 'TPOT p50', 'ITL p99', 'E2E mean', 'output tokens/s'])
      assert.ok(
        fit.errors.some((e) => e.metric === metric),
        `${metric} is reported`,
      );
    assert.equal(fit.explains, true, fit.verdict);
  });

  it('says plainly when the fit does not explain the run', () => {
    // A tail no step model gives: a TTFT p90 five times the measured run's.
    const odd = { ...measured, ttft: measured.ttft && { ...measured.ttft, p90: measured.ttft.p90 * 5 } };
    const fit = fitCalibration(odd, config, workload, start);
    assert.equal(fit.explains, false);
    assert.match(fit.verdict, /does NOT explain the run: TTFT p90 -\d/);
  });
});

describe('a run whose TTFT no prefill factor gives without breaking TPOT', () => {
  it('falls back to one factor for both sides, and says so', () => {
    const s = simulate({ ...config, calibration: start }, workload);
    // A TTFT spread twenty times the engine's: only prefill a hundred times slower comes near it.
    const ttft = s.ttft && { ...s.ttft, mean: s.ttft.min + 20 * (s.ttft.mean - s.ttft.min) };
    const fit = fitCalibration({ ...s, ttft }, config, workload, start);
    assert.equal(fit.partsApart, false);
    assert.equal(fit.factors.decode, fit.factors.prefill);
    assert.ok(Math.abs(fit.after.tpotMean / fit.measured.tpotMean - 1) < 0.1);
    assert.match(fit.verdict, /^decode and prefill could not be fitted apart/);
  });
});

describe('a calibration with a front end', () => {
  it('simulate adds it to TTFT and E2E, not to TPOT', () => {
    const plain = simulate({ ...config, calibration: start }, workload);
    const behind = simulate({ ...config, calibration: { ...start, frontEndSeconds: 0.05 } }, workload);
    assert.ok(Math.abs((behind.ttft?.mean ?? 0) - (plain.ttft?.mean ?? 0) - 0.05) < 1e-9);
    assert.ok(Math.abs((behind.e2e?.p90 ?? 0) - (plain.e2e?.p90 ?? 0) - 0.05) < 1e-9);
    assert.equal(behind.tpot?.mean, plain.tpot?.mean);
  });

  it('the fitted front end is saved with the calibration, and reproduces the measured TTFT', () => {
    const measured = measuredRun();
    const fit = fitCalibration(measured, config, workload, { ...start, frontEndSeconds: 0.3 });
    assert.equal(fit.calibration.frontEndSeconds, fit.frontEndSeconds);
    const again = simulate({ ...config, calibration: fit.calibration }, workload);
    assert.ok(Math.abs((again.ttft?.mean ?? 0) / (measured.ttft?.mean ?? 1) - 1) < 0.02);
  });
});
