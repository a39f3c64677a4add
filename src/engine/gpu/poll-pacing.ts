import { performance } from 'node:perf_hooks';

/**
 * Dawn's Node binding waits for GPU work (`mapAsync`, `onSubmittedWorkDone`) by polling its instance
 * once per event-loop turn, each poll a global `setImmediate` of a freshly made native function. Those
 * functions carry N-API finalizers, which keep them alive past young-generation collections, so only a
 * full collection frees them: a 1.5 ms engine step made ~200, and while serving the collector swept
 * them in a 30–60 ms pause every ~300 steps (the event loop, the HTTP server included, stopped with
 * it). While a wait is paced, the binding's polls are spaced by a short spin before each: a few percent
 * of a typical wait (so a completion is noticed at most that much later, half of it on average), never
 * less than `MIN_POLL_GAP_MS` nor more than `MAX_POLL_GAP_MS`. The first poll of a wait comes later
 * still: at `FIRST_POLL_SHARE` of the shortest of the last few waits (at most `MAX_FIRST_POLL_DELAY_MS`),
 * since no GPU work has finished sooner lately. The main thread spins while waiting anyway; a 1.5 ms
 * engine step makes about 10 polls (200 unpaced, 30 with the gap alone), and the collector's full
 * pauses while serving come about a third less often.
 */
export const MIN_POLL_GAP_MS = 0.005;
const MAX_POLL_GAP_MS = 0.1;
/** The gap as a share of the typical wait. */
const GAP_SHARE_OF_WAIT = 0.03;
/**
 * The first poll of a wait, as a share of the shortest recent wait: below 1, so that when the GPU work
 * gets shorter the measured waits, and the delay with them, come down to it within a few waits.
 */
export const FIRST_POLL_SHARE = 0.8;
/** The first poll's delay never holds the event loop longer than this. */
const MAX_FIRST_POLL_DELAY_MS = 10;
/** How many recent waits the first poll's delay looks back over. */
const RECENT_WAITS = 16;

type Immediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => unknown;

let depth = 0;
let original: Immediate | undefined;
let lastPoll = 0;
/** A moving average of recent waits (ms), which sets the gap. */
let typicalWaitMs = 1;
let gapMs = MIN_POLL_GAP_MS;
/** The durations of the last `RECENT_WAITS` waits (ms), oldest overwritten first. */
const recentWaitsMs: number[] = [];
let recentWaitCount = 0;
/** The earliest time the next native poll may run: set by a wait's start. */
let nextPollAt = 0;

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
    const due = Math.max(nextPollAt, lastPoll + gapMs);
    while (performance.now() < due) {
      // spin: the poll is due within a millisecond or so, below what a timer can wait precisely
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
  if (recentWaitsMs.length > 0) {
    nextPollAt = started + Math.min(MAX_FIRST_POLL_DELAY_MS, FIRST_POLL_SHARE * Math.min(...recentWaitsMs));
  }
  try {
    return await start();
  } finally {
    const waited = performance.now() - started;
    recentWaitsMs[recentWaitCount++ % RECENT_WAITS] = waited;
    typicalWaitMs += 0.1 * (waited - typicalWaitMs);
    gapMs = Math.min(MAX_POLL_GAP_MS, Math.max(MIN_POLL_GAP_MS, GAP_SHARE_OF_WAIT * typicalWaitMs));
    if (--depth === 0 && original) {
      global.setImmediate = original;
      original = undefined;
    }
  }
}
