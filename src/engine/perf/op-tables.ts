import { z } from 'zod';
import { attendedPairs } from '../model/cost.js';
import { type CsvTable, numberField, parseCsv, requireColumn } from '../util/csv.js';
import { ServeTuneError } from '../util/errors.js';
import { interpolateLinear, toSortedArrays } from './interpolate.js';
import { type DevicePeaks, speedOfLight } from './roofline.js';

/**
 * Op times measured on a real cluster, in the units of this project (seconds, bytes). Op names are
 * those of model/cost.ts (`qkv_proj`, `o_proj`, `gate_up_proj`, `down_proj`, `silu_and_mul`,
 * `input_norm`, `post_attention_norm`, `rope`, `residual_add`, `lm_head`).
 */
export const MeasuredOpTables = z.object({
  source: z.string(),
  ops: z.array(
    z.object({
      op: z.string(),
      tokens: z.number().positive(),
      tp: z.number().int().positive(),
      seconds: z.number().nonnegative(),
      /** The model's hidden size the row was measured with, when the table says. */
      hiddenSize: z.number().int().positive().optional(),
    }),
  ),
  prefillAttention: z.array(
    z.object({
      chunk: z.number().int().positive(),
      context: z.number().int().nonnegative(),
      batch: z.number().int().positive(),
      tp: z.number().int().positive(),
      seconds: z.number().positive(),
      hiddenSize: z.number().int().positive().optional(),
    }),
  ),
  decodeAttention: z.array(
    z.object({
      batch: z.number().int().positive(),
      context: z.number().int().nonnegative(),
      tp: z.number().int().positive(),
      seconds: z.number().positive(),
      hiddenSize: z.number().int().positive().optional(),
    }),
  ),
  allReduce: z.array(
    z.object({
      workers: z.number().int().positive(),
      bytes: z.number().positive(),
      seconds: z.number().positive(),
    }),
  ),
});
export type MeasuredOpTables = z.infer<typeof MeasuredOpTables>;

export function emptyOpTables(source: string): MeasuredOpTables {
  return { source, ops: [], prefillAttention: [], decodeAttention: [], allReduce: [] };
}

/** Vidur's profiling column names for the ops of one layer, mapped to ours. */
const VIDUR_OPS: Record<string, string> = {
  attn_pre_proj: 'qkv_proj',
  attn_post_proj: 'o_proj',
  mlp_up_proj: 'gate_up_proj',
  mlp_down_proj: 'down_proj',
  mlp_act: 'silu_and_mul',
  input_layernorm: 'input_norm',
  post_attention_layernorm: 'post_attention_norm',
  attn_rope: 'rope',
  add: 'residual_add',
};
const MS = 1e-3;

/**
 * Reads measured op tables from the common published CSV layouts, recognised by their header:
 * - Vidur `mlp.csv`: `num_tokens`, `num_tensor_parallel_workers`, `time_stats.<op>.median` (ms), optional `n_embd`;
 * - Vidur `attention.csv`: `is_prefill`, `batch_size`, `prefill_chunk_size`, `kv_cache_size`,
 *   `num_tensor_parallel_workers`, `time_stats.attn_prefill.median` / `time_stats.attn_decode.median` (ms);
 * - Vidur `all_reduce.csv`: `num_workers`, `size` (bytes), `time_stats.all_reduce.median` (ms);
 * - long form: `op,tokens,tp,seconds` (or `ms`).
 * Several files add up into one set of tables.
 */
export function importOpTablesCsv(
  text: string,
  file: string,
  into: MeasuredOpTables = emptyOpTables(file),
): MeasuredOpTables {
  const table = parseCsv(text, file);
  const has = (name: string) => table.header.includes(name);
  if (has('time_stats.all_reduce.median')) readAllReduce(table, into);
  else if (has('time_stats.attn_prefill.median') || has('time_stats.attn_decode.median'))
    readAttention(table, into);
  else if (has('num_tokens') && table.header.some((h) => h.startsWith('time_stats.')))
    readVidurMlp(table, into);
  else if (has('op') && has('tokens') && has('tp') && (has('seconds') || has('ms')))
    readLongForm(table, into);
  else {
    throw new ServeTuneError(
      `${file}:1: not a known op-table layout (expected Vidur mlp/attention/all_reduce CSV columns, or op,tokens,tp,seconds); columns: ${table.header.join(', ')}`,
      'invalid-config',
      `${file}:1`,
    );
  }
  const checked = MeasuredOpTables.safeParse(into);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new ServeTuneError(
      `${file}: the tables read are not valid: '${issue.path.join('.')}' ${issue.message}`,
      'invalid-config',
      file,
    );
  }
  return checked.data;
}

