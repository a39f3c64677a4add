// Disaggregated deployments as the benchmark that measured them configured them (disagg-recipes.json):
// the worker counts some rows leave out, and the engine limits (max batch size, max tokens per step)
// that no row records, each entry citing the repository, path and commit it was read from.
import { z } from 'zod';
import { resolveSchedulerConfig } from '../../src/engine/sched/config.js';
import recipesJson from './disagg-recipes.json';
import type { PoolDegrees, SiliconRow } from './rows.js';
import { ConfigurationKey, count, Source } from './sourced.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/**
 * One pool as a recipe runs it: its workers, each of `tp` GPUs, and the engine limits its recipe file
 * sets, under the engine's own names: TensorRT-LLM's per replica (worker or attention-DP rank), SGLang's
 * per server as its recipe writes them (`recipeLimits` reads both as per-replica limits).
 */
const RecipePool = z.object({
  workers: count,
  tp: count,
  ep: count,
  /** Attention data parallel across the worker's GPUs (TRT-LLM enable_attention_dp: `dep`, SGLang --enable-dp-attention with --dp-size = --tp-size), or TP attention (`tep`). */
  attentionDp: z.boolean(),
  /**
   * The MoE dispatch the recipe runs: SGLang --moe-a2a-backend deepep with --deepep-mode low_latency
   * (every attention-DP decode pool of the GB200/GB300 recipes) or normal (their fp8 attention-DP prefill
   * pools); absent: no DeepEP (tokens gathered over the DP ranks).
   */
  allToAll: z.enum(['deepep-low-latency', 'deepep-normal']).optional(),
  /**
   * TensorRT-LLM's max_batch_size, or vLLM's --max-num-seqs: per attention-DP rank where attention is data
   * parallel, else per worker. vLLM runs each data-parallel rank as an engine core of its own ("each DP
   * rank is deployed as a separate 'core engine' process", vllm-project/vllm docs/serving/
   * data_parallel_deployment.md), each scheduling with the server's --max-num-seqs.
   */
  maxBatchSize: count.optional(),
  /** TensorRT-LLM's max_num_tokens, or vLLM's --max-num-batched-tokens, per step (likewise per rank or worker). */
  maxNumTokens: count.optional(),
  /** SGLang's --max-running-requests, for the whole server (all its attention-DP ranks). */
  maxRunningRequests: count.optional(),
  /** SGLang's --chunked-prefill-size, for the whole server. */
  chunkedPrefillSize: count.optional(),
  /** SGLang's --max-prefill-tokens: prompt tokens per prefill batch of each scheduler (each attention-DP rank). */
  maxPrefillTokens: count.optional(),
  /** Expert slots beyond the model's experts, spread over the EP ranks with EPLB (SGLang --ep-num-redundant-experts). */
  redundantExperts: count.optional(),
  /**
   * SGLang's --scheduler-recv-interval, as the recipe file sets it on this pool's servers (each of its
   * schedulers): a decoding scheduler takes in new (for a decode pool, transferred) requests only every
   * that many decode steps. Absent: the file leaves it at the engine's default, 1.
   */
  schedulerRecvInterval: count.optional(),
  /**
   * The recipe file's `disable_overlap_scheduler` for this pool's servers (TensorRT-LLM trtllm_config
   * prefill/decode), where it writes one: true runs them step by step, without the overlap scheduler.
   * Absent: the file leaves it at the engine's default (the overlap scheduler runs).
   */
  disableOverlapScheduler: z.boolean().optional(),
});
export type RecipePool = z.infer<typeof RecipePool>;

const TRTLLM_LIMITS = ['maxBatchSize', 'maxNumTokens'] as const;
const SGLANG_LIMITS = [
  'maxRunningRequests',
  'chunkedPrefillSize',
  'maxPrefillTokens',
  'schedulerRecvInterval',
] as const;

