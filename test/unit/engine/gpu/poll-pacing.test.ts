import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import {
  FIRST_POLL_SHARE,
  MIN_POLL_GAP_MS,
  pacedGpuWait,
  pollGapMs,
} from '../../../../src/engine/gpu/poll-pacing.js';

test('a paced wait spaces native setImmediate callbacks and restores the global after', async () => {
  const original = globalThis.setImmediate;
  let polls = 0;
  // A bound function reads as native code, as the GPU binding's polls do.
  const poll = function (this: null) {
    polls++;
  }.bind(null);
  const gap = pollGapMs();
  assert.ok(gap >= MIN_POLL_GAP_MS);
  let span = 0;
  await pacedGpuWait(async () => {
    assert.notEqual(globalThis.setImmediate, original, 'installed during the wait');
    const begin = performance.now();
    for (let i = 0; i < 6; i++) setImmediate(poll);
    await new Promise<void>((resolve) => setImmediate(() => resolve()));
    span = performance.now() - begin;
  });
  assert.equal(globalThis.setImmediate, original, 'restored once the wait ends');
  assert.equal(polls, 6, 'every poll ran');
  // Each poll starts at least one gap after the one before: six take at least five gaps.
  assert.ok(span >= 5 * gap, `six polls took ${span} ms, less than five gaps of ${gap} ms`);
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

test("a wait's first native poll waits for most of the shortest recent wait", async () => {
  // Sixteen waits of about 5 ms fill the record of recent waits. A timer can fire up to a millisecond
  // early by the clock (it starts from the event loop's cached time), so each wait is timed here.
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 16; i++) {
    const begin = performance.now();
    await pacedGpuWait(() => sleep(5));
    shortest = Math.min(shortest, performance.now() - begin);
  }
  assert.ok(shortest > 2, `a 5 ms timer took ${shortest} ms`);
  let firstPollAfter = -1;
  const poll = function (this: null) {
    firstPollAfter = performance.now() - started;
  }.bind(null);
  const started = performance.now();
  await pacedGpuWait(async () => {
    setImmediate(poll);
    while (firstPollAfter < 0) await new Promise<void>((resolve) => setTimeout(resolve, 1));
  });
  assert.ok(
    firstPollAfter >= FIRST_POLL_SHARE * shortest - 0.05,
    `the first poll ran ${firstPollAfter} ms into the wait, before ${FIRST_POLL_SHARE} of the shortest recent wait (${shortest} ms)`,
  );
});
