import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { MIN_POLL_GAP_MS, pacedGpuWait } from '../../src/engine/gpu/poll-pacing.js';

test('a paced wait spaces native setImmediate callbacks and restores the global after', async () => {
  const original = globalThis.setImmediate;
  const times: number[] = [];
  // A bound function reads as native code, as the GPU binding's polls do.
  const poll = function (this: null) {
    times.push(performance.now());
  }.bind(null);
  await pacedGpuWait(async () => {
    assert.notEqual(globalThis.setImmediate, original, 'installed during the wait');
    for (let i = 0; i < 6; i++) setImmediate(poll);
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
  });
  assert.equal(globalThis.setImmediate, original, 'restored once the wait ends');
  assert.equal(times.length, 6, 'every poll ran');
  for (let i = 1; i < times.length; i++) {
    assert.ok(
      times[i] - times[i - 1] >= MIN_POLL_GAP_MS,
      `poll ${i} came ${times[i] - times[i - 1]} ms after the one before`,
    );
  }
});

test('a paced wait passes JavaScript callbacks through with their arguments', async () => {
  const seen = await pacedGpuWait(
    () => new Promise<string>((resolve) => setImmediate((a: string, b: string) => resolve(a + b), 'x', 'y')),
  );
  assert.equal(seen, 'xy');
});

test('nested and failing paced waits restore the global once the last ends', async () => {
  const original = globalThis.setImmediate;
  let release: () => void = () => {};
  const outer = pacedGpuWait(() => new Promise<void>((resolve) => (release = resolve)));
  await assert.rejects(
    pacedGpuWait(() => Promise.reject(new Error('device lost'))),
    /device lost/,
  );
  assert.notEqual(globalThis.setImmediate, original, 'still installed while the outer wait runs');
  release();
  await outer;
  assert.equal(globalThis.setImmediate, original);
});