const RecipeEntry = ConfigurationKey.extend({
  isl: count,
  osl: count,
  speculative: z.enum(['none', 'mtp']),
  /** MTP: the recipe file's speculative tokens (speculative_config.num_nextn_predict_layers, both pools). */
  mtpTokens: count.optional(),
  /** The configuration entry's conc-list. */
  concurrencies: z.array(count).min(1),
  /**
   * The concurrencies the recipe file itself runs (its benchmark.concurrencies), where transcribed. The
   * file is a run of this deployment at those concurrencies too; where they differ from the
   * configuration's, the file was edited between the configuration's version and the one read (a file
   * named …_mtp0_12.yaml that runs [10]), so its limits are not known to be those of a row measured at a
   * concurrency it does not run.
   */
  recipeConcurrencies: z.array(count).min(1).optional(),
  prefill: RecipePool,
  decode: RecipePool,
  /** Where the configuration entry (workers, degrees, concurrencies) was read. */
  source: Source,
  /**
   * Where the engine limits were read: the recipe file the entry names (CONFIG_FILE), the configuration
   * itself where its additional-settings give them (PREFILL_MAX_BATCH_SIZE, DECODE_MAX_BATCH_SIZE, …), or
   * the Dynamo launch script its SCRIPT_MODE runs (`…/slurm_jobs/scripts/<gpu-type>/disagg/<mode>.sh`:
   * InferenceMAX's SGLang GB200 benchmark passes only node and worker counts and SCRIPT_MODE, and the
   * script sets the server flags).
   */
  recipe: Source,
  /**
   * The benchmark client runs each listed concurrency once per decode worker (Dynamo's TensorRT-LLM
   * performance sweep, which InferenceMAX's GB200 launch script ran until its srt-slurm recipes:
   * `concurrency=$((concurrency * num_gen_servers))`, `client`): a row's client count is a listed value
   * times the decode workers.
   */
  concurrencyPerDecodeWorker: z.literal(true).optional(),
  /**
   * The benchmark names each result by the whole deployment's GPUs (`results_concurrency_{c}_gpus_{N}.json`,
   * copied so by the launch script), and one export records that N as both pools' tp_size (as an 'agg'
   * row's tp_size, for runs it labels so): such a row fits where N is the entry's prefill and decode GPUs.
   */
  recordsTotalGpus: z.literal(true).optional(),
  /**
   * The tp_size the configuration writes for both pools, which its rows record, where its launch script
   * sets the real degrees itself (the configuration: "tp, ep, and dp-attn do nothing because they are
   * hardcoded"); the pools' GPUs are then its node counts, 4 GPUs per GB200 node. A row without worker
   * counts fits by that tp; one with them (a database dump's) by its workers and GPUs a worker alone, as
   * the configuration may run one concurrency in two entries of other node counts (fp8 1k/1k c4096:
   * 2 prefill workers with one DEP32 decode worker, and 3 with one DEP48).
   */
  recordedTp: count.optional(),
  /**
   * The rows record each pool's GPUs per worker as its tp_size, with attention DP 1, where the recipe runs
   * vLLM's attention data parallel (`tensor-parallel-size: 1`, `data-parallel-size: 4`,
   * `enable-expert-parallel`): a row fits where its tp_size is the pool's GPUs per worker and its
   * moe_ep_size the pool's EP, and it runs the recipe's degrees, not the recorded ones. The Kimi-K2.5
   * GB200 vLLM rows (config_id 698) record their prefill worker TP4 × EP4 where every srt-slurm recipe of
   * that deployment runs it TP1 × DP4 × EP4.
   */
  recordsDataParallelAsTp: z.literal(true).optional(),
  /**
   * The recipe that set this deployment's server flags is not stored: for an SGLang GB200 run of then, the
   * launch script its SCRIPT_MODE ran (workers and GPUs per worker, its node counts, are known; how the
   * script split them is not: the pools are the configuration's own tp/ep/dp-attn, which the script
   * overrides); for an MTP entry, the recipe file that gives its speculative tokens. A row only this entry
   * fits is not modelled; the entry is listed so that a row another deployment (or mode) also ran at its
   * concurrency is known to be ambiguous.
   */
  recipeUnread: z.literal(true).optional(),
  /**
   * The recipe's servers run SGLang with \`SGLANG_ENABLE_JIT_DEEPGEMM=false\` (prefill and decode
   * environment): block-fp8 linear layers on FlashInfer's groupwise GEMM, not DeepGEMM
   * (ServingEngine.deepGemm, as launch-settings.ts reads it from the aggregated scripts).
   */
  deepGemm: z.literal(false).optional(),
  /**
   * The recipe's decode servers run SGLang with \`SGLANG_MOE_NVFP4_DISPATCH=1\` (decode_environment of the
   * srt-slurm recipe; \`SGLANG_CUTEDSL_MOE_NVFP4_DISPATCH=1\`, its earlier name, in the Dynamo launch
   * scripts): DeepEP dispatches the nvfp4 experts' input in NVFP4, not BF16 (ServingEngine.nvfp4Dispatch).
   * Their prefill servers run no DeepEP.
   */
  nvfp4Dispatch: z.literal(true).optional(),
  /**
   * The recipe's prefill and decode servers both run SGLang with \`SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1\`
   * (prefill_environment and decode_environment of the srt-slurm recipe, both commands of the Dynamo
   * launch scripts): on NVIDIA's NVFP4 checkpoint q_b_proj runs as block-scaled fp8 instead of BF16
   * (ServingEngine.fp8QBProj has SGLang's source).
   */
  fp8QBProj: z.literal(true).optional(),
  /**
   * Rows whose source names no image fit this entry where measured within these dates (YYYY-MM-DD, both
   * included): the time this configuration's launch script is known to have run it.
   */
  imagelessRowsMeasured: z.object({ from: isoDate, to: isoDate }).optional(),
  /**
   * The benchmark client and launch scripts that concurrencyPerDecodeWorker, recordsTotalGpus and
   * imagelessRowsMeasured were read from.
   */
  client: z.array(Source).min(1).optional(),
});
export type RecipeEntry = z.infer<typeof RecipeEntry>;

