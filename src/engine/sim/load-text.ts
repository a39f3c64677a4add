import type { MaxTokens } from './requests.js';
import type { RunLoad } from './summary.js';

/** "8 clients", "1 client". */
const clients = (n: number) => `${n} ${n === 1 ? 'client' : 'clients'}`;

/**
 * A closed loop's think time: "2 s think time", or "no think time" (said when 0 too: clients that send
 * at once load the server more than people who read each answer first).
 */
export function thinkTimeText(thinkSeconds: number | undefined): string {
  return thinkSeconds ? `${thinkSeconds} s think time` : 'no think time';
}

/**
 * A warm-up in words: "the first 10 completions left out", or run as a phase of its own (the measured
 * requests sent once it has finished) "a warm-up phase of 10 requests left out"; '' for none.
 */
export function warmUpText(load: Pick<RunLoad, 'warmUpRequests' | 'warmUpPhase'>): string {
  const k = load.warmUpRequests;
  if (!k) return '';
  return load.warmUpPhase
    ? `a warm-up phase of ${k} ${k === 1 ? 'request' : 'requests'} left out`
    : `the first ${k} ${k === 1 ? 'completion' : 'completions'} left out`;
}

/** The max_tokens every request asks for, where not the default (the rest of the context). */
export function maxTokensText(maxTokens: MaxTokens): string {
  return maxTokens === 'output' ? "max_tokens = each request's output" : `max_tokens = ${maxTokens}`;
}

/**
 * A load in words, the one phrasing of the CLI's summary, the editor's reports and its dashboard (a
 * load chosen for the next run reads as the run it will be): "closed loop, 64 clients, no think time;
 * the first 10 completions left out; max_tokens = each request's output".
 */
export function runLoadText(load: RunLoad, maxTokens?: MaxTokens): string {
  const loop =
    load.mode === 'open'
      ? "open loop at the workload's arrival times"
      : `closed loop, ${load.concurrency === undefined ? '' : `${clients(load.concurrency)}, `}${thinkTimeText(load.thinkSeconds)}`;
  const parts = [loop, warmUpText(load), maxTokens === undefined ? '' : maxTokensText(maxTokens)];
  return parts.filter((p) => p !== '').join('; ');
}
