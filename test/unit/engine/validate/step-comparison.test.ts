import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDecode, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compareSteps } from '../../../../src/engine/validate/step-comparison.js';

// Decode-only steps that the model times at 2 ms each.
function decodeSteps(measured: readonly number[]) {
  return measured.map((seconds) => {
    const shape = createBatchShape();
    addDecode(shape, 100);
    return { shape, seconds, forwardSeconds: seconds };
  });
}

describe('step comparison', () => {
  // 98 steps at the model's time and two at five times it: the measured p99 lies among the long ones.
  const measured = [...Array.from({ length: 98 }, () => 0.002), 0.01, 0.01];
  const predict = () => 0.002;

  it("without a spread, the predicted percentiles are the model's times for the batches", () => {
    const all = compareSteps(decodeSteps(measured), predict).find((c) => c.kind === 'all');
    assert.ok(all);
    assert.equal(all.predictedP99Seconds, 0.002);
    assert.ok((all.measuredP99Seconds ?? 0) > 0.009);
  });

  it('with the spread the prediction draws from, they are the times it draws', () => {
    // Equally probable factors: 98 of them 0.9, two of them 5.9 (mean 1).
    const spread = [...Array.from({ length: 98 }, () => 0.9), 5.9, 5.9];
    const all = compareSteps(decodeSteps(measured), predict, spread).find((c) => c.kind === 'all');
    assert.ok(all);
    assert.ok(Math.abs((all.predictedP90Seconds ?? 0) - 0.0018) < 1e-8, `p90 ${all.predictedP90Seconds}`);
    assert.ok(Math.abs((all.predictedP99Seconds ?? 0) - 0.0118) < 1e-8, `p99 ${all.predictedP99Seconds}`);
    // The mean stays the model's: the spread has mean 1.
    assert.ok(Math.abs(all.predictedMeanSeconds - 0.002) < 1e-12);
  });
});