/** Whether an entry's pools give only its engine's limit keys (SGLang's and TensorRT-LLM's differ in scope). */
function limitsNamedForEngine(e: RecipeEntry): boolean {
  const foreign = e.backend === 'sglang' ? TRTLLM_LIMITS : SGLANG_LIMITS;
  return [e.prefill, e.decode].every((pool) => foreign.every((key) => pool[key] === undefined));
}

const RecipeFile = z.object({
  about: z.string(),
  entries: z.array(
    RecipeEntry.refine(
      (e) => e.speculative !== 'mtp' || e.mtpTokens !== undefined || e.recipeUnread === true,
      { message: 'an MTP entry gives mtpTokens (unless its recipe is not stored)' },
    )
      .refine((e) => e.speculative === 'mtp' || e.mtpTokens === undefined, {
        message: 'only an MTP entry gives mtpTokens',
      })
      .refine(
        (e) =>
          !(e.concurrencyPerDecodeWorker || e.recordsTotalGpus || e.imagelessRowsMeasured) ||
          e.client !== undefined,
        { message: 'an entry read by its benchmark client (its concurrencies, GPUs, dates) cites `client`' },
      )
      .refine(limitsNamedForEngine, {
        message:
          "a pool's limits are named for its engine (SGLang: maxRunningRequests, chunkedPrefillSize, maxPrefillTokens, schedulerRecvInterval; TensorRT-LLM: maxBatchSize, maxNumTokens)",
      }),
  ),
});

/** The recipes shipped with the benchmark, checked. */
export const DISAGG_RECIPES: readonly RecipeEntry[] = RecipeFile.parse(recipesJson).entries;

/**
 * A recipe pool as the row degrees `planOf` reads: attention DP is one TP-1 rank per GPU; the experts
 * spread over the worker's GPUs, `ep` ways by expert and the rest by tensor.
 */
export function recipeDegrees(pool: RecipePool): PoolDegrees {
  const moe = { moeTp: pool.tp / pool.ep, moeEp: pool.ep, workers: pool.workers };
  return pool.attentionDp ? { tp: 1, attentionDp: pool.tp, ...moe } : { tp: pool.tp, attentionDp: 1, ...moe };
}

