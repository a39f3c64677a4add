// What each measured deployment's launch script set that changes time (launch-settings.json): its KV-cache
// format and its engine limits (max running requests / max-num-seqs / max_batch_size, the step's token
// budget: chunked prefill size / max-num-batched-tokens / max_num_tokens), how often SGLang's scheduler takes
// new requests (`--scheduler-recv-interval`), how long TensorRT-LLM holds prompts for a fuller batch
// (`batch_wait_timeout_iters`), and kernel choices its environment makes (the MoE backend:
// TensorRT-LLM's moe_config.backend, vLLM's VLLM_MXFP4_USE_MARLIN and VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8;
// SGLang's SGL_ENABLE_JIT_DEEPGEMM). Each entry names the repository,
// path and commit of the script it was read from and quotes its flags. Rows no script covers keep the rule
// that the KV format follows the precision, and the engine's defaults.
import { z } from 'zod';
import { KvDtype } from '../../src/engine/model/dtypes.js';
import { MoeBackend } from '../../src/engine/perf/moe-backend.js';
import settingsJson from './launch-settings.json';
import type { SiliconRow } from './rows.js';
import { count, Source } from './sourced.js';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD');

/** The day a row was measured (its source's `measured=`), or undefined where the source records none. */
export function measuredDayOf(row: SiliconRow): string | undefined {
  return /measured=(\d{4}-\d{2}-\d{2})/.exec(row.silicon_data_source)?.[1];
}

/** Engine limits a script sets for the rows its conditions (ISL, OSL, TP) match; the first match applies. */
const LimitRule = z.object({
  isl: count.optional(),
  osl: count.optional(),
  tp: count.optional(),
  /** The rule holds from this many clients up (a script that picks a setting by its CONC). */
  minClients: count.optional(),
  /** The engine version of the image that ran the script version the rule was read from. */
  backendVersion: z.string().min(1).optional(),
  /**
   * The rule holds for rows measured before this day (YYYY-MM-DD, the `measured=` of the row's source): an
   * older version of the script, which those runs used. Rows that record no date do not match it.
   */
  measuredBefore: isoDay.optional(),
  /** Requests a server runs at once; `clients`: the script passes the benchmark's concurrency. */
  maxBatchSize: z.union([count, z.literal('clients')]).optional(),
  /** Tokens per step (SGLang: the prefill chunk). */
  maxNumTokens: count.optional(),
  /** Tokens per step as a multiple of the row's ISL (vLLM's `--max-num-batched-tokens $((ISL * 2))`). */
  maxNumTokensIslTimes: count.optional(),
  /**
   * Tokens per step as the script's MAX_MODEL_LEN (`--max_num_tokens $MAX_MODEL_LEN`), which InferenceMAX's
   * sweep sets to the row's ISL + OSL + this.
   */
  maxNumTokensModelLenPlus: z.number().int().nonnegative().optional(),
  /**
   * Tokens per step from the clients and the ISL, as TensorRT-LLM scripts compute them:
   * `(CONC + ISL + plus) / multipleOf * multipleOf` in shell integer arithmetic, at least `atLeast`.
   */
  maxNumTokensFromClients: z
    .object({ plus: z.number().int().nonnegative(), multipleOf: count, atLeast: count.optional() })
    .optional(),
  /** SGLang `--max-prefill-tokens`: prompt tokens one prefill batch takes. */
  maxPrefillTokens: count.optional(),
  /** SGLang `--scheduler-recv-interval`: decode steps between the scheduler's intakes of new requests. */
  schedulerRecvInterval: count.optional(),
  /** SGLang `--mem-fraction-static` where the script picks it by these conditions (else the entry's). */
  memFractionStatic: z.number().gt(0).lte(1).optional(),
});

/**
 * TensorRT-LLM batch waiting as a script sets it (`batch_wait_timeout_iters`, `batch_wait_max_tokens_ratio`)
 * for the rows its conditions (ISL, OSL, clients in [minClients, maxClients], engine version) match.
 */
