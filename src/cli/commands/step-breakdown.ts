import type { StepReport } from '../../engine/perf/report.js';
import { compact, table } from '../format.js';

type Entry = StepReport['breakdown'][number];

const ms = (s: number) => `${(s * 1e3).toFixed(3)} ms`;
const share = (seconds: number, total: number) => `${((100 * seconds) / total).toFixed(1)}%`;

/** Entries by group, groups in order of first appearance (the layer kinds, then the step's own). */
function byGroup(entries: readonly Entry[]): Map<string, Entry[]> {
  const groups = new Map<string, Entry[]>();
  for (const entry of entries) {
    const group = groups.get(entry.group);
    if (group) group.push(entry);
    else groups.set(entry.group, [entry]);
  }
  return groups;
}

/**
 * The step's breakdown as one table, a heading above each kind of layer (its layer count, time and
 * share): per op its bound, calls, time, share of the step, and FLOPs and bytes of one call on one GPU.
 */
export function formatStepBreakdown(report: StepReport): string {
  const total = report.totalSeconds;
  const header = ['op', 'bound', 'calls', 'time', 'share', 'FLOP/call', 'bytes/call', 'note', 'source'];
  const rows: string[][] = [header];
  const headings = new Map<number, string>();
  for (const [group, entries] of byGroup(report.breakdown)) {
    const seconds = entries.reduce((sum, e) => sum + e.seconds, 0);
    const layers = Math.max(...entries.map((e) => e.calls));
    const what = group === 'step' ? 'whole step' : `${group}: ${layers} layers`;
    headings.set(rows.length, `${what}, ${ms(seconds)} (${share(seconds, total)})`);
    for (const e of entries) {
      rows.push([
        `  ${e.name}`,
        e.bound,
        String(e.calls),
        ms(e.seconds),
        share(e.seconds, total),
        e.flops > 0 ? compact(e.flops) : '',
        e.bytes > 0 ? `${compact(e.bytes)}B` : '',
        e.detail ?? '',
        e.source ?? '',
      ]);
    }
  }
  const lines = table(rows).split('\n');
  return lines.flatMap((line, i) => (headings.has(i) ? [headings.get(i)!, line] : [line])).join('\n');
}
