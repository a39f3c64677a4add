import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineStepShape, fitEngineSteps } from '../../../src/engine/perf/local-engine.js';
import type { BatchShape } from '../../../src/engine/perf/shape.js';
import { engineStepBatches } from '../../../src/engine/profile/engine-steps.js';
import type { EngineStepTable } from '../../../src/engine/profile/schema.js';

const timing = { median: 0, p10: 0, p90: 0, samples: 1 };
// A kernel-level model: 1 ms per step, 0.1 ms per token.
const kernelModel = (shape: BatchShape) => 1e-3 + 1e-4 * (shape.prefillTokens + shape.decodeCount);

function table(measure: (predicted: number) => number): EngineStepTable {
  const steps = engineStepBatches({ dtype: 'f32', maxTokens: 64, maxSequences: 4, blockSize: 16 }, 64).map(
    (b) => {
      const p = kernelModel(engineStepShape({ ...b, meanSeconds: 0, time: timing }));
      return { ...b, meanSeconds: measure(p), time: timing };
    },
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
      [0, 64],
      [3, 61],
    ],
  );
  const shape = engineStepShape({ ...batches[5], meanSeconds: 0, time: timing });
  assert.equal(shape.decodeCount, 3);
  assert.equal(shape.prefillTokens, 61);
});

test('fitEngineSteps recovers a factor and a fixed cost over the kernel-level model', () => {
  const fit = fitEngineSteps(
    table((p) => 1.3 * p + 5e-4),
    kernelModel,
  );
  assert.ok(Math.abs(fit.factor - 1.3) < 1e-9, `factor ${fit.factor}`);
  assert.ok(Math.abs(fit.addedSeconds - 5e-4) < 1e-12, `added ${fit.addedSeconds}`);
  for (const s of fit.steps) assert.ok(Math.abs(s.fittedSeconds - s.measuredSeconds) < 1e-12);
});

test('fitEngineSteps never adds a negative fixed cost', () => {
  const fit = fitEngineSteps(
    table((p) => 2 * p - 5e-4),
    kernelModel,
  );
  assert.equal(fit.addedSeconds, 0);
  assert.ok(fit.factor > 1.5 && fit.factor < 2, `factor ${fit.factor}`);
});
