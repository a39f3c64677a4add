import type { MaxTokens } from './requests.js';
import type { RunLoad } from './summary.js';

/** "8 clients", "1 client". */
const clients = (n: number) => `${n} ${n === 1 ? 'client' : 'clients'}`;

/** "closed loop, 8 clients, no think time": how the requests of a closed loop are sent. */
function closedLoopText(concurrency: number | undefined, thinkSeconds: number | undefined): string {
  const loop = concurrency === undefined ? 'closed loop' : `closed loop, ${clients(concurrency)}`;
  // Said when 0 too: clients that send at once load the server more than people who read the answer.
  return `${loop}, ${thinkSeconds ? `${thinkSeconds} s think time` : 'no think time'}`;
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
  const parts = [
    load.mode === 'closed'
      ? closedLoopText(load.concurrency, load.thinkSeconds)
      : "open loop at the workload's arrival times",
  ];
  if (load.warmUpRequests) {
    parts.push(
      `the first ${load.warmUpRequests} ${load.warmUpRequests === 1 ? 'completion' : 'completions'} left out`,
    );
  }
  if (load.warmUpPhase) parts.push('the measured requests sent once the warm-up has finished');
  if (maxTokens !== undefined) parts.push(maxTokensText(maxTokens));
  return parts.join('; ');
}
