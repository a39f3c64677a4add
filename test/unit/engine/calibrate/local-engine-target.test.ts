import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  LOCAL_ENGINE_PLAN,
  localEngineTarget,
  servedEngineTarget,
} from '../../../../src/engine/calibrate/local-engine.js';
import {
  addDecode,
  addPrefillChunk,
  type BatchShape,
  createBatchShape,
} from '../../../../src/engine/perf/shape.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';
import type { DeviceProfile } from '../../../../src/engine/profile/schema.js';
import { presetModel } from '../../../../src/engine/serve/local/presets.js';
import { emptyProfile, timing } from '../../helpers/profile.js';

const GiB = 1024 ** 3;
const model = presetModel('tiny');
const peakFlops = 1e12;
const copyBytesPerSecond = 100e9;

/**
 * A profile of f32 GEMMs at the given efficiencies against its own peaks, by M: above 1 is a kernel that
 * beat them (a GEMV whose weights sat in a CPU's cache).
 */
function gemmProfile(efficiencyByM: Record<number, number>): DeviceProfile {
  const n = 2048;
  const k = 2048;
  return emptyProfile({
    gemm: Object.entries(efficiencyByM).map(([mText, efficiency]) => {
      const m = Number(mText);
      const sol = Math.max((2 * m * n * k) / peakFlops, ((m * k + n * k + m * n) * 4) / copyBytesPerSecond);
      return {
        kernel: m === 1 ? ('gemv' as const) : ('tiled' as const),
        dtype: 'f32' as const,
        m,
        n,
        k,
        time: timing(sol / efficiency),
        flopsPerSecond: 1,
        bytesPerSecond: 1,
      };
    }),
    derived: { peakFlopsPerSecond: { f32: peakFlops, f16: null }, copyBytesPerSecond, efficiency: null },
  });
}

function servedShapes(count: number): BatchShape[] {
  return Array.from({ length: count }, (_, i) => {
    const shape = createBatchShape();
    for (let d = 0; d < 1 + (i % 4); d++) addDecode(shape, 20 + ((i * 7 + d * 13) % 90));
    if (i % 3 === 0) addPrefillChunk(shape, 8 + ((i * 11) % 56), 0, true);
    return shape;
  });
}

test('the local engine target keeps a kernel that beat the profile’s peaks at its measured speed', () => {
  const target = localEngineTarget(gemmProfile({ 1: 1.5, 64: 0.5, 512: 0.9 }), model, 'f32', 64 * GiB);
  const efficiency = new Map(target.calibration.gemm);
  assert.ok(
    [...efficiency.values()].every((e) => e <= 1),
    'efficiencies stay within 1',
  );
  // Capped at 1, the GEMV would be modelled only 2× the M=64 GEMM's efficiency, not the measured 3×.
  assert.ok(Math.abs(efficiency.get(1)! / efficiency.get(64)! - 3) < 1e-9, `${[...efficiency]}`);
  assert.ok(Math.abs(efficiency.get(512)! / efficiency.get(64)! - 1.8) < 1e-9);
});

test('the step model of a served fit is the fitted one, even with kernels faster than their efficiencies allow', () => {
  const profile = gemmProfile({ 1: 1.5, 64: 0.5, 512: 0.9 });
  const kernelLevel = localEngineTarget(profile, model, 'f32', 64 * GiB);
  const kernelModel = compileStepModel(model, kernelLevel.hardware, LOCAL_ENGINE_PLAN, {
    calibration: kernelLevel.calibration,
  });
  // Served steps at 0.4× the kernel-level model, ±15% by the step: the fitted kernel factor (~0.4) is
  // below the GEMMs' efficiencies, which dividing the efficiencies by it would have capped at 1.
  const shapes = servedShapes(240);
  const served = shapes.map((shape, i) => ({
    shape,
    seconds: 0.4 * kernelModel.stepSeconds(shape) * (1 + 0.15 * Math.sin(i * 2.399)),
  }));
  const fitted = servedEngineTarget(profile, model, 'f32', 64 * GiB, served);
  assert.ok(fitted.fit.computeFactor < 0.5, `kernels ×${fitted.fit.computeFactor}`);
  const stepModel = compileStepModel(model, fitted.hardware, LOCAL_ENGINE_PLAN, {
    calibration: fitted.calibration,
  });
  const measured = served.reduce((sum, s) => sum + s.seconds, 0);
  const predicted = shapes.reduce((sum, shape) => sum + stepModel.stepSeconds(shape), 0);
  assert.ok(Math.abs(predicted / measured - 1) < 1e-9, `predicted / measured ${predicted / measured}`);
});
