// What each measured deployment's launch script set that changes time (launch-settings.json): its KV-cache
// format and its engine limits (max running requests / max-num-seqs / max_batch_size, the step's token
// budget: chunked prefill size / max-num-batched-tokens / max_num_tokens, SGLang's
// --scheduler-recv-interval), and kernel choices its environment
// makes (vLLM's VLLM_MXFP4_USE_MARLIN). Each entry names the repository,
// path and commit of the script it was read from and quotes its flags. Rows no script covers keep the rule
// that the KV format follows the precision, and the engine's defaults.
import { z } from 'zod';
import { KvDtype } from '../../src/engine/model/dtypes.js';
import settingsJson from './launch-settings.json';
import type { SiliconRow } from './rows.js';
import { count, Source } from './sourced.js';

/** Engine limits a script sets for the rows its conditions (ISL, OSL, TP) match; the first match applies. */
const LimitRule = z.object({
  isl: count.optional(),
  osl: count.optional(),
  tp: count.optional(),
  /** The rule holds from this many clients up (a script that picks a setting by its CONC). */
  minClients: count.optional(),
  /** Requests a server runs at once; `clients`: the script passes the benchmark's concurrency. */
  maxBatchSize: z.union([count, z.literal('clients')]).optional(),
  /** Tokens per step (SGLang: the prefill chunk). */
  maxNumTokens: count.optional(),
  /** Tokens per step as a multiple of the row's ISL (vLLM's `--max-num-batched-tokens $((ISL * 2))`). */
  maxNumTokensIslTimes: count.optional(),
  /** SGLang `--max-prefill-tokens`: prompt tokens one prefill batch takes. */
  maxPrefillTokens: count.optional(),
  /** SGLang `--scheduler-recv-interval`: decode steps between the scheduler's intakes of new requests. */
  schedulerRecvInterval: count.optional(),
});

const LaunchEntry = z.object({
  backend: z.string().min(1),
  system: z.string().min(1),
  /** Repositories the rows name the model by (a database dump names DeepSeek-R1 runs DeepSeek-V3). */
  modelPaths: z.array(z.string().min(1)).min(1),
  precision: z.string().min(1),
  kvDtype: KvDtype,
  limits: z.array(LimitRule).optional(),
  /** vLLM: the script exports VLLM_MXFP4_USE_MARLIN=1 (mxfp4 experts on the Marlin MoE kernel). */
  marlinMoe: z.boolean().optional(),
  source: Source,
  /** The launch flags the entry was read from, as the script writes them. */
  launch: z.string().min(1),
});
export type LaunchEntry = z.infer<typeof LaunchEntry>;

const LaunchSettings = z.object({ entries: z.array(LaunchEntry) });

export const LAUNCH_SETTINGS: readonly LaunchEntry[] = LaunchSettings.parse(settingsJson).entries;

/** Where a row's KV format came from: a launch script, or the precision rule with why no script applies. */
export type KvChoice =
  | { kvDtype: KvDtype; from: 'launch'; entry: LaunchEntry }
  | { kvDtype: KvDtype; from: 'rule'; reason: string };

/** InferenceMAX's rows: its database dumps and dated exports (the scripts in the table are its). */
function fromInferenceMax(row: SiliconRow): boolean {
  const source = row.silicon_data_source;
  return source.startsWith('db-dump/') || /^source_file=\d{4}-\d{2}-\d{2}\.csv/.test(source);
}

/**
 * The KV format a row's deployment ran: its aggregated InferenceMAX launch script's where the table has
 * one (engine × GPU × model × precision), else fp8 with fp8 and fp4 weights and a 16-bit cache otherwise.
 * Disaggregated rows ran other scripts (their recipes), which the table does not cover; nor does it cover
 * rows with attention DP or from other sources.
 */
export function kvChoiceOf(row: SiliconRow, entries: readonly LaunchEntry[] = LAUNCH_SETTINGS): KvChoice {
  const ruled = row.precision === 'fp8' || row.precision === 'fp4' ? 'fp8' : 'bf16';
  const entry = launchEntryOf(row, entries);
  if (entry) return { kvDtype: entry.kvDtype, from: 'launch', entry };
  return { kvDtype: ruled, from: 'rule', reason: whyNoScript(row) };
}

/** Whether the row's launch script put vLLM's mxfp4 experts on the Marlin kernel (VLLM_MXFP4_USE_MARLIN=1). */
export function marlinMoeOf(row: SiliconRow, entries: readonly LaunchEntry[] = LAUNCH_SETTINGS): boolean {
  return launchEntryOf(row, entries)?.marlinMoe === true;
}

function whyNoScript(row: SiliconRow): string {
  if (!fromInferenceMax(row)) return 'its source records no launch script';
  if (row.mode !== 'agg') return 'disaggregated: launched by a recipe the table does not read';
  if ((row.attention_dp_size ?? 1) > 1) return 'attention DP: a launch the table does not cover';
  return 'no launch script in the table for this engine, GPU, model and precision';
}

/** The scripts in the table launch one server without attention DP; a row with it ran another launch. */
function launchEntryOf(row: SiliconRow, entries: readonly LaunchEntry[]): LaunchEntry | undefined {
  if (row.mode !== 'agg' || !fromInferenceMax(row) || (row.attention_dp_size ?? 1) > 1) return undefined;
  return entries.find(
    (e) =>
      e.backend === row.backend &&
      e.system === row.system &&
      e.precision === row.precision &&
      e.modelPaths.includes(row.model_path),
  );
}

/** Engine limits as a launch script set them: per server, absent where the engine default applies. */
export interface LaunchLimits {
  maxBatchSize?: number;
  maxNumTokens?: number;
  maxPrefillTokens?: number;
  schedulerRecvInterval?: number;
}

/**
 * The engine limits a row's launch script set (`concurrency`: the row's clients, which scripts pass as
 * max-num-seqs / max_batch_size), or undefined where no script covers the row, none of its rules match,
 * or the row ran attention DP (which none of these scripts launches). `tp`: the server's TP as it ran
 * (a converted row records tp × ep as its tp_size, 64 for a TP8 server with EP 8; map-row.ts
 * `aggregatedDegreesAsRun`), which the scripts' TP conditions test.
 */
export function launchLimitsOf(
  row: SiliconRow,
  concurrency: number,
  entries: readonly LaunchEntry[] = LAUNCH_SETTINGS,
  tp: number | undefined = row.tp_size,
): LaunchLimits | undefined {
  const rule = launchEntryOf(row, entries)?.limits?.find(
    (r) =>
      (r.isl === undefined || r.isl === row.isl) &&
      (r.osl === undefined || r.osl === row.osl) &&
      (r.tp === undefined || r.tp === tp) &&
      (r.minClients === undefined || concurrency >= r.minClients),
  );
  if (!rule) return undefined;
  const maxBatchSize = rule.maxBatchSize === 'clients' ? concurrency : rule.maxBatchSize;
  const maxNumTokens = rule.maxNumTokensIslTimes ? rule.maxNumTokensIslTimes * row.isl : rule.maxNumTokens;
  return {
    ...(maxBatchSize ? { maxBatchSize } : {}),
    ...(maxNumTokens ? { maxNumTokens } : {}),
    ...(rule.maxPrefillTokens ? { maxPrefillTokens: rule.maxPrefillTokens } : {}),
    ...(rule.schedulerRecvInterval ? { schedulerRecvInterval: rule.schedulerRecvInterval } : {}),
  };
}
