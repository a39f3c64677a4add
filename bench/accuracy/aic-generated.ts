// The rows of AIConfigurator's automated gap analysis: deployments that AIConfigurator's generator wrote
// (its engine arguments) and Dynamo served, benchmarked by the script the same generator writes.
import type { EngineId } from '../../src/engine/config/engines/index.js';
import type { SiliconRow } from './rows.js';

/**
 * The rows exported from AIConfigurator's automated gap analysis (`source_file=…/aic-auto-gap-analysis/
 * data/<system>/<backend>/<version>/<model>.csv`; their `image=nvcr.io/nvidia/ai-dynamo/<backend>-runtime:
 * <dynamo_version>` is the image AIConfigurator's generator names, generator/config/deployment_config.yaml
 * `K8sConfig.k8s_image`). The export itself is not public; what the public generator writes for such a
 * deployment is below.
 */
export function isAicGenerated(row: SiliconRow): boolean {
  return row.silicon_data_source.includes('/aic-auto-gap-analysis/');
}

/**
 * Whether a gap-analysis row came from AIConfigurator's own evaluation pipeline (`aiconfigurator eval`,
 * tools/automation/launch_eval.sh), which benchmarks one deployment over a list of client counts
 * (client-protocol.ts AIC_EVAL_PROTOCOL), rather than from a generated deployment's job. Neither is
 * recorded as such; a row counts as an evaluation run where (a) its source names the export file and the client
 * count only, with no `gtl_task_id`, `measured=` or `image=` (every row of a generated job records all
 * three), and (b) its export file holds the same deployment (engine version, plan, lengths) at another
 * client count: a concurrency sweep, as the pipeline runs it. The H200 exports, one client count per
 * deployment (its max batch size), are not that: their client is not known and they keep AIC_PROTOCOL.
 * What the sweeps' TTFT says: over the Qwen3-32B sweep (vLLM 0.12.0, TP4 on H100, ISL 1024/4096 × OSL
 * 128/512/1024 × 8–128 clients) the measured TTFT exceeds the eight-client one by about
 * ISL × clients × 1.8 µs, the same at every OSL, where queueing behind arrivals would fall eightfold from
 * OSL 128 to 1024: the start-up wave of a phase whose clients all send at once, weighted by the measured
 * requests per client. Replayed with ten, the 128-client rows come within 5% of the measured TTFT; with
 * the generated script's fifty they stay 55% under.
 */
export function isAicEvalRun(row: SiliconRow, fileRows: readonly SiliconRow[]): boolean {
  if (!isAicGenerated(row) || /gtl_task_id=|measured=|image=/.test(row.silicon_data_source)) return false;
  const file = exportFileOf(row);
  const clients = clientsOf(row);
  return fileRows.some(
    (other) =>
      exportFileOf(other) === file &&
      other.backend_version === row.backend_version &&
      other.mode === row.mode &&
      other.isl === row.isl &&
      other.osl === row.osl &&
      deploymentKey(other) === deploymentKey(row) &&
      clientsOf(other) !== clients,
  );
}

function exportFileOf(row: SiliconRow): string | undefined {
  return /source_file=([^;]+)/.exec(row.silicon_data_source)?.[1];
}

function clientsOf(row: SiliconRow): string | undefined {
  return /silicon_concurrency=(\d+)/.exec(row.silicon_data_source)?.[1];
}

/** The plan columns of a row: equal keys, the same deployment. */
function deploymentKey(row: SiliconRow): string {
  return [
    row.tp_size,
    row.pp_size,
    row.attention_dp_size,
    row.moe_tp_size,
    row.moe_ep_size,
    row.precision,
  ].join('|');
}