/** Engine limits per replica (worker, or attention-DP rank where attention is data parallel). */
export interface ReplicaLimits {
  maxBatchSize?: number;
  maxNumTokens?: number;
  /** SGLang's --scheduler-recv-interval: every scheduler (replica) runs its own receive gate. */
  schedulerRecvInterval?: number;
}

/**
 * SGLang's prompt tokens per prefill batch where a recipe leaves --max-prefill-tokens out: the engine's
 * default, as the simulator's SGLang scheduler takes it (its step budget without a chunk size given).
 */
const SGLANG_DEFAULT_MAX_PREFILL_TOKENS = resolveSchedulerConfig(
  { policy: 'sglang' },
  { gpuMemoryBytes: 1, modelMaxContext: 1 },
).maxNumBatchedTokens;

/**
 * A recipe pool's limits per replica. TensorRT-LLM's are per replica already. SGLang's
 * --max-running-requests and --chunked-prefill-size are for the whole server: with attention DP each of
 * its `dp` ranks schedules `max_running_requests // dp` requests (sgl-project/sglang
 * python/sglang/srt/managers/tp_worker.py @4f34e24: `server_args.max_running_requests //
 * (server_args.dp_size if server_args.enable_dp_attention else 1)`) and chunks prompts at
 * `chunked_prefill_size // dp_size` (ServerArgs._handle_data_parallelism, as sgl-project/sglang issue
 * #20018 and PR #28884 quote it), while --max-prefill-tokens, not divided, bounds each rank's prefill
 * batch as well: the tighter of the two is the batch's budget (sgl-project/sglang PR #35414).
 * --scheduler-recv-interval is each scheduler's own setting (`ServerArgs.scheduler_recv_interval`, read
 * by every scheduler's `SchedulerRecvSkipper`, src/engine/sim/recv-gate.ts), so it is not divided.
 */
export function recipeLimits(pool: RecipePool): ReplicaLimits {
  if (pool.maxBatchSize !== undefined || pool.maxNumTokens !== undefined) {
    return {
      ...(pool.maxBatchSize ? { maxBatchSize: pool.maxBatchSize } : {}),
      ...(pool.maxNumTokens ? { maxNumTokens: pool.maxNumTokens } : {}),
    };
  }
  const ranks = pool.attentionDp ? pool.tp : 1;
  const perRank = (v: number | undefined) =>
    v === undefined ? undefined : Math.max(1, Math.floor(v / ranks));
  const maxBatchSize = perRank(pool.maxRunningRequests);
  const chunk = perRank(pool.chunkedPrefillSize);
  const maxNumTokens =
    chunk === undefined
      ? undefined
      : Math.min(chunk, pool.maxPrefillTokens ?? SGLANG_DEFAULT_MAX_PREFILL_TOKENS);
  return {
    ...(maxBatchSize ? { maxBatchSize } : {}),
    ...(maxNumTokens ? { maxNumTokens } : {}),
    ...(pool.schedulerRecvInterval ? { schedulerRecvInterval: pool.schedulerRecvInterval } : {}),
  };
}

/** What the recipes say about one row. */
export type RecipeMatch =
  | { kind: 'none' }
  | { kind: 'found'; entry: RecipeEntry }
  /** Entries of both spec-decoding modes, or of different shapes, fit the row: it does not say which ran. */
  | { kind: 'ambiguous'; entries: RecipeEntry[] }
  | { kind: 'speculative'; entry: RecipeEntry };

const given = (v: number | undefined): number => (v && v > 0 ? v : 1);

/**
 * Whether a pool of the row has the recipe pool's shape: GPUs per worker, and where recorded, workers and
 * degrees (as the entry's rows record them: `recordsDataParallelAsTp`).
 */
function poolFits(
  row: SiliconRow,
  side: 'prefill' | 'decode',
  pool: RecipePool,
  dataParallelAsTp = false,
): boolean {
  const tp = row[`${side}_tp_size`];
  const workers = row[`${side}_num_workers`];
  if (workers === undefined) return tp === pool.tp;
  const d = dataParallelAsTp ? { tp: pool.tp, attentionDp: 1, moeEp: pool.ep } : recipeDegrees(pool);
  return (
    workers === pool.workers &&
    given(tp) === d.tp &&
    given(row[`${side}_attention_dp_size`]) === d.attentionDp &&
    given(row[`${side}_moe_ep_size`]) === d.moeEp
  );
}

