import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { MeasuredRequest } from './requests-file.js';
import { type StreamTarget, streamOnce } from './stream-client.js';

/** One request of a workload, as the load generator replays it. */
export interface LoadRequest {
  /** Seconds from the start of the workload. */
  arrival: number;
  promptTokens: number;
  outputTokens: number;
}

/**
 * Open loop: each request at its arrival time. Closed loop: `concurrency` requests sent at once, and
 * each time one ends its client sends the next, `thinkSeconds` (default 0) later.
 */
export type LoadMode = { kind: 'open' } | { kind: 'closed'; concurrency: number; thinkSeconds?: number };

interface LoadOptions {
  mode: LoadMode;
  /** Stop sending after this many requests. */
  maxRequests: number;
  /** Stop the whole run after this long; requests still in flight are counted as cancelled. */
  maxWallSeconds: number;
  /** A request with no complete answer after this long is counted as timed out. */
  timeoutSeconds: number;
  seed: number;
  /** Prompt token ids are drawn from [lo, hi): inside any real vocabulary, past the special tokens. */
  tokenIdRange: readonly [number, number];
  onProgress?: (done: number, total: number) => void;
  /** Stops the run as the wall-clock limit does: nothing more is sent, requests in flight are cancelled. */
  signal?: AbortSignal;
}

/** Deterministic prompt ids for request `index` (splitmix-style hash), so reruns send the same prompts. */
function promptIds(
  index: number,
  length: number,
  seed: number,
  [lo, hi]: readonly [number, number],
): number[] {
  const ids = new Array<number>(length);
  let state = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    ids[i] = lo + (((t ^ (t >>> 14)) >>> 0) % (hi - lo));
  }
  return ids;
}

/**
 * Replays requests against an endpoint, open loop (each sent at its arrival time, however the server is
 * doing) or closed loop (a fixed number in flight, as `vllm bench serve --max-concurrency` keeps: the
 * first sent at once, each next one as one ends, in the workload's order). Bounded by a request count
 * and a wall-clock limit; every request sent is accounted for in the result, failed or not.
 */
export async function runLoad(
  target: StreamTarget,
  workload: readonly LoadRequest[],
  options: LoadOptions,
): Promise<MeasuredRequest[]> {
  const planned = workload.slice(0, options.maxRequests);
  const clock = { start: performance.now() };
  const elapsed = () => (performance.now() - clock.start) / 1000;
  const stop = new AbortController();
  // Every request in flight listens for the stop: far more than the default 10 listeners, and no leak.
  setMaxListeners(0, stop.signal);
  const wallTimer = setTimeout(() => stop.abort(), options.maxWallSeconds * 1000);
  const onCallerAbort = () => stop.abort();
  if (options.signal?.aborted) stop.abort();
  else options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const results: MeasuredRequest[] = [];
  let done = 0;
  const send = async (index: number, scheduledAt: number) => {
    const r = planned[index];
    const ids = promptIds(index, r.promptTokens, options.seed, options.tokenIdRange);
    const measured = await streamOnce(
      target,
      {
        index,
        promptTokenIds: ids,
        promptText: ids.map((id) => `w${id}`).join(' '),
        maxTokens: r.outputTokens,
      },
      clock,
      scheduledAt,
      options.timeoutSeconds,
      stop.signal,
    );
    results.push(measured);
    options.onProgress?.(++done, planned.length);
  };

  try {
    if (options.mode.kind === 'open') {
      const origin = planned.length > 0 ? planned[0].arrival : 0;
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < planned.length && !stop.signal.aborted; i++) {
        const due = planned[i].arrival - origin;
        await waitUntil(due, elapsed, stop.signal);
        if (stop.signal.aborted) break;
        inFlight.push(send(i, due));
      }
      await Promise.all(inFlight);
    } else {
      const { concurrency, thinkSeconds = 0 } = options.mode;
      let next = 0;
      // One client: sends a request, waits for its end (and the think time), sends the next.
      const client = async () => {
        while (!stop.signal.aborted && next < planned.length) {
          const index = next++;
          await send(index, elapsed());
          if (thinkSeconds > 0 && next < planned.length) {
            await waitUntil(elapsed() + thinkSeconds, elapsed, stop.signal);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, planned.length) }, client));
    }
  } finally {
    clearTimeout(wallTimer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
  return results.sort((a, b) => a.index - b.index);
}

/**
 * Resolves once `elapsed()` reaches `due` seconds, or on abort. Node's timers count whole milliseconds
 * of the event loop's clock and fire up to a millisecond before a fractional delay ends (sends came a
 * median 0.1–0.2 ms early): whole milliseconds are waited on a timer, the last fraction in the loop's
 * check phase, which lets I/O run in between.
 */
async function waitUntil(due: number, elapsed: () => number, signal: AbortSignal): Promise<void> {
  for (let left = due - elapsed(); left > 0 && !signal.aborted; left = due - elapsed()) {
    const wholeMs = Math.floor(left * 1000);
    await new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const timer = wholeMs >= 1 ? setTimeout(done, wholeMs) : undefined;
      const immediate = timer === undefined ? setImmediate(done) : undefined;
      const onAbort = () => {
        clearTimeout(timer);
        clearImmediate(immediate);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
