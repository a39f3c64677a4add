import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { simulateInSlices } from '../../../../src/engine/sim/simulate-async.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { L40S_DP2 } from '../../helpers/l40s-dp2.js';

const config = L40S_DP2;
const workload = loadWorkload('poisson:rate=8,n=2000,prompt=lognormal(512,0.6),output=lognormal(128,0.5)');

test('a simulation run in slices gives the summary of one run whole', async () => {
  const progress: number[] = [];
  const sliced = await simulateInSlices(config, workload, {
    sliceEvents: 500,
    onProgress: (arrived, total) => {
      assert.equal(total, 2000);
      progress.push(arrived);
    },
  });
  const whole = simulate(config, workload);
  assert.deepEqual({ ...sliced, wallSeconds: 0 }, { ...whole, wallSeconds: 0 });
  assert.ok(progress.length > 5, `${progress.length} slices`);
  assert.deepEqual(
    progress,
    [...progress].sort((a, b) => a - b),
  );
});

test('aborting between slices stops the run with the signal’s reason', async () => {
  const controller = new AbortController();
  let slices = 0;
  await assert.rejects(
    simulateInSlices(config, workload, {
      sliceEvents: 500,
      signal: controller.signal,
      onProgress: () => {
        slices++;
        if (slices === 2) controller.abort(new Error('stop here'));
      },
    }),
    /stop here/,
  );
  assert.equal(slices, 2);
});

test('a timer set before the run fires during it: the run yields to the event loop', async () => {
  let fired = false;
  setTimeout(() => {
    fired = true;
  }, 0);
  let firedBeforeEnd = false;
  await simulateInSlices(config, workload, {
    sliceEvents: 500,
    onProgress: () => {
      firedBeforeEnd ||= fired;
    },
  });
  assert.ok(firedBeforeEnd);
});