/**
 * A positive time in milliseconds, in seconds: one so small that it is 0 s as a double (`5e-324`) is
 * refused here, naming the line, rather than by the tables' schema without one.
 */
function millisecondsField(table: CsvTable, row: CsvTable['rows'][number], column: number): number {
  const seconds = numberField(table, row, column, 'positive') * MS;
  if (seconds > 0) return seconds;
  throw new ServeTuneError(
    `${table.file}:${row.line}: field '${table.header[column]}' is too small to be a time, got '${row.fields[column]?.trim()}'`,
    'invalid-config',
    `${table.file}:${row.line}:${table.header[column]}`,
  );
}

function optionalColumn(table: CsvTable, name: string): number {
  return table.header.indexOf(name);
}

function readVidurMlp(table: CsvTable, into: MeasuredOpTables): void {
  const tokens = requireColumn(table, 'num_tokens');
  const tpColumn = optionalColumn(table, 'num_tensor_parallel_workers');
  const hidden = optionalColumn(table, 'n_embd');
  const columns = Object.entries(VIDUR_OPS)
    .map(([vidur, ours]) => ({ index: table.header.indexOf(`time_stats.${vidur}.median`), ours }))
    .filter((c) => c.index >= 0);
  for (const row of table.rows) {
    const t = numberField(table, row, tokens, 'positive');
    const tp = tpColumn >= 0 ? numberField(table, row, tpColumn, 'count') : 1;
    const hiddenSize = hidden >= 0 ? numberField(table, row, hidden, 'count') : undefined;
    for (const c of columns) {
      if (row.fields[c.index].trim() === '') continue;
      const ms = numberField(table, row, c.index, 'nonnegative');
      into.ops.push({ op: c.ours, tokens: t, tp, seconds: ms * MS, hiddenSize });
    }
  }
}

function readAttention(table: CsvTable, into: MeasuredOpTables): void {
  const isPrefill = requireColumn(table, 'is_prefill');
  const batch = requireColumn(table, 'batch_size');
  const kv = requireColumn(table, 'kv_cache_size');
  const chunk = optionalColumn(table, 'prefill_chunk_size');
  const tpColumn = optionalColumn(table, 'num_tensor_parallel_workers');
  const hidden = optionalColumn(table, 'n_embd');
  const prefillTime = optionalColumn(table, 'time_stats.attn_prefill.median');
  const decodeTime = optionalColumn(table, 'time_stats.attn_decode.median');
  for (const row of table.rows) {
    const prefill = /^(true|1)$/i.test(row.fields[isPrefill].trim());
    const tp = tpColumn >= 0 ? numberField(table, row, tpColumn, 'count') : 1;
    const hiddenSize = hidden >= 0 ? numberField(table, row, hidden, 'count') : undefined;
    const b = numberField(table, row, batch, 'count');
    const context = numberField(table, row, kv, 'whole');
    if (prefill && prefillTime >= 0 && chunk >= 0) {
      const seconds = millisecondsField(table, row, prefillTime);
      into.prefillAttention.push({
        chunk: numberField(table, row, chunk, 'count'),
        context,
        batch: b,
        tp,
        seconds,
        hiddenSize,
      });
    } else if (!prefill && decodeTime >= 0) {
      const seconds = millisecondsField(table, row, decodeTime);
      into.decodeAttention.push({ batch: b, context, tp, seconds, hiddenSize });
    }
  }
}

function readAllReduce(table: CsvTable, into: MeasuredOpTables): void {
  const workers = requireColumn(table, 'num_workers');
  const size = requireColumn(table, 'size');
  const time = requireColumn(table, 'time_stats.all_reduce.median');
  for (const row of table.rows) {
    into.allReduce.push({
      workers: numberField(table, row, workers, 'count'),
      bytes: numberField(table, row, size, 'positive'),
      seconds: millisecondsField(table, row, time),
    });
  }
}

