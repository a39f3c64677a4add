// Every row's prediction beside its measurement as CSV: the fast way to sort a run's worst rows.
import type { RowResult } from './metrics.js';

const COLUMNS = [
  'id',
  'engine',
  'gpu',
  'family',
  'mode',
  'isl',
  'osl',
  'concurrency',
  'deployment',
  'modelled',
  'reason',
  'measured_ttft_ms',
  'predicted_ttft_ms',
  'ttft_error',
  'measured_tpot_ms',
  'predicted_tpot_ms',
  'tpot_error',
] as const;

/** A field quoted where it holds a comma, quote or newline (RFC 4180). */
function field(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(Number(value.toPrecision(6))) : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function rowsCsv(results: readonly RowResult[]): string {
  const lines = results.map((r) =>
    [
      r.id,
      r.partition.engine,
      r.partition.gpu,
      r.partition.family,
      r.partition.mode,
      r.isl,
      r.osl,
      r.concurrency,
      r.deployment,
      r.modelled,
      r.reason,
      r.measured.ttftMs,
      r.predicted?.ttftMs,
      r.error?.ttft,
      r.measured.tpotMs,
      r.predicted?.tpotMs,
      r.error?.tpot,
    ]
      .map(field)
      .join(','),
  );
  return `${[COLUMNS.join(','), ...lines].join('\n')}\n`;
}
