import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineStepShape, fitEngineSteps } from '../../../src/engine/perf/local-engine.js';
import type { BatchShape } from '../../../src/engine/perf/shape.js';
import { engineStepBatches } from '../../../src/engine/profile/engine-steps.js';
import type { EngineStepTable } from '../../../src/engine/profile/schema.js';

const timing = { median: 0, p10: 0, p90: 0, samples: 1 };
// A kernel-level model: kernels' work 0.1 ms per token, host costs 1 ms per step and 0.05 ms per sequence.
const compute = (shape: BatchShape) => 1e-4 * (shape.prefillTokens + shape.decodeCount);
const fixed = (shape: BatchShape) => 1e-3 + 5e-5 * (shape.prefillSequences + shape.decodeCount);

function table(measure: (shape: BatchShape) => number): EngineStepTable {
  const steps = engineStepBatches({ dtype: 'f32', maxTokens: 64, maxSequences: 4, blockSize: 16 }, 64).map(
    (b) => ({
      ...b,
      meanSeconds: measure(engineStepShape({ ...b, meanSeconds: 0, time: timing })),
      time: timing,
    }),
  );
  return { model: 'm', dtype: 'f32', maxTokens: 64, maxSequences: 4, blockSize: 16, steps };
}

test('the engine step shapes cover decodes up to max-num-seqs, chunks and a mixed step', () => {
  const batches = engineStepBatches({ dtype: 'f32', maxTokens: 64, maxSequences: 4, blockSize: 16 }, 64);
  assert.deepEqual(
    batches.map((b) => [b.decodeBatch, b.prefillTokens]),
    [
      [1, 0],
      [2, 0],
      [4, 0],
      [0, 32],
      [3, 16],
      [0, 64],
      [3, 61],
    ],
  );
  const shape = engineStepShape({ ...batches[6], meanSeconds: 0, time: timing });
  assert.equal(shape.decodeCount, 3);
  assert.equal(shape.prefillTokens, 61);
});

test('fitEngineSteps recovers separate factors for the kernels and the host costs', () => {
  const fit = fitEngineSteps(
    table((shape) => 1.3 * compute(shape) + 0.6 * fixed(shape)),
    compute,
    fixed,
  );
  assert.ok(Math.abs(fit.computeFactor - 1.3) < 1e-9, `kernels ×${fit.computeFactor}`);
  assert.ok(Math.abs(fit.fixedFactor - 0.6) < 1e-9, `host ×${fit.fixedFactor}`);
  for (const s of fit.steps) assert.ok(Math.abs(s.fittedSeconds / s.measuredSeconds - 1) < 1e-9);
  assert.ok(fit.steps.every((s) => Math.abs(s.kernelModelSeconds / s.measuredSeconds - 1) > 0.01));
});

test('fitEngineSteps never gives a part a negative factor', () => {
  const fit = fitEngineSteps(
    table((shape) => 3 * compute(shape) - 0.2 * fixed(shape)),
    compute,
    fixed,
  );
  assert.ok(fit.computeFactor >= 0 && fit.fixedFactor >= 0);
  assert.ok(fit.computeFactor === 0 || fit.fixedFactor === 0);
});