const BatchWaitRule = z.object({
  isl: count.optional(),
  osl: count.optional(),
  minClients: count.optional(),
  maxClients: count.optional(),
  /** The rule holds below this TP (a script's `${TP} -lt 8`). */
  tpBelow: count.optional(),
  backendVersion: z.string().min(1).optional(),
  timeoutIters: count,
  maxTokensRatio: z.number().gt(0).lte(1),
});

/**
 * The MoE backend a script selects for the rows its conditions match (ISL, OSL, at least `minClients`,
 * and the engine version of the image that ran that version of the script).
 */
const MoeBackendRule = z.object({
  isl: count.optional(),
  osl: count.optional(),
  minClients: count.optional(),
  backendVersion: z.string().min(1).optional(),
  backend: MoeBackend,
});

const LaunchEntry = z.object({
  backend: z.string().min(1),
  system: z.string().min(1),
  /** Repositories the rows name the model by (a database dump names DeepSeek-R1 runs DeepSeek-V3). */
  modelPaths: z.array(z.string().min(1)).min(1),
  precision: z.string().min(1),
  kvDtype: KvDtype,
  limits: z.array(LimitRule).optional(),
  batchWait: z.array(BatchWaitRule).optional(),
  /**
   * TensorRT-LLM `kv_cache_config.free_gpu_memory_fraction`: the share of the memory free after loading
   * that the KV cache takes (absent: the engine's default).
   */
  kvCacheFreeMemoryFraction: z.number().gt(0).lte(1).optional(),
  /**
   * SGLang `--mem-fraction-static`: the share of the whole GPU for weights and KV cache (absent: the
   * engine's default); a limit rule's value, where one matches, takes precedence.
   */
  memFractionStatic: z.number().gt(0).lte(1).optional(),
  /** The MoE backend the script selects (the first matching rule; none: the engine's default). */
  moeBackend: z.array(MoeBackendRule).min(1).optional(),
  /**
   * SGLang: false where the script exports SGL_ENABLE_JIT_DEEPGEMM=false (block-scaled fp8 linear layers
   * on FlashInfer's groupwise GEMM, not DeepGEMM; ServingEngine.deepGemm).
   */
  deepGemm: z.boolean().optional(),
  /**
   * vLLM: true where the script's compilation config sets `cudagraph_mode: FULL_DECODE_ONLY` (steps
   * holding a prompt run without CUDA graphs; ServingEngine.decodeOnlyCudaGraphs).
   */
  decodeOnlyCudaGraphs: z.literal(true).optional(),
  /** vLLM `--max-cudagraph-capture-size` (ServingEngine.cudaGraphMaxTokens); absent: vLLM's default. */
  maxCudaGraphCaptureSize: count.optional(),
  /**
   * vLLM scripts that never pass `--data-parallel-size`: one server of `--tensor-parallel-size=$TP`, with
   * `--enable-expert-parallel` never (`never`) or where EP_SIZE > 1 (`whenEpSizeAbove1`). A row such a
   * script ran that records attention DP records its configuration's `dp-attn`, not the launch.
   */
  tensorParallelLaunch: z.object({ expertParallel: z.enum(['never', 'whenEpSizeAbove1']) }).optional(),
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
 * rows with attention DP (except where the script launches only TP) or from other sources.
 */
export function kvChoiceOf(row: SiliconRow, entries: readonly LaunchEntry[] = LAUNCH_SETTINGS): KvChoice {
  const ruled = row.precision === 'fp8' || row.precision === 'fp4' ? 'fp8' : 'bf16';
  const entry = launchEntryOf(row, entries);
  if (entry) return { kvDtype: entry.kvDtype, from: 'launch', entry };
  return { kvDtype: ruled, from: 'rule', reason: whyNoScript(row) };
}

/**
 * The MoE backend the row's launch script selected for its clients (`concurrency`): its first rule the
 * row's ISL, OSL and clients meet, or undefined (the engine's default kernel).
 */
export function moeBackendOf(
  row: SiliconRow,
  concurrency: number,
  entries: readonly LaunchEntry[] = LAUNCH_SETTINGS,
): MoeBackend | undefined {
  return launchEntryOf(row, entries)?.moeBackend?.find(
    (r) =>
      (r.isl === undefined || r.isl === row.isl) &&
      (r.osl === undefined || r.osl === row.osl) &&
      (r.minClients === undefined || concurrency >= r.minClients) &&
      (r.backendVersion === undefined || r.backendVersion === row.backend_version),
  )?.backend;
}

/** The KV cache's share of free memory the row's launch script set (TensorRT-LLM), if any. */
export function kvCacheFreeFractionOf(
  row: SiliconRow,
  entries: readonly LaunchEntry[] = LAUNCH_SETTINGS,
): number | undefined {
  return launchEntryOf(row, entries)?.kvCacheFreeMemoryFraction;
}

/** Whether the row's launch script left SGLang's DeepGEMM on (its default), for ServingEngine.deepGemm. */
export function deepGemmOf(row: SiliconRow, entries: readonly LaunchEntry[] = LAUNCH_SETTINGS): boolean {
  return launchEntryOf(row, entries)?.deepGemm !== false;
}

/** Whether the row's launch script replays vLLM's CUDA graphs for decode-only steps alone (FULL_DECODE_ONLY). */
export function decodeOnlyCudaGraphsOf(
  row: SiliconRow,
  entries: readonly LaunchEntry[] = LAUNCH_SETTINGS,
): boolean {
  return launchEntryOf(row, entries)?.decodeOnlyCudaGraphs === true;
}

/** The largest step the row's launch script had vLLM capture CUDA graphs for, where it set one. */
export function maxCudaGraphCaptureSizeOf(
  row: SiliconRow,
  entries: readonly LaunchEntry[] = LAUNCH_SETTINGS,
): number | undefined {
  return launchEntryOf(row, entries)?.maxCudaGraphCaptureSize;
}

function whyNoScript(row: SiliconRow): string {
  if (!fromInferenceMax(row)) return 'its source records no launch script';
  if (row.mode !== 'agg') return 'disaggregated: launched by a recipe the table does not read';
  if ((row.attention_dp_size ?? 1) > 1) return 'attention DP: a launch the table does not cover';
  return 'no launch script in the table for this engine, GPU, model and precision';
}

/**
 * The row's launch script. A row with attention DP ran another launch than the table's scripts, except
 * where the script never launches attention DP (`tensorParallelLaunch`): its row's DP is a recorded field.
 */
function launchEntryOf(row: SiliconRow, entries: readonly LaunchEntry[]): LaunchEntry | undefined {
  const entry = scriptOf(row, entries);
  const attentionDp = (row.attention_dp_size ?? 1) > 1;
  return attentionDp && entry?.tensorParallelLaunch === undefined ? undefined : entry;
}

function scriptOf(row: SiliconRow, entries: readonly LaunchEntry[]): LaunchEntry | undefined {
  if (row.mode !== 'agg' || !fromInferenceMax(row)) return undefined;
  return entries.find(
    (e) =>
      e.backend === row.backend &&
      e.system === row.system &&
      e.precision === row.precision &&
      e.modelPaths.includes(row.model_path),
  );
}

/** How the row's script launches its GPUs where it passes only TP (and maybe EP), else undefined. */
export function tensorParallelLaunchOf(
  row: SiliconRow,
  entries: readonly LaunchEntry[] = LAUNCH_SETTINGS,
): LaunchEntry['tensorParallelLaunch'] {
  return scriptOf(row, entries)?.tensorParallelLaunch;
}

/** Engine limits as a launch script set them: per server, absent where the engine default applies. */
export interface LaunchLimits {
  maxBatchSize?: number;
  maxNumTokens?: number;
  maxPrefillTokens?: number;
  /** SGLang: decode steps between the scheduler's intakes of new requests (`--scheduler-recv-interval`). */
  schedulerRecvInterval?: number;
  /** SGLang: the share of the whole GPU for weights and KV cache (`--mem-fraction-static`). */
  memFractionStatic?: number;
  /** TensorRT-LLM: steps new prompts may wait for a fuller batch (`batch_wait_timeout_iters`). */
  batchWaitIters?: number;
  /** TensorRT-LLM: share of max_num_tokens that ends the wait (`batch_wait_max_tokens_ratio`). */
  batchWaitTokensRatio?: number;
}

/**
 * The engine limits a row's launch script set (`concurrency`: the row's clients, which scripts pass as
 * max-num-seqs / max_batch_size), or undefined where no script covers the row, none of its rules match,
 * or the row records attention DP its script does not take as only TP (launchEntryOf). `tp`: the server's TP as it ran
 * (a converted row records tp × ep as its tp_size, 64 for a TP8 server with EP 8; degrees-as-run.ts
 * `aggregatedDegreesAsRun`), which the scripts' TP conditions test.
 */
export function launchLimitsOf(
  row: SiliconRow,
  concurrency: number,
  entries: readonly LaunchEntry[] = LAUNCH_SETTINGS,
  tp: number | undefined = row.tp_size,
): LaunchLimits | undefined {
  const entry = launchEntryOf(row, entries);
  const rule = entry?.limits?.find(
    (r) =>
      (r.isl === undefined || r.isl === row.isl) &&
      (r.osl === undefined || r.osl === row.osl) &&
      (r.tp === undefined || r.tp === tp) &&
      (r.minClients === undefined || concurrency >= r.minClients) &&
      (r.backendVersion === undefined || r.backendVersion === row.backend_version) &&
      (r.measuredBefore === undefined || (measuredDayOf(row) ?? r.measuredBefore) < r.measuredBefore),
  );
  const wait = entry?.batchWait?.find(
    (r) =>
      (r.isl === undefined || r.isl === row.isl) &&
      (r.osl === undefined || r.osl === row.osl) &&
      (r.minClients ?? 0) <= concurrency &&
      (r.maxClients === undefined || concurrency <= r.maxClients) &&
      (r.tpBelow === undefined || (tp !== undefined && tp < r.tpBelow)) &&
      (r.backendVersion === undefined || r.backendVersion === row.backend_version),
  );
  const memFractionStatic = rule?.memFractionStatic ?? entry?.memFractionStatic;
  if (!rule && !wait && !memFractionStatic) return undefined;
  const maxBatchSize = rule?.maxBatchSize === 'clients' ? concurrency : rule?.maxBatchSize;
  const maxNumTokens = rule?.maxNumTokensIslTimes
    ? rule.maxNumTokensIslTimes * row.isl
    : rule?.maxNumTokensModelLenPlus !== undefined
      ? row.isl + row.osl + rule.maxNumTokensModelLenPlus
      : rule?.maxNumTokensFromClients
        ? tokensFromClients(rule.maxNumTokensFromClients, concurrency, row.isl)
        : rule?.maxNumTokens;
  return {
    ...(maxBatchSize ? { maxBatchSize } : {}),
    ...(maxNumTokens ? { maxNumTokens } : {}),
    ...(rule?.maxPrefillTokens ? { maxPrefillTokens: rule.maxPrefillTokens } : {}),
    ...(rule?.schedulerRecvInterval ? { schedulerRecvInterval: rule.schedulerRecvInterval } : {}),
    ...(memFractionStatic ? { memFractionStatic } : {}),
    ...(wait ? { batchWaitIters: wait.timeoutIters, batchWaitTokensRatio: wait.maxTokensRatio } : {}),
  };
}

/** `(CONC + ISL + plus) / multipleOf * multipleOf` as shell integer arithmetic, at least `atLeast`. */
export function tokensFromClients(
  rule: { plus: number; multipleOf: number; atLeast?: number | undefined },
  clients: number,
  isl: number,
): number {
  const rounded = Math.floor((clients + isl + rule.plus) / rule.multipleOf) * rule.multipleOf;
  return Math.max(rounded, rule.atLeast ?? 0);
}
