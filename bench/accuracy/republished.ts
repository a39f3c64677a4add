// Rows that republish another source's measurement: the same run, exported again with fewer digits.
import type { SiliconRow } from './rows.js';

/** InferenceMAX's rows: its database dumps and dated exports. */
export function fromInferenceMax(row: SiliconRow): boolean {
  const source = row.silicon_data_source;
  return source.startsWith('db-dump/') || /^source_file=\d{4}-\d{2}-\d{2}\.csv/.test(source);
}

/** The concurrency a row's source records, if it records one. */
function recordedConcurrency(row: SiliconRow): string | undefined {
  return /silicon_concurrency=(\d+)/.exec(row.silicon_data_source)?.[1];
}

/** Digits after the decimal point that a measured value was written with. */
function decimalsOf(value: number): number {
  const text = String(value);
  if (/e/i.test(text)) return 15;
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}

/** Whether two written measurements are one value: equal at the coarser one's precision. */
function sameMeasurement(a: number, b: number): boolean {
  const decimals = Math.min(decimalsOf(a), decimalsOf(b));
  const scale = 10 ** decimals;
  return Math.round(a * scale) === Math.round(b * scale);
}

/**
 * The InferenceMAX row whose measurement `row` republishes, if any: a row of another source (the
 * gap-analysis exports, `source_file=kimi-k2.5-gap-analysis.csv`, `qwen3.5-397b-gap-analysis.csv`) that
 * names the same model, system, engine and version, precision, mode, lengths and concurrency, and whose
 * mean TTFT and mean TPOT both equal an InferenceMAX row's at the precision it was written with. Two
 * benchmark runs do not agree on both means to the hundredth of a millisecond by chance: such a row is the
 * InferenceMAX run, and its client is InferenceMAX's (every Kimi-K2.5 gap-analysis row of vLLM on H200
 * equals a row of InferenceMAX's 2026-04-06 export to the two decimals it gives). Its own recorded degrees
 * are kept; only where the measurement came from changes.
 */
export function inferenceMaxTwinOf(row: SiliconRow, fileRows: readonly SiliconRow[]): SiliconRow | undefined {
  if (fromInferenceMax(row)) return undefined;
  const concurrency = recordedConcurrency(row);
  if (concurrency === undefined) return undefined;
  return fileRows.find(
    (other) =>
      other !== row &&
      fromInferenceMax(other) &&
      other.model_path === row.model_path &&
      other.system === row.system &&
      other.backend === row.backend &&
      other.backend_version === row.backend_version &&
      other.precision === row.precision &&
      other.mode === row.mode &&
      other.isl === row.isl &&
      other.osl === row.osl &&
      recordedConcurrency(other) === concurrency &&
      sameMeasurement(other.silicon_ttft_ms, row.silicon_ttft_ms) &&
      sameMeasurement(other.silicon_tpot_ms, row.silicon_tpot_ms),
  );
}

/**
 * `row` as the run it records: where it republishes an InferenceMAX measurement, its source is that
 * row's (so its client protocol, launch script and configuration are InferenceMAX's), everything else
 * its own.
 */
export function asMeasuredRun(row: SiliconRow, fileRows: readonly SiliconRow[]): SiliconRow {
  const twin = inferenceMaxTwinOf(row, fileRows);
  return twin ? { ...row, silicon_data_source: twin.silicon_data_source } : row;
}