/**
 * Whether a pool of the row has the recipe pool's workers and GPUs a worker, however it records their
 * split: a database dump records a SCRIPT_MODE configuration's labels (a node's 4 GPUs as TP4, or as
 * TP1 × 4 attention-DP ranks where the configuration says dp-attn), not the degrees its script ran.
 */
function workersAndGpusFit(row: SiliconRow, side: 'prefill' | 'decode', pool: RecipePool): boolean {
  const workers = row[`${side}_num_workers`];
  const gpus = given(row[`${side}_tp_size`]) * given(row[`${side}_attention_dp_size`]);
  return workers === pool.workers && gpus === pool.tp;
}

/** The GPUs of an entry's whole deployment: its prefill and decode workers. */
export function deploymentGpus(e: RecipeEntry): number {
  return e.prefill.workers * e.prefill.tp + e.decode.workers * e.decode.tp;
}

/**
 * The whole run's GPUs where a row records them as its tp (`recordsTotalGpus`): an 'agg' row's tp_size,
 * or a disaggregated row's, without worker counts, whose prefill and decode tp_size are one number.
 */
function recordedRunGpus(row: SiliconRow): number | undefined {
  if (row.mode === 'agg') return row.tp_size;
  if (row.prefill_num_workers !== undefined || row.decode_num_workers !== undefined) return undefined;
  return row.prefill_tp_size === row.decode_tp_size ? row.prefill_tp_size : undefined;
}

/** Whether the row's pools have the entry's shape, per pool or (where its export records so) in total. */
function poolsFit(row: SiliconRow, e: RecipeEntry): boolean {
  if (row.mode !== 'disagg') return e.recordsTotalGpus === true && recordedRunGpus(row) === deploymentGpus(e);
  if (e.recordedTp !== undefined) {
    // A row that records its worker counts is matched by them (two entries of one configuration may run
    // the same concurrency with other workers); one without, by the tp the configuration writes.
    const countsRecorded = row.prefill_num_workers !== undefined || row.decode_num_workers !== undefined;
    if (countsRecorded)
      return workersAndGpusFit(row, 'prefill', e.prefill) && workersAndGpusFit(row, 'decode', e.decode);
    return row.prefill_tp_size === e.recordedTp && row.decode_tp_size === e.recordedTp;
  }
  const asTp = e.recordsDataParallelAsTp === true;
  if (poolFits(row, 'prefill', e.prefill, asTp) && poolFits(row, 'decode', e.decode, asTp)) return true;
  return e.recordsTotalGpus === true && recordedRunGpus(row) === deploymentGpus(e);
}

/** Whether a configuration or its recipe file ran the deployment at `concurrency` clients. */
function ranConcurrency(e: RecipeEntry, concurrency: number): boolean {
  const perListed = e.concurrencyPerDecodeWorker ? e.decode.workers : 1;
  return (
    e.concurrencies.some((c) => c * perListed === concurrency) ||
    (e.recipeConcurrencies?.includes(concurrency) ?? false)
  );
}

const withoutLimits = ({ maxBatchSize: _b, maxNumTokens: _t, ...pool }: RecipePool): RecipePool => pool;

/**
 * The entry as it ran `concurrency`: with its recipe file's limits where the file runs that concurrency
 * (or does not say which it runs), else its workers and degrees alone (the file read is another version).
 */
export function entryAt(e: RecipeEntry, concurrency: number): RecipeEntry {
  if (!e.recipeConcurrencies || e.recipeConcurrencies.includes(concurrency)) return e;
  return { ...e, prefill: withoutLimits(e.prefill), decode: withoutLimits(e.decode) };
}

/** Whether two entries run the same deployment (the same workers, degrees and limits). */
function sameDeployment(a: RecipeEntry, b: RecipeEntry): boolean {
  return JSON.stringify([a.prefill, a.decode]) === JSON.stringify([b.prefill, b.decode]);
}

