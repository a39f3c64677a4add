// Aggregated deployments as the benchmark that measured them configured them (agg-configs.json): which
// configuration a row ran (its image, lengths, concurrency and parallel plan) and so whether it decoded

// with MTP speculation, at the depth its benchmark script set. Each entry cites the repository, path and
// commit of the configuration and of the script.
import { z } from 'zod';
import { MoeBackend } from '../../src/engine/perf/moe-backend.js';
import type { SpeculationConfigInput } from '../../src/engine/perf/speculation.js';
import configsJson from './agg-configs.json';
import type { PoolDegrees, SiliconRow } from './rows.js';
import { ConfigurationKey, count, Source } from './sourced.js';

/** One search-space line: the plan it launches and the concurrencies it runs (start to end, doubling). */
const SearchSpace = z.object({
  isl: count,
  osl: count,
  /** GPUs of the server (the script's --tp_size). */
  tp: count,
  /** The script's --ep_size (1: experts sharded by tensor). */
  ep: count,
  /** enable_attention_dp: each GPU attends for its own requests. */
  attentionDp: z.boolean(),
  concStart: count,
  concEnd: count,
});
type SearchSpace = z.infer<typeof SearchSpace>;

const AggConfig = ConfigurationKey.extend({
  speculative: z.enum(['none', 'mtp']),
  /** MTP: the script's num_nextn_predict_layers with TP attention and with attention DP. */
  mtpTokens: z.object({ attentionTp: count, attentionDp: count }).optional(),
  searchSpace: z.array(SearchSpace).min(1),
  /** Where the configuration (image, search space, spec decoding) was read. */
  source: Source,
  /** Other stored versions of the configuration file that say the same for this entry. */
  alsoAt: z.array(Source).optional(),
  /** The benchmark script that launches it (MTP depth). */
  script: Source.optional(),
  /** The script's launch settings, as it writes them. */
  launch: z.string().min(1).optional(),
  /** The MoE backend the script selects (`moe_config.backend`), where it sets one for every row. */
  moeBackend: MoeBackend.optional(),
  /**
   * TensorRT-LLM MTP scripts: `--max_batch_size $CONC`, with attention DP `$((CONC/TP))` (per rank; TP
   * the server's GPUs), and `--max_num_tokens $(( ((MTP+1)*MAX_BATCH_SIZE+ISL+64+63)/64*64 ))`.
   */
  batchFromClients: z.literal(true).optional(),
});
export type AggConfig = z.infer<typeof AggConfig>;

/** Whether two entries are configurations of one engine, GPU, model and precision that ran one image. */
function sameImage(a: AggConfig, b: AggConfig): boolean {
  return (
    a.backend === b.backend &&
    a.system === b.system &&
    a.precision === b.precision &&
    a.image === b.image &&
    a.modelPaths.some((m) => b.modelPaths.includes(m))
  );
}

const ConfigFile = z
  .object({
    about: z.string(),
    entries: z.array(
      AggConfig.refine(
        (e) => e.speculative === 'mtp' || (e.mtpTokens === undefined && e.script === undefined),
        {
          message: 'only an MTP entry gives mtpTokens and the script that sets them',
        },
      ).refine((e) => (e.mtpTokens === undefined) === (e.script === undefined), {
        message: 'mtpTokens and the script they were read from come together',
      }),
    ),
  })
  .refine(
    // An MTP entry without its depth can never be modelled: only rows it leaves ambiguous may use it.
    (file) =>
      file.entries.every(
        (e) =>
          e.speculative !== 'mtp' ||
          e.mtpTokens !== undefined ||
          file.entries.some((o) => o.speculative === 'none' && sameImage(e, o)),
      ),
    { message: 'an MTP entry without mtpTokens must share its image with a non-MTP entry' },
  );

/** The aggregated configurations of the benchmark, checked. */
export const AGG_CONFIGS: readonly AggConfig[] = ConfigFile.parse(configsJson).entries;

/** What the configurations say about one aggregated row. */
export type AggConfigMatch =
  | { kind: 'none' }
  | { kind: 'found'; entry: AggConfig }
  /** Configurations of both spec-decoding modes fit the row: it does not say which ran. */
  | { kind: 'ambiguous'; entries: AggConfig[] }
  | { kind: 'speculative'; entry: AggConfig; speculation: SpeculationConfigInput };

const given = (v: number | undefined): number => (v && v > 0 ? v : 1);

/** Whether a concurrency is one the line runs: conc-start, doubling, up to conc-end. */
function runsConcurrency(line: SearchSpace, concurrency: number): boolean {
  for (let c = line.concStart; c <= line.concEnd; c *= 2) if (c === concurrency) return true;
  return false;
}

