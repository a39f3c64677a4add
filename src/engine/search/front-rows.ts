import type { SearchConfiguration, SearchResult } from './run.js';

/** One point of a front as a table shows it: a configuration, and how many others gave the same point. */
export interface FrontRow {
  configuration: SearchConfiguration;
  /** Other configurations on the front with exactly the same point (a setting that did not bind). */
  sameResult: number;
}

/**
 * A front's configurations in the order the front runs (fastest first), one row per point: settings
 * that changed nothing (a larger max-num-seqs the load never reached, say) give the same simulated
 * metrics, and listed one by one they bury the trade-off the front is for. A point's row shows the best
 * configuration if it is one of them, else the first evaluated whose highest rate under the SLOs was
 * searched, else the first evaluated.
 */
function frontRows(
  result: SearchResult,
  ids: readonly string[],
  pointOf: (c: SearchConfiguration) => readonly [number, number],
): FrontRow[] {
  const byId = new Map(result.configurations.map((c, i) => [c.id, { c, i }]));
  const members = ids
    .map((id) => byId.get(id))
    .filter((m) => m !== undefined)
    .map((m) => ({ ...m, point: pointOf(m.c) }))
    .sort((a, b) => a.point[0] - b.point[0] || a.point[1] - b.point[1] || a.i - b.i);
  const rows: FrontRow[] = [];
  let previous: readonly [number, number] | undefined;
  for (const m of members) {
    const last = rows.at(-1);
    if (last && previous && m.point[0] === previous[0] && m.point[1] === previous[1]) {
      last.sameResult++;
      if (shownBefore(m.c, last.configuration)) last.configuration = m.c;
    } else {
      rows.push({ configuration: m.c, sameResult: 0 });
    }
    previous = m.point;
  }
  return rows;
}

const showRank = (c: SearchConfiguration) => (c.best ? 2 : c.maxRateUnderSlo !== null ? 1 : 0);
/** Whether `c`, evaluated after `shown`, represents their point instead. */
const shownBefore = (c: SearchConfiguration, shown: SearchConfiguration) => showRank(c) > showRank(shown);

/** The latency front, lowest TTFT first (at the SLO's percentile). */
export function latencyFrontRows(result: SearchResult): FrontRow[] {
  const p = result.slo.percentile;
  return frontRows(result, result.fronts.latency, (c) => [c.metrics.ttft[p], c.metrics.tbt[p]]);
}

/** The throughput front, most tokens per second per GPU first (each at its highest rate under the SLOs). */
export function throughputFrontRows(result: SearchResult): FrontRow[] {
  return frontRows(result, result.fronts.throughput, (c) => [
    -(c.metricsAtMaxRate?.throughputPerGpu ?? Number.NaN),
    -(c.metricsAtMaxRate?.speedPerUser ?? Number.NaN),
  ]);
}

/** What a row's label adds for the configurations it stands for. */
export function sameResultNote(sameResult: number): string {
  return sameResult === 0 ? '' : ` (and ${sameResult} more with the same result)`;
}
