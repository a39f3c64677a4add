import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  engineStepShape,
  fitEngineSteps,
  fitServedSteps,
} from '../../../../src/engine/calibrate/local-engine.js';
import {
  addDecode,
  addPrefillChunk,
  type BatchShape,
  createBatchShape,
} from '../../../../src/engine/perf/shape.js';
import { engineStepBatches } from '../../../../src/engine/profile/engine-steps.js';
import type { EngineStepTable } from '../../../../src/engine/profile/schema.js';

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

/** Steps as a serving run forms them: 1–4 decodes, every third step with a prefill chunk. */
function servedShapes(count: number): BatchShape[] {
  const shapes: BatchShape[] = [];
  for (let i = 0; i < count; i++) {
    const shape = createBatchShape();
    for (let d = 0; d <= i % 4; d++) addDecode(shape, 20 + ((i * 7 + d) % 90));
    if (i % 3 === 0) addPrefillChunk(shape, 8 + ((i * 13) % 56), (i * 5) % 40, true);
    shapes.push(shape);
  }
  return shapes;
}

test('fitServedSteps recovers the factors of served steps and keeps their total time', () => {
  const shapes = servedShapes(300);
  // Noise of ±20% that does not depend on the shape (a machine's load of the moment).
  const noise = (i: number) => 1 + 0.2 * Math.sin(i * 2.399);
  const truth = (shape: BatchShape) =>
    0.7 * compute(shape) +
    1.8 * fixed(shape) +
    2e-4 * (shape.prefillSequences + shape.decodeCount) +
    5e-4 * shape.prefillSequences;
  const served = shapes.map((shape, i) => ({ shape, seconds: truth(shape) * noise(i) }));
  const { fit, ratios } = fitServedSteps(served, compute, fixed);
  assert.equal(fit.steps, 300);
  assert.ok(Math.abs(fit.computeFactor / 0.7 - 1) < 0.1, `kernels ×${fit.computeFactor}`);
  assert.ok(Math.abs(fit.fixedFactor / 1.8 - 1) < 0.1, `host ×${fit.fixedFactor}`);
  assert.ok(Math.abs(fit.perSequenceSeconds / 2e-4 - 1) < 0.1, `per sequence ${fit.perSequenceSeconds}`);
  // A chunk's cost shares its steps with their prefill compute, so the noise moves it more.
  assert.ok(
    Math.abs(fit.perPrefillChunkSeconds / 5e-4 - 1) < 0.25,
    `per prefill chunk ${fit.perPrefillChunkSeconds}`,
  );
  const exact = fitServedSteps(
    shapes.map((shape) => ({ shape, seconds: truth(shape) })),
    compute,
    fixed,
  ).fit;
  assert.ok(Math.abs(exact.perPrefillChunkSeconds / 5e-4 - 1) < 1e-6, 'without noise, exactly');
  assert.ok(Math.abs(exact.perSequenceSeconds / 2e-4 - 1) < 1e-6);
  const measured = served.reduce((sum, s) => sum + s.seconds, 0);
  const fitted = shapes.reduce(
    (sum, shape) =>
      sum +
      fit.computeFactor * compute(shape) +
      fit.fixedFactor * fixed(shape) +
      fit.perSequenceSeconds * (shape.prefillSequences + shape.decodeCount) +
      fit.perPrefillChunkSeconds * shape.prefillSequences,
    0,
  );
  assert.ok(Math.abs(fitted / measured - 1) < 1e-9, 'the fitted steps add up to the measured time');
  // Steps with a prefill and without it each keep their own total, not only all steps together.
  for (const withPrefill of [true, false]) {
    const kind = served.filter((s) => s.shape.prefillSequences > 0 === withPrefill);
    const measuredKind = kind.reduce((sum, s) => sum + s.seconds, 0);
    const truthKind = kind.reduce((sum, s) => sum + truth(s.shape), 0);
    const fittedKind = kind.reduce((sum, s) => sum + s.seconds / ratios[served.indexOf(s)], 0);
    assert.ok(
      Math.abs(fittedKind / truthKind - 1) < 0.02,
      `${withPrefill ? 'with' : 'without'} prefill: fitted ${fittedKind} against ${truthKind} (measured ${measuredKind})`,
    );
  }
  assert.equal(ratios.length, 300);
  assert.ok(Math.max(...ratios) > 1.15 && Math.min(...ratios) < 0.85, 'the noise is kept as spread');
  assert.ok(fit.meanAbsoluteRelativeError > 0.05 && fit.meanAbsoluteRelativeError < 0.2);
});

test('fitServedSteps measures how long slow spells last', () => {
  const shapes = servedShapes(400);
  const model = (shape: BatchShape) => 0.7 * compute(shape) + 1.8 * fixed(shape);
  const scattered = fitServedSteps(
    shapes.map((shape, i) => ({ shape, seconds: model(shape) * (1 + 0.3 * Math.sin(i * 2.399)) })),
    compute,
    fixed,
  );
  // Slow spells of 50 steps at 1.5×.
  const spells = fitServedSteps(
    shapes.map((shape, i) => ({ shape, seconds: model(shape) * (Math.floor(i / 50) % 2 === 1 ? 1.5 : 1) })),
    compute,
    fixed,
  );
  assert.ok(scattered.fit.persistence < 0.2, `scattered: ${scattered.fit.persistence}`);
  assert.ok(spells.fit.persistence > 0.8, `spells: ${spells.fit.persistence}`);
  assert.equal(spells.fit.heldShare, 1, 'no step is a rare long one');
});

test('fitServedSteps sets the rare long steps apart from the spells', () => {
  const shapes = servedShapes(400);
  const model = (shape: BatchShape) => 0.7 * compute(shape) + 1.8 * fixed(shape);
  // Spells of 50 steps at 1.3×, and every 25th step a pause of 8×, one at a time.
  const factor = (i: number) => (i % 25 === 12 ? 8 : Math.floor(i / 50) % 2 === 1 ? 1.3 : 1);
  const { fit } = fitServedSteps(
    shapes.map((shape, i) => ({ shape, seconds: model(shape) * factor(i) })),
    compute,
    fixed,
  );
  assert.equal(fit.heldShare, 384 / 400);
  // Measured over the spells alone, persistence sees them whole; the pauses would break every run.
  assert.ok(fit.persistence > 0.8, `persistence ${fit.persistence}`);
});

test('fitServedSteps refuses a run without timed steps', () => {
  assert.throws(
    () => fitServedSteps([{ shape: servedShapes(1)[0], seconds: 0 }], compute, fixed),
    /at least 2 timed steps, got 0/,
  );
});