/**
 * Whether a row's source names the image, whole: `lmsysorg/sglang:v0.5.8.post1-cu130` is not the
 * `…-cu130-runtime` or `…-cu130-amd64` image another configuration ran. The configuration writes some
 * images nvcr.io#nvidia/…, as its container runtime takes them, and so do some rows' sources (one export
 * writes `image=nvcr.io#nvidia/…` where another writes `image=nvcr.io/nvidia/…` for the same run): both
 * read as the registry path.
 */
export function namesImage(source: string, image: string): boolean {
  const registryPath = (s: string) => s.replaceAll('nvcr.io#', 'nvcr.io/');
  const name = registryPath(image).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${name}(?![\\w.:/-])`).test(registryPath(source));
}

/**
 * Whether a row's source names any container image: `image=…`, or a database dump's bare
 * `registry/repository:tag` field.
 */
export function namesAnImage(source: string): boolean {
  return /(?:^|;\s*)(?:image=)?[\w.-]+(?:[#/][\w.-]+)+:[\w.-]+/.test(source);
}

/**
 * Whether the row ran the entry's image: its source names it, or names none and was measured while the
 * entry's launch script ran it (`imagelessRowsMeasured`).
 */
function imageFits(row: SiliconRow, e: RecipeEntry): boolean {
  const source = row.silicon_data_source;
  if (namesImage(source, e.image)) return true;
  const window = e.imagelessRowsMeasured;
  if (!window || namesAnImage(source)) return false;
  const measured = /measured=(\d{4}-\d{2}-\d{2})/.exec(source)?.[1];
  return measured !== undefined && measured >= window.from && measured <= window.to;
}

/**
 * The entries whose model, system, engine, precision, image, lengths and concurrency (the configuration's
 * or its recipe file's) are the row's and whose pools have its shape, each as it ran that concurrency.
 */
function entriesFitting(
  row: SiliconRow,
  concurrency: number,
  entries: readonly RecipeEntry[],
): RecipeEntry[] {
  const fitting = entries.filter(
    (e) =>
      e.modelPaths.includes(row.model_path) &&
      e.system === row.system &&
      e.backend === row.backend &&
      e.precision === row.precision &&
      imageFits(row, e) &&
      e.isl === row.isl &&
      e.osl === row.osl &&
      ranConcurrency(e, concurrency) &&
      poolsFit(row, e),
  );
  return fitting.map((e) => entryAt(e, concurrency));
}

/** A row measured by the same benchmark configuration (a database dump's config_id) as another. */
export interface SiblingRun {
  row: SiliconRow;
  concurrency: number;
}

/**
 * The recipe a disaggregated row ran: the entries fitting it (`entriesFitting`). A row whose own worker
 * counts are recorded must match them and its degrees; one without is matched by GPUs per worker.
 * Where a configuration ran the row's concurrency with and without MTP, the row does not say which; its
 * `siblings` (the rows of its configuration, one deployment run at several lengths and concurrencies)
 * settle it where only one mode ran all of them. Left so, or where the entries disagree, it is ambiguous.
 */
export function recipeOf(
  row: SiliconRow,
  concurrency: number,
  siblings: readonly SiblingRun[] = [],
  entries: readonly RecipeEntry[] = DISAGG_RECIPES,
): RecipeMatch {
  let fits = entriesFitting(row, concurrency, entries);
  if (fits.length === 0) return { kind: 'none' };
  const modes = [...new Set(fits.map((e) => e.speculative))];
  if (modes.length > 1 && siblings.length > 0) {
    const ranAll = modes.filter((mode) =>
      siblings.every((s) =>
        entriesFitting(s.row, s.concurrency, entries).some((e) => e.speculative === mode),
      ),
    );
    if (ranAll.length === 1) fits = fits.filter((e) => e.speculative === ranAll[0]);
  }
  const speculative = new Set(fits.map((e) => e.speculative));
  if (speculative.size > 1 || !fits.every((e) => sameDeployment(e, fits[0]))) {
    return { kind: 'ambiguous', entries: fits };
  }
  return fits[0].speculative === 'none'
    ? { kind: 'found', entry: fits[0] }
    : { kind: 'speculative', entry: fits[0] };
}