/** Whether the row's plan as it ran (its GPUs, attention DP, expert parallel degree) is the line's. */
function planFits(line: SearchSpace, degrees: PoolDegrees): boolean {
  const attentionDp = given(degrees.attentionDp);
  return (
    line.tp === given(degrees.tp) * attentionDp &&
    line.attentionDp === attentionDp > 1 &&
    line.ep === given(degrees.moeEp)
  );
}

/** InferenceMAX's rows: its database dumps and dated exports. */
function fromInferenceMax(row: SiliconRow): boolean {
  const source = row.silicon_data_source;
  return source.startsWith('db-dump/') || /^source_file=\d{4}-\d{2}-\d{2}\.csv/.test(source);
}

/** The entries whose engine, GPU, model, precision and image are the row's. */
function entriesOfImage(row: SiliconRow, entries: readonly AggConfig[]): AggConfig[] {
  // Exports write the image nvcr.io#nvidia/… as the container runtime takes it.
  const source = row.silicon_data_source.split('#').join('/');
  return entries.filter(
    (e) =>
      e.backend === row.backend &&
      e.system === row.system &&
      e.precision === row.precision &&
      e.modelPaths.includes(row.model_path) &&
      namesImage(source, e.image),
  );
}

/** Whether the source names exactly this image (`…:v0.5.9-cu130` is not `…:v0.5.9-cu130-amd64`). */
function namesImage(source: string, image: string): boolean {
  for (let at = source.indexOf(image); at >= 0; at = source.indexOf(image, at + 1)) {
    if (!/[\w.-]/.test(source.charAt(at + image.length))) return true;
  }
  return false;
}

/** Whether the entry's search space runs the row's lengths and concurrency at its plan. */
function searchSpaceFits(e: AggConfig, row: SiliconRow, concurrency: number, degrees: PoolDegrees): boolean {
  return e.searchSpace.some(
    (line) =>
      line.isl === row.isl &&
      line.osl === row.osl &&
      runsConcurrency(line, concurrency) &&
      planFits(line, degrees),
  );
}

/** The speculation an MTP configuration runs at a plan: its script's depth, the documented default acceptance. */
function speculationOf(entry: AggConfig, degrees: PoolDegrees): SpeculationConfigInput | undefined {
  if (entry.speculative !== 'mtp' || !entry.mtpTokens) return undefined;
  const k = given(degrees.attentionDp) > 1 ? entry.mtpTokens.attentionDp : entry.mtpTokens.attentionTp;
  return { method: 'mtp', k };
}

/**
 * The engine limits an MTP configuration's script passes (`batchFromClients`) at the row's clients and
 * plan: max_batch_size the clients, or with attention DP the clients over the server's GPUs (at least
 * one, as dsr1_fp8_h200_trt_mtp.sh guards), per rank; max_num_tokens room for that batch's tokens with
 * their drafts plus one prompt of the ISL, rounded as the shell does. Undefined for other entries.
 */
export function scriptLimitsOf(
  match: AggConfigMatch,
  row: SiliconRow,
  concurrency: number,
  degrees: PoolDegrees,
): { maxBatchSize: number; maxNumTokens: number } | undefined {
  if (match.kind !== 'speculative' || match.entry.batchFromClients !== true) return undefined;
  const gpus = given(degrees.tp) * given(degrees.attentionDp);
  const maxBatchSize =
    given(degrees.attentionDp) > 1 ? Math.max(1, Math.floor(concurrency / gpus)) : concurrency;
  const tokens = (match.speculation.k + 1) * maxBatchSize + row.isl + 64 + 63;
  return { maxBatchSize, maxNumTokens: Math.floor(tokens / 64) * 64 };
}

/**
 * The configuration an aggregated InferenceMAX row ran: the one of its image whose search space runs its
 * lengths and concurrency at its plan as it ran (`degrees`). The image is what dates a row to a
 * configuration; search spaces change from one version of the file to the next under the same image (the
 * H200 configuration's own comments name attention-DP concurrencies its search space no longer runs).
 * So where one image ran configurations of both modes, the row is ambiguous whatever its search space
 * says; rows of no listed image, or outside their configuration's search space, say nothing.
 */
export function aggConfigOf(
  row: SiliconRow,
  concurrency: number,
  degrees: PoolDegrees,
  entries: readonly AggConfig[] = AGG_CONFIGS,
): AggConfigMatch {
  if (row.mode !== 'agg' || !fromInferenceMax(row)) return { kind: 'none' };
  const ofImage = entriesOfImage(row, entries);
  if (new Set(ofImage.map((e) => e.speculative)).size > 1) return { kind: 'ambiguous', entries: ofImage };
  const fits = ofImage.filter((e) => searchSpaceFits(e, row, concurrency, degrees));
  if (fits.length === 0) return { kind: 'none' };
  const speculation = speculationOf(fits[0], degrees);
  return speculation
    ? { kind: 'speculative', entry: fits[0], speculation }
    : { kind: 'found', entry: fits[0] };
}
