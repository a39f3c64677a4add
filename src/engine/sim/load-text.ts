import type { RunLoad } from './summary.js';

/** "closed loop: 64 in flight, no think time; the first 10 completions left out" (reports of a run). */
export function runLoadText(load: RunLoad): string {
  const parts: string[] = [];
  if (load.mode === 'closed') {
    const think = load.thinkSeconds ? `${load.thinkSeconds} s think time` : 'no think time';
    parts.push(`closed loop: ${load.concurrency} in flight, ${think}`);
  } else {
    parts.push('open loop');
  }
  if (load.warmUpRequests) parts.push(`the first ${load.warmUpRequests} completions left out`);
  if (load.warmUpPhase) parts.push('the measured requests sent once the warm-up had finished');
  return parts.join('; ');
}
