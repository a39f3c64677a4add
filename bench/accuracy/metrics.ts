// Accuracy of predictions against measurements: per row, per partition, overall.
import type { ClosedLoopFlag } from './closed-loop-screen.js';
import type { Partition } from './partition.js';

/** One row of the file, predicted or not. Errors are signed and relative: (predicted − measured) / measured. */
export interface RowResult {
  id: string;
  partition: Partition;
  model: string;
  isl: number;
  osl: number;
  concurrency: number | null;
  measured: { ttftMs: number; tpotMs: number };
  modelled: boolean;
  /** Why the row is not modelled (a category: rows are counted by it), and the message behind it. */
  reason?: string;
  detail?: string;
  /** The simulated deployment, as it reads. */
  deployment?: string;
  /** Identical parts of the deployment, one of which was simulated. */
  parts?: number;
  predicted?: { ttftMs: number; tpotMs: number };
  error?: { ttft: number; tpot: number };
  /** A measurement no steady closed loop produces: still predicted and scored, listed apart in the report. */
  flag?: ClosedLoopFlag;
}

export interface Accuracy {
  rows: number;
  modelled: number;
  /** Mean absolute relative error, percent; null where no row is modelled. */
  ttftMape: number | null;
  tpotMape: number | null;
  /** Median signed relative error, percent: negative means predictions are low. */
  ttftMedianSigned: number | null;
  tpotMedianSigned: number | null;
  /** Rows not modelled, by reason. */
  reasons: Record<string, number>;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function meanAbsolute(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + Math.abs(v), 0) / values.length;
}

const percent = (x: number | null) => (x === null ? null : 100 * x);

/** The MAPEs and median signed errors of a set of relative errors. */
export type ErrorStats = Pick<Accuracy, 'ttftMape' | 'tpotMape' | 'ttftMedianSigned' | 'tpotMedianSigned'>;

export function errorStats(errors: readonly { ttft: number; tpot: number }[]): ErrorStats {
  const ttft = errors.map((e) => e.ttft);
  const tpot = errors.map((e) => e.tpot);
  return {
    ttftMape: percent(meanAbsolute(ttft)),
    tpotMape: percent(meanAbsolute(tpot)),
    ttftMedianSigned: percent(median(ttft)),
    tpotMedianSigned: percent(median(tpot)),
  };
}

export function accuracyOf(results: readonly RowResult[]): Accuracy {
  const errors = results.flatMap((r) => (r.error ? [r.error] : []));
  const reasons: Record<string, number> = {};
  for (const r of results) if (!r.modelled && r.reason) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
  return { rows: results.length, modelled: errors.length, ...errorStats(errors), reasons };
}

export const partitionKey = (p: Partition) => `${p.engine} · ${p.gpu} · ${p.family} · ${p.mode}`;

/** Accuracy of each group of rows `keyOf` names, the largest groups first. */
export function groupAccuracy(
  results: readonly RowResult[],
  keyOf: (r: RowResult) => string,
): { key: string; accuracy: Accuracy }[] {
  const groups = new Map<string, RowResult[]>();
  for (const r of results) {
    const key = keyOf(r);
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return [...groups]
    .map(([key, rows]) => ({ key, accuracy: accuracyOf(rows) }))
    .sort((a, b) => b.accuracy.rows - a.accuracy.rows || a.key.localeCompare(b.key));
}

/** The rows predicted worst: by the larger of their two absolute errors. */
export function worstRows(results: readonly RowResult[], count: number): RowResult[] {
  const worst = (r: RowResult) => (r.error ? Math.max(Math.abs(r.error.ttft), Math.abs(r.error.tpot)) : -1);
  return results
    .filter((r) => r.error)
    .sort((a, b) => worst(b) - worst(a))
    .slice(0, count);
}

/** The project's accuracy targets, each with whether the measurement meets it. */
export interface Target {
  name: string;
  met: boolean;
  value: string;
}

export const MIN_PARTITION_ROWS = 20;

export function targetsOf(overall: Accuracy, partitions: { key: string; accuracy: Accuracy }[]): Target[] {
  const share = overall.rows === 0 ? 0 : (100 * overall.modelled) / overall.rows;
  const big = partitions.filter((p) => p.accuracy.modelled >= MIN_PARTITION_ROWS);
  const worse = big.filter((p) => (p.accuracy.ttftMape ?? 0) > 25 || (p.accuracy.tpotMape ?? 0) > 25);
  const fmt = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(1)}%`);
  return [
    { name: '≥ 90% of rows modelled', met: share >= 90, value: `${share.toFixed(1)}%` },
    {
      name: 'overall TPOT MAPE ≤ 10%',
      met: overall.tpotMape !== null && overall.tpotMape <= 10,
      value: fmt(overall.tpotMape),
    },
    {
      name: 'overall TTFT MAPE ≤ 20%',
      met: overall.ttftMape !== null && overall.ttftMape <= 20,
      value: fmt(overall.ttftMape),
    },
    {
      name: `no partition of ≥ ${MIN_PARTITION_ROWS} modelled rows worse than 25% (TTFT or TPOT MAPE)`,
      met: worse.length === 0,
      value: `${worse.length} of ${big.length} such partitions worse`,
    },
  ];
}