// Not replayed: AIPerf's prompt pool. AIPerf of that period makes `--num-conversations` synthetic prompts
// (default 100: ai-dynamo/aiperf aiperf/common/config/config_defaults.py, 3b2c20864c2497835b648de8b8d20e58f8ddd6a9,
// `ConversationDefaults.NUM = 100`), each a random span of its corpus (aiperf/dataset/generator/prompt.py,
// 1c0e6e5f92527903e4bafe4bf7fb0a4e3d37f709, `_sample_tokens`), and gives each request one of them drawn with
// replacement (aiperf/dataset/dataset_manager.py, 003884dbf7da093996b106a6d298f8b4a6370a92,
// `_return_any_conversation`: `random.choice`). A repeated prompt is a prefix-cache hit under vLLM v1's and
// SGLang's defaults; the TensorRT-LLM template leaves block reuse off (extra_engine_args.1.0.0rc3.yaml.j2,
// 71a2b0330a514596e9946535c060cd437d149705: `enable_block_reuse: … default(false)`). The rows disagree on
// whether that happened, and none records the AIPerf version or dataset size that decides it: vLLM's
// Llama-3.1-8B-FP8 rows on H200 at 100 output tokens imply hits (94 requests/s of 1000-token prompts at 112
// clients is 1.5 PFLOP/s of prefill GEMMs on one H200), while SGLang's Llama-3.1-8B rows (a TPOT three to
// four times a decode-only step) show none. vLLM's Qwen3-32B rows (a full-prefill TTFT at 8 clients) ran the
// evaluation pipeline (isAicEvalRun), whose genai-perf makes a prompt per request (`--num-dataset-entries
// C×12`): no reuse there. Replaying the pool on the H200 Llama rows alone fits some and not others
// (docs/architecture/engine-overheads.md, "vLLM gap-analysis rows"), so every row runs without reuse.

/**
 * Tokens over the prompt that the generator's step budgets leave (`SlaConfig.isl + 1500`):
 * ai-dynamo/aiconfigurator src/aiconfigurator/generator/rule_plugin/{trtllm,vllm,sglang}.rule.
 */
const AIC_PROMPT_HEADROOM = 1500;

/**
 * The SGLang versions whose launch template passes the rule's `enable_mixed_chunk` on. The mapping
 * (generator/config/backend_config_mapping.yaml, 043c66c5571c2180e92e61f05ddb5f12a5bd5730) names the
 * setting `enable-mixed-chunk`; backend_templates/sglang/cli_args.0.5.6.post2.j2
 * (ff1a4aa6d6225d6af13d53658e1a1438a027afdd) emits `--enable-mixed-chunk` for it, while
 * cli_args.0.5.1.post1.j2 and the generic cli_args.j2 (both 5dc6d4f998630f84912cd88e7ac2a959b2603b46,
 * the latter for versions without their own template) test a key `enable-mix-chunk` that nothing sets,
 * so those deployments ran without it. `--max-prefill-tokens` every template emits.
 */
const SGLANG_TEMPLATES_EMITTING_MIXED_CHUNK: ReadonlySet<string> = new Set(['0.5.6.post2']);

/**
 * The KV cache's share of the free GPU memory that a TensorRT-LLM version's launch template writes where
 * the generator sets none (neither rule_plugin/trtllm.rule nor rule_plugin/benchmark/trtllm.rule sets
 * `kv_cache_free_gpu_memory_fraction`), beside TensorRT-LLM's own default of 0.9. ai-dynamo/aiconfigurator
 * src/aiconfigurator/generator/config/backend_templates/trtllm/:
 * - extra_engine_args.1.0.0rc3.yaml.j2 (71a2b0330a514596e9946535c060cd437d149705):
 *   `free_gpu_memory_fraction: {{ kv_cache_config.free_gpu_memory_fraction | default(0.80) }}`;
 * - extra_engine_args.1.3.0rc1.yaml.j2 (581e4591fbdc14a400fdbf2847cb741707b5fc95): `default(0.80)`;
 * - extra_engine_args.1.2.0rc6.post1.yaml.j2 (d023cf01c6afd8355a7e759bc71863d1ef92ffd0): `default(0.90)`.
 * Under TensorRT-LLM's default capacity policy (GUARANTEED_NO_EVICT: a request is admitted only with KV
 * blocks for its prompt and whole output) this caps the running requests where prompt + output × clients
 * outgrows the cache: of the gap-analysis rows, Qwen3-32B fp8 on one H100 at 64–128 clients of 2k–4k
 * prompts. Versions without their own template here are left at TensorRT-LLM's default.
 */
