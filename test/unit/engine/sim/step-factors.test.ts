import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StepFactors } from '../../../../src/engine/sim/step-factors.js';
import { spreadOf } from '../../../../src/engine/util/spread.js';

// Nineteen ordinary factors and one rare long one, twenty times the fastest: mean 1.
const spread = spreadOf([...Array.from({ length: 19 }, (_, i) => 0.5 + i * 0.03), 10]);
const rare = spread[19];

function draw(heldShare: number, steps = 200_000) {
  const factors = new StepFactors({ spread, persistence: 0.9, heldShare }, 7);
  const replica = {};
  const out = new Float64Array(steps);
  for (let i = 0; i < steps; i++) out[i] = factors.next(replica);
  let rareSteps = 0;
  let rareAfterRare = 0;
  let ordinaryPairs = 0;
  let ordinaryRepeats = 0;
  let sum = 0;
  for (let i = 0; i < steps; i++) {
    sum += out[i];
    if (out[i] === rare) rareSteps++;
    if (i === 0) continue;
    if (out[i - 1] === rare && out[i] === rare) rareAfterRare++;
    if (out[i - 1] !== rare && out[i] !== rare) {
      ordinaryPairs++;
      if (out[i] === out[i - 1]) ordinaryRepeats++;
    }
  }
  return {
    mean: sum / steps,
    rareShare: rareSteps / steps,
    rareAfterRare: rareAfterRare / rareSteps,
    ordinaryRepeat: ordinaryRepeats / ordinaryPairs,
  };
}

test('rare long steps drawn apart keep their rate and the mean, and do not come in runs', () => {
  const apart = draw(19 / 20);
  const held = draw(1);
  for (const run of [apart, held]) {
    assert.ok(Math.abs(run.mean - 1) < 0.03, `mean factor ${run.mean}`);
    assert.ok(Math.abs(run.rareShare - 0.05) < 0.01, `rare share ${run.rareShare}`);
  }
  // Held, a rare step repeats with the persistence (0.9); apart, at its own rate (0.05).
  assert.ok(held.rareAfterRare > 0.85, `held: ${held.rareAfterRare}`);
  assert.ok(apart.rareAfterRare < 0.1, `apart: ${apart.rareAfterRare}`);
  // The ordinary factors still come in spells: 0.9 + 0.1 / 19.
  assert.ok(apart.ordinaryRepeat > 0.88, `ordinary repeats: ${apart.ordinaryRepeat}`);
});

test('the same seed gives the same factors; replicas hold their own', () => {
  const a = new StepFactors({ spread, persistence: 0.5, heldShare: 0.95 }, 3);
  const b = new StepFactors({ spread, persistence: 0.5, heldShare: 0.95 }, 3);
  const r = {};
  const sequenceA = Array.from({ length: 50 }, () => a.next(r));
  const sequenceB = Array.from({ length: 50 }, () => b.next(r));
  assert.deepEqual(sequenceA, sequenceB);
  const always = new StepFactors({ spread, persistence: 0.999999, heldShare: 0.95 }, 1);
  const first = {};
  const second = {};
  const ordinary = (replica: object) => {
    for (;;) {
      const f = always.next(replica);
      if (f !== rare) return f;
    }
  };
  const heldFirst = ordinary(first);
  ordinary(second);
  assert.equal(ordinary(first), heldFirst, 'a replica keeps its own held factor');
});
