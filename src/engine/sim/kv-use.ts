import type { RunSummary } from './summary.js';

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * How a run used its KV cache, in one line: blocks in use by requests, blocks holding cached prefixes
 * that nothing references (evictable: reusable by a later request, taken when nothing is free) and free
 * blocks, as time-weighted means. A cache full of prefixes shows as cached, not as idle.
 */
export function kvUseText(s: RunSummary): string {
  const used = s.kvUtilization?.mean ?? 0;
  const peak = s.kvUtilization?.peak ?? 0;
  const cached = s.kvCached?.mean;
  if (cached === undefined) return `KV cache: used mean ${percent(used)} (peak ${percent(peak)})`;
  const free = Math.max(0, 1 - used - cached);
  return `KV cache: used mean ${percent(used)} (peak ${percent(peak)}), cached (evictable) mean ${percent(cached)}, free mean ${percent(free)}`;
}