const TRTLLM_TEMPLATE_KV_FRACTION: Readonly<Record<string, number>> = {
  '1.0.0rc3': 0.8,
  '1.2.0rc6.post1': 0.9,
  '1.3.0rc1': 0.8,
};

/** Engine arguments of an aggregated worker as AIConfigurator's generator writes them. */
export interface AicAggregatedArgs {
  /** TensorRT-LLM `max_num_tokens`, vLLM `max_num_batched_tokens`: `max_batch_size + isl + 1500`. */
  maxNumTokens?: number;
  /** TensorRT-LLM `kv_cache_config.free_gpu_memory_fraction` as the version's template writes it. */
  kvCacheFreeMemoryFraction?: number;
  /** SGLang `--max-prefill-tokens` (`isl + 1500`), and whether `--enable-mixed-chunk` reached the engine. */
  sglang?: { maxPrefillTokens: number; mixedChunk: boolean };
}

/**
 * What the generator's rules set for an aggregated worker of `engine` serving the row, its
 * `max_batch_size` the row's batch_size (the generator's `params.agg.max_batch_size`, whose product with
 * the workers is the benchmark's concurrency). Sources, ai-dynamo/aiconfigurator src/aiconfigurator/generator/:
 * - rule_plugin/benchmark/trtllm.rule (581e4591fbdc14a400fdbf2847cb741707b5fc95): `agg max_num_tokens =
 *   max_batch_size + SlaConfig.isl + 1500` (rule_plugin/trtllm.rule, 17676b357f0681a531b99ad7a19c4d8c13e4fa7e,
 *   the same rounded up to 32-token blocks, after raising max_batch_size to at least 512); chunked prefill
 *   left at its template default, off (backend_templates/trtllm/extra_engine_args.1.0.0rc3.yaml.j2,
 *   71a2b0330a514596e9946535c060cd437d149705: `enable_chunked_prefill: … default(false)`).
 * - rule_plugin/benchmark/vllm.rule (2b264ba7b872364ee7b659a5c08a5cbfdc53a8cf): `agg max_num_tokens =
 *   (max_batch_size or 0) + (SlaConfig.isl or 0) + 1500`.
 * - rule_plugin/sglang.rule (1089dfa8e46ffc80739c29bb7a3086ab279459bb) and rule_plugin/benchmark/sglang.rule
 *   (043c66c5571c2180e92e61f05ddb5f12a5bd5730): `agg_prefill_decode max_prefill_tokens = SlaConfig.isl +
 *   1500`, `agg enable_mixed_chunk = true`; chunked_prefill_size left at SGLang's default. Whether the
 *   flag reaches the engine is the version's template's (SGLANG_TEMPLATES_EMITTING_MIXED_CHUNK).
 * Undefined where the row records no batch size or the engine is none of those.
 */
export function aicAggregatedArgs(row: SiliconRow, engine: EngineId): AicAggregatedArgs | undefined {
  const maxBatchSize = row.batch_size;
  if (!maxBatchSize) return undefined;
  switch (engine) {
    case 'trtllm': {
      const kvFraction = TRTLLM_TEMPLATE_KV_FRACTION[row.backend_version];
      return {
        maxNumTokens: maxBatchSize + row.isl + AIC_PROMPT_HEADROOM,
        ...(kvFraction !== undefined ? { kvCacheFreeMemoryFraction: kvFraction } : {}),
      };
    }
    case 'vllm':
      return { maxNumTokens: maxBatchSize + row.isl + AIC_PROMPT_HEADROOM };
    case 'sglang': {
      const mixedChunk = SGLANG_TEMPLATES_EMITTING_MIXED_CHUNK.has(row.backend_version);
      return { sglang: { maxPrefillTokens: row.isl + AIC_PROMPT_HEADROOM, mixedChunk } };
    }
    default:
      return undefined;
  }
}
