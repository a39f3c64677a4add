import { performance } from 'node:perf_hooks';

/**
 * Dawn's Node binding waits for GPU work (`mapAsync`, `onSubmittedWorkDone`) by polling its instance
 * once per event-loop turn, each poll a global `setImmediate` of a freshly made native function. Those
 * functions carry N-API finalizers, which keep them alive past young-generation collections, so only a
 * full collection frees them: a 1.5 ms engine step made ~200, and while serving the collector swept
 * them in a 30–60 ms pause every ~300 steps (the event loop, the HTTP server included, stopped with
 * it). While a wait is paced, the binding's polls are spaced by a short spin before each: a few percent
 * of a typical wait (so a completion is noticed at most that much later, half of it on average), never
 * less than `MIN_POLL_GAP_MS` nor more than `MAX_POLL_GAP_MS`. The main thread spins while waiting
 * anyway; a 1.5 ms step now makes about 30 polls.
 */
export const MIN_POLL_GAP_MS = 0.005;
export const MAX_POLL_GAP_MS = 0.1;
/** The gap as a share of the typical wait. */
const GAP_SHARE_OF_WAIT = 0.03;

type Immediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => unknown;

let depth = 0;
let original: Immediate | undefined;
let lastPoll = 0;
/** A moving average of recent waits (ms), which sets the gap. */
let typicalWaitMs = 1;
let gapMs = MIN_POLL_GAP_MS;

function isNative(callback: unknown): boolean {
  return (
    typeof callback === 'function' && Function.prototype.toString.call(callback).endsWith('[native code] }')
  );
}

const paced: Immediate = (callback, ...args) => {
  const schedule = original as Immediate;
  // Only native callbacks (the binding's polls; bound functions also read as native, and at worst wait
  // the same few microseconds); JavaScript callbacks are passed through untouched.
  if (!isNative(callback)) return schedule(callback, ...args);
  return schedule(() => {
    while (performance.now() - lastPoll < gapMs) {
      // spin: the poll is due within microseconds, far below what a timer can wait
    }
    lastPoll = performance.now();
    callback(...args);
  });
};

/** The spacing the next paced polls will keep (ms). */
export function pollGapMs(): number {
  return gapMs;
}

/**
 * Runs `start` (which begins a GPU wait) and awaits what it returns with the binding's polling paced.
 * Nested and concurrent waits share one installation; the global is restored when the last ends.
 */
export async function pacedGpuWait<T>(start: () => Promise<T>): Promise<T> {
  const global = globalThis as unknown as { setImmediate: Immediate };
  if (depth++ === 0) {
    original = global.setImmediate;
    global.setImmediate = Object.assign(paced, original);
  }
  const started = performance.now();
  try {
    return await start();
  } finally {
    typicalWaitMs += 0.1 * (performance.now() - started - typicalWaitMs);
    gapMs = Math.min(MAX_POLL_GAP_MS, Math.max(MIN_POLL_GAP_MS, GAP_SHARE_OF_WAIT * typicalWaitMs));
    if (--depth === 0 && original) {
      global.setImmediate = original;
      original = undefined;
    }
  }
}
