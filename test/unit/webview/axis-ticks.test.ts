import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logAxisTicks, tickLabel } from '../../../src/webview/axis-ticks.js';

describe('log axis ticks', () => {
  it('over less than a decade: round values evenly spaced, not minor ticks crowded together', () => {
    // A TTFT p90 axis of a search (0.10 to 0.14 s): Chart.js labelled 0.101, 0.102, 0.103, 0.105, …
    assert.deepEqual(logAxisTicks(0.1008, 0.14), [0.1, 0.11, 0.12, 0.13, 0.14]);
    // A capacity plan's TTFT axis.
    assert.deepEqual(logAxisTicks(0.012, 0.05), [0.01, 0.02, 0.03, 0.04, 0.05]);
    // A TBT p90 axis in ms, and a cost axis: the step nearest a quarter of the range.
    assert.deepEqual(logAxisTicks(13, 40), [10, 15, 20, 25, 30, 35, 40]);
    assert.deepEqual(logAxisTicks(0.13, 0.4), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]);
  });

  it('over a decade or more: 1, 2 and 5 times each power of ten', () => {
    assert.deepEqual(logAxisTicks(1.8, 50), [1, 2, 5, 10, 20, 50]);
    assert.deepEqual(logAxisTicks(0.13, 3), [0.1, 0.2, 0.5, 1, 2]);
  });

  it('starts at or below the lowest value, so the lowest points have a labelled value under them', () => {
    // A search's cost axis from 2.3 to 9 was labelled 4, 6 and 8 only.
    assert.deepEqual(logAxisTicks(2.3, 9), [2, 4, 6, 8]);
    // A step wider than the lowest value: a 1-2-5 value under it, never 0.
    assert.deepEqual(logAxisTicks(0.3, 1.8), [0.2, 0.5, 1, 1.5]);
    for (const [min, max] of [
      [2.3, 9],
      [0.013, 0.05],
      [7, 300],
      [0.3, 1.8],
    ]) {
      const ticks = logAxisTicks(min, max);
      assert.ok(ticks[0] > 0 && ticks[0] <= min, `${min}..${max}: ${ticks}`);
    }
  });

  it('leaves a range that is not positive to the chart', () => {
    assert.deepEqual(logAxisTicks(0, 1), []);
    assert.deepEqual(logAxisTicks(2, 2), []);
  });

  it('labels a tick with three significant figures at most, no trailing zeros', () => {
    assert.equal(tickLabel(0.15), '0.15');
    assert.equal(tickLabel(0.30000000000000004), '0.3');
    assert.equal(tickLabel(1500), '1,500');
    assert.equal(tickLabel(0.0123456), '0.0123');
  });
});