function readLongForm(table: CsvTable, into: MeasuredOpTables): void {
  const op = requireColumn(table, 'op');
  const tokens = requireColumn(table, 'tokens');
  const tp = requireColumn(table, 'tp');
  const seconds = table.header.indexOf('seconds');
  const ms = table.header.indexOf('ms');
  for (const row of table.rows) {
    const name = row.fields[op].trim();
    if (name === '') {
      throw new ServeTuneError(
        `${table.file}:${row.line}: field 'op' is empty`,
        'invalid-config',
        `${table.file}:${row.line}:op`,
      );
    }
    const value =
      seconds >= 0
        ? numberField(table, row, seconds, 'nonnegative')
        : numberField(table, row, ms, 'nonnegative') * MS;
    into.ops.push({
      op: name,
      tokens: numberField(table, row, tokens, 'positive'),
      tp: numberField(table, row, tp, 'count'),
      seconds: value,
    });
  }
}

interface Series {
  xs: Float64Array;
  ys: Float64Array;
}
const linearCache = new WeakMap<MeasuredOpTables, Map<string, Series | null>>();

/** Measured time of `op` at `tokens` for TP degree `tp`, interpolated over token counts; undefined when not measured. */
export function measuredLinearSeconds(
  tables: MeasuredOpTables,
  op: string,
  tokens: number,
  tp: number,
  hiddenSize?: number,
): number | undefined {
  let cache = linearCache.get(tables);
  if (!cache) {
    cache = new Map();
    linearCache.set(tables, cache);
  }
  const key = `${op}|${tp}|${hiddenSize ?? ''}`;
  let series = cache.get(key);
  if (series === undefined) {
    const points = tables.ops
      .filter(
        (r) =>
          r.op === op &&
          r.tp === tp &&
          (hiddenSize === undefined || r.hiddenSize === undefined || r.hiddenSize === hiddenSize),
      )
      .map((r) => [r.tokens, r.seconds] as [number, number]);
    series = points.length > 0 ? toSortedArrays(points) : null;
    cache.set(key, series);
  }
  if (series === null) return undefined;
  return Math.max(0, interpolateLinear(series.xs, series.ys, tokens));
}

/** Measured all-reduce time of `bytes` over `workers`, interpolated over sizes; undefined when that worker count is not measured. */
export function measuredAllReduceSeconds(
  tables: MeasuredOpTables,
  bytes: number,
  workers: number,
): number | undefined {
  const points = tables.allReduce
    .filter((r) => r.workers === workers)
    .map((r) => [r.bytes, r.seconds] as [number, number]);
  if (points.length === 0) return undefined;
  const { xs, ys } = toSortedArrays(points);
  return Math.max(0, interpolateLinear(xs, ys, bytes));
}

interface AttentionShapeOfPlan {
  tp: number;
  hiddenSize: number;
  attentionFlopsPerPair: number;
  attentionBytesPerToken: number;
  kvBytesPerKey: number;
  peaks: DevicePeaks;
}

/**
 * Measured attention rows (for this plan's TP degree and model width) as efficiency points against
 * this device's roofline, keyed as the calibration curves are (FLOPs for prefill, KV bytes for decode).
 */
export function attentionEfficiencyPoints(
  tables: MeasuredOpTables,
  shape: AttentionShapeOfPlan,
): { prefill: [number, number][]; decode: [number, number][] } {
  const matches = (r: { tp: number; hiddenSize?: number }) =>
    r.tp === shape.tp && (r.hiddenSize === undefined || r.hiddenSize === shape.hiddenSize);
  const clamp = (e: number) => Math.min(1, Math.max(1e-4, e));
  const prefill = tables.prefillAttention.filter(matches).map((r): [number, number] => {
    const pairs = r.batch * attendedPairs(r.chunk, r.context);
    const tokens = r.batch * r.chunk;
    const keys = r.batch * (r.context + r.chunk);
    const flops = shape.attentionFlopsPerPair * pairs;
    const bytes = shape.attentionBytesPerToken * tokens + shape.kvBytesPerKey * keys;
    return [
      flops,
      clamp(speedOfLight(flops, bytes, shape.peaks.attentionFlops, shape.peaks.bytesPerSecond) / r.seconds),
    ];
  });
  const decode = tables.decodeAttention.filter(matches).map((r): [number, number] => {
    const keys = r.batch * (r.context + 1);
    const flops = shape.attentionFlopsPerPair * keys;
    const bytes = shape.attentionBytesPerToken * r.batch + shape.kvBytesPerKey * keys;
    return [
      bytes,
      clamp(speedOfLight(flops, bytes, shape.peaks.attentionFlops, shape.peaks.bytesPerSecond) / r.seconds),
    ];
  });
  return { prefill, decode };
}
