// The measured end-to-end rows of ../shared/data/perf-db/silicon-calibration.csv, read and checked.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { parseCsv } from '../../src/engine/util/csv.js';

/** An optional whole number: an empty field is absent; 0 is kept (some sources write 0 for "not used"). */
const optionalCount = z
  .string()
  .transform((s) => (s.trim() === '' ? undefined : Number(s)))
  .pipe(z.number().int().nonnegative().optional());
const positiveInt = z.string().transform(Number).pipe(z.number().int().positive());
const positiveNumber = z.string().transform(Number).pipe(z.number().positive());

/**
 * One measured deployment: `batch_size` clients (closed loop) sending `isl` random prompt tokens and
 * receiving exactly `osl`, with the mean TTFT and TPOT in milliseconds.
 */
export const SiliconRow = z.object({
  id: z.string().min(1),
  silicon_data_source: z.string(),
  backend: z.string(),
  backend_version: z.string(),
  model_path: z.string().min(1),
  system: z.string().min(1),
  precision: z.string(),
  mode: z.enum(['agg', 'disagg']),
  isl: positiveInt,
  osl: positiveInt,
  gemm_quant_mode: z.string(),
  moe_quant_mode: z.string(),
  batch_size: optionalCount,
  tp_size: optionalCount,
  pp_size: optionalCount,
  attention_dp_size: optionalCount,
  moe_tp_size: optionalCount,
  moe_ep_size: optionalCount,
  prefill_batch_size: optionalCount,
  prefill_num_workers: optionalCount,
  prefill_tp_size: optionalCount,
  prefill_pp_size: optionalCount,
  prefill_attention_dp_size: optionalCount,
  prefill_moe_tp_size: optionalCount,
  prefill_moe_ep_size: optionalCount,
  decode_batch_size: optionalCount,
  decode_num_workers: optionalCount,
  decode_tp_size: optionalCount,
  decode_pp_size: optionalCount,
  decode_attention_dp_size: optionalCount,
  decode_moe_tp_size: optionalCount,
  decode_moe_ep_size: optionalCount,
  silicon_ttft_ms: positiveNumber,
  silicon_tpot_ms: positiveNumber,
});
export type SiliconRow = z.infer<typeof SiliconRow>;

/** The degrees of one pool as a row records them; each may be absent. */
export interface PoolDegrees {
  tp?: number;
  pp?: number;
  attentionDp?: number;
  moeTp?: number;
  moeEp?: number;
  workers?: number;
}

/** A degree the row gives, where 0 and absent both mean "not used". */
export const degreeGiven = (value: number | undefined): number | undefined =>
  value && value > 0 ? value : undefined;

export function aggregatedDegrees(row: SiliconRow): PoolDegrees {
  return {
    tp: row.tp_size,
    pp: row.pp_size,
    attentionDp: row.attention_dp_size,
    moeTp: row.moe_tp_size,
    moeEp: row.moe_ep_size,
  };
}

export function poolDegrees(row: SiliconRow, pool: 'prefill' | 'decode'): PoolDegrees {
  return pool === 'prefill'
    ? {
        tp: row.prefill_tp_size,
        pp: row.prefill_pp_size,
        attentionDp: row.prefill_attention_dp_size,
        moeTp: row.prefill_moe_tp_size,
        moeEp: row.prefill_moe_ep_size,
        workers: row.prefill_num_workers,
      }
    : {
        tp: row.decode_tp_size,
        pp: row.decode_pp_size,
        attentionDp: row.decode_attention_dp_size,
        moeTp: row.decode_moe_tp_size,
        moeEp: row.decode_moe_ep_size,
        workers: row.decode_num_workers,
      };
}

/** Rows of a silicon-calibration CSV text; a row that fails the schema is an error naming its line. */
export function parseSiliconCsv(text: string, file: string): SiliconRow[] {
  const table = parseCsv(text, file);
  return table.rows.map(({ line, fields }) => {
    const record = Object.fromEntries(table.header.map((name, i) => [name, fields[i] ?? '']));
    const parsed = SiliconRow.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${file}:${line}: field '${issue?.path.join('.')}' ${issue?.message}`);
    }
    return parsed.data;
  });
}

const FILE_NAME = 'silicon-calibration.csv';

/**
 * The CSV to read: `--csv` as given, else $SERVETUNE_PERF_DB/silicon-calibration.csv, else
 * ../shared/data/perf-db/silicon-calibration.csv from the working folder or one of the three above it
 * (the layout test/unit/helpers/perf-db.ts looks for).
 */
export function findSiliconCsv(given: string | undefined): string | undefined {
  if (given) return given;
  if (process.env.SERVETUNE_PERF_DB) return join(process.env.SERVETUNE_PERF_DB, FILE_NAME);
  for (let dir = process.cwd(), i = 0; i < 4; i++, dir = dirname(dir)) {
    const candidate = join(dir, '..', 'shared', 'data', 'perf-db', FILE_NAME);
    if (existsSync(candidate)) return resolve(candidate);
  }
  return undefined;
}

export function readSiliconCsv(file: string): SiliconRow[] {
  return parseSiliconCsv(readFileSync(file, 'utf8'), file);
}
