// bench/results/accuracy.md: the run, the overall and per-partition accuracy, the worst rows, and how rows
// were mapped to simulations.
import { AIC_EVAL_PROTOCOL, AIC_PROTOCOL, WAVES } from './client-protocol.js';
import { heldOutSection } from './held-out-report.js';
import type { HeldOutSummary } from './held-out-summary.js';
import {
  type Accuracy,
  accuracyOf,
  groupAccuracy,
  MIN_PARTITION_ROWS,
  partitionKey,
  type RowResult,
  targetsOf,
  worstRows,
} from './metrics.js';

export interface RunInfo {
  machine: string;
  commit: string;
  date: string;
  csv: string;
  wallSeconds: number;
  /** What a partial run (--limit, --filter) left out, or null for the whole file. */
  selection: string | null;
}

const pct = (x: number | null) => (x === null ? '–' : `${x.toFixed(1)}%`);
const signed = (x: number | null) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`);
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

function accuracyCells(a: Accuracy): string {
  return `${a.modelled} / ${a.rows} | ${pct(a.ttftMape)} | ${signed(a.ttftMedianSigned)} | ${pct(a.tpotMape)} | ${signed(a.tpotMedianSigned)}`;
}

const HEADER = '| modelled / rows | TTFT MAPE | TTFT median signed | TPOT MAPE | TPOT median signed |';
const RULE = '|---|---|---|---|---|';

function groupTable(title: string, groups: { key: string; accuracy: Accuracy }[]): string {
  return [
    `| ${title} ${HEADER}`,
    `|---${RULE}`,
    ...groups.map((g) => `| ${g.key} | ${accuracyCells(g.accuracy)} |`),
  ].join('\n');
}

function reasonsTable(reasons: Record<string, number>): string {
  const entries = Object.entries(reasons).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return 'Every row was modelled.';
  return ['| rows | reason |', '|---|---|', ...entries.map(([reason, n]) => `| ${n} | ${reason} |`)].join(
    '\n',
  );
}

function worstTable(rows: RowResult[]): string {
  return [
    '| row | deployment | clients | ISL/OSL | TTFT ms measured → predicted | TPOT ms measured → predicted |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const p = r.predicted!;
      const e = r.error!;
      return `| ${r.id} | ${r.partition.engine} ${r.partition.gpu}: ${r.deployment} | ${r.concurrency} | ${r.isl}/${r.osl} | ${ms(r.measured.ttftMs)} → ${ms(p.ttftMs)} (${signed(100 * e.ttft)}) | ${ms(r.measured.tpotMs)} → ${ms(p.tpotMs)} (${signed(100 * e.tpot)}) |`;
    }),
  ].join('\n');
}

/**
 * The flagged rows (closed-loop-screen.ts) with their predictions, and the overall accuracy without them
 * as a secondary figure: the headline and the targets stay over every modelled row.
 */
export function flaggedSection(results: readonly RowResult[]): string {
  const flagged = results.filter((r) => r.flag);
  const title = '## Rows whose measurement no steady closed loop produces';
  if (flagged.length === 0) return `${title}\n\nNo row is flagged.`;
  const cell = (measured: number, predicted: number | undefined, error: number | undefined) =>
    predicted === undefined
      ? `${ms(measured)} → –`
      : `${ms(measured)} → ${ms(predicted)} (${signed(100 * (error ?? 0))})`;
  const lines = flagged.map(
    (r) =>
      `| ${r.id} | ${r.concurrency ?? '–'} | ${(100 * (r.flag?.clientsWaiting ?? 0)).toFixed(0)}% | ${cell(r.measured.ttftMs, r.predicted?.ttftMs, r.error?.ttft)} | ${cell(r.measured.tpotMs, r.predicted?.tpotMs, r.error?.tpot)} |`,
  );
  const rest = accuracyOf(results.filter((r) => !r.flag));
  return `${title}

Flagged by bench/accuracy/closed-loop-screen.ts: by Little's law on the measured TTFT and TPOT most of
the clients wait for a first token, although vLLM's max-num-seqs, KV cache and step budget admit them all.
These rows are predicted and counted in every figure of this report (headline, targets, partitions).

| row | clients | clients waiting (Little's law) | TTFT ms measured → predicted | TPOT ms measured → predicted |
|---|---|---|---|---|
${lines.join('\n')}

Secondary figure, not the headline: without the flagged rows (${flagged.length}), over ${rest.modelled} modelled rows, TTFT MAPE ${pct(rest.ttftMape)}, TPOT MAPE ${pct(rest.tpotMape)}.`;
}

const MAPPING = `## How a row becomes a simulation

Each row is one closed-loop benchmark; it is predicted with \`simulate\` (src/engine/sim/simulate.ts) and
its closed-loop client, as a user would predict it, with the step model and calibration as they stand
(no fitting to these rows). The mapping is \`mapRow\` in bench/accuracy/map-row.ts:

- **Model**: \`resolveModel\` on \`model_path\` (catalog id or Hugging Face repository). A base model's
  repository (meta-llama/Llama-3.1-70B) reads as its -Instruct catalog entry and a re-quantized one
  (nvidia/…-FP8, …-NVFP4) as the model it quantizes: same architecture, and the weight format comes from
  the row. Kimi-K2.5 and MiniMax-M2.5 have catalog entries (their text models are Kimi-K2's and
  MiniMax-M2's architectures); Qwen3.5-397B-A17B (Qwen3-Next's hybrid of Gated DeltaNet and gated full
  attention) and GLM-5 (MLA with DeepSeek Sparse Attention: the attention reads the top 2048 keys an
  indexer picks, the indexer scores every key) have catalog entries of their own, and zhipuai/GLM-5
  reads as zai-org/GLM-5.
- **GPU**: h100_sxm → h100-sxm, h200_sxm → h200, b200_sxm → b200, b300_sxm → b300, gb200, gb300.
- **Engine**: \`backend\` is the engine id (vllm, sglang, trtllm). Its scheduler is its description's
  \`scheduler.policyFor\` with its knob table's defaults (vLLM: vllm-v1, 8192-token chunks; SGLang: its
  own policy, 8192-token chunks; TensorRT-LLM: in-flight batching without chunked context, i.e. orca).
  Two defaults are raised where the deployment that ran must have had more: max-num-seqs (max_batch_size)
  to the clients one replica serves, and, without chunked prefill, a step budget no launch script gives
  to max-model-len (vLLM refuses to start below it; TensorRT-LLM checks each prompt against
  max_num_tokens, so an aggregated script's own budget stands). max-model-len is the row's ISL + OSL.
  Memory: vLLM and SGLang give a share of the whole GPU; TensorRT-LLM gives the KV cache 0.9 of the
  memory free after weights and activations (\`free_gpu_memory_fraction\`, or the launch script's),
  taken as the whole-GPU share that amounts to.
- **Plan**: TP = tp_size, PP = pp_size. Attention data parallelism (attention_dp_size > 1) becomes that
  many simulator replicas (\`dp\`), each running TP = tp_size. For a MoE model with expert parallelism
  (moe_ep_size > 1) or attention DP, the experts spread over moe_tp × moe_ep GPUs (the plan's \`ep\`: whole
  experts per GPU; the simulator has no separate expert-TP degree), else they are TP-sharded (ep 1). The
  attention-DP replicas of one EP group (ep / tp of them) step in lockstep, as the engines' ranks do at
  every MoE layer's all-to-all (src/engine/sim/ep-group.ts): each schedules its own batch, and the group's
  step takes the slowest rank's attention and dense part plus the routed experts over every rank's
  tokens; a rank with nothing to run joins empty. Empty and 0 degrees mean "not used". Some converted aggregated rows record tp_size as tp × ep (\`…_tp4_ep4_…\` with
  tp_size 16 and moe 4 × 4; tp_size 64 with moe 8 × 8 on an 8-GPU board): where tp_size exceeds the GPU's
  scale-up domain and equals moe_tp × moe_ep with both above 1, the server ran on moe_tp GPUs, its experts
  spread moe_ep ways. A row whose launch script passes only \`--tensor-parallel-size\` (launch-settings.json
  \`tensorParallelLaunch\`: Kimi-K2.5 nvfp4 on B200 and B300, MiniMax-M2.5 fp8 on B300) ran one server of TP
  tp_size whatever attention DP it records, its experts over those GPUs by EP where the script passes
  \`--enable-expert-parallel\`, else TP-sharded. An aggregated row that leaves attention_dp_size empty
  while its expert GPUs (moe_tp × moe_ep) are k × tp ran k attention-DP ranks of TP tp, as vLLM's
  \`--data-parallel-size k\` does (Qwen3-235B-A22B-FP8 on H200 with tp 1 and moe_tp 2: its 235 GB of weights load on no single
  GPU). A tp_size that does not divide the model's attention heads is not modelled (vLLM, SGLang and
  TensorRT-LLM split heads evenly over TP, and such rows record no other split of their GPUs).
- **Weights**: the MoE quant mode for MoE models, the GEMM one for dense models: nvfp4 → nvfp4, fp8 and
  fp8_block → fp8, int4_wo → int4, empty → the checkpoint's own format (bf16 where it has none); nvfp4 on
  a checkpoint published in mxfp4 (gpt-oss) is that checkpoint, as served (Hopper has no fp4 kernels). A
  dtype other than the checkpoint's applies to every decoder linear layer; the checkpoint's own fp8 keeps
  its 128×128 blocks (read as the block-fp8 MoE kernel, and under TensorRT-LLM and SGLang the block-fp8
  GEMM). A fp8_block row on a repository published in 16-bit ran the publisher's block-fp8 checkpoint,
  \`<repository>-FP8\`, where the catalog has it (Qwen3.5-397B-A17B-FP8 and GLM-5-FP8, as InferenceMAX
  serves them; zhipuai/GLM-5 reads as the catalog's zai-org/GLM-5, and its FP8 release as zai-org/GLM-5-FP8).
- **Launch settings** (bench/accuracy/launch-settings.json, each entry citing the repository, path and
  commit of the InferenceMAX launch script it was read from, and quoting its flags): for the aggregated
  deployments it covers (engine × GPU × model × precision), the KV-cache format the script set (SGLang and
  vLLM without \`--kv-cache-dtype\`, TensorRT-LLM with \`dtype: auto\`, run the model's 16-bit cache, except
  that vLLM's auto takes the FP8 cache an NVFP4 ModelOpt checkpoint declares) and
  its engine limits: max running requests (max-num-seqs, max_batch_size), the step's token budget
  (chunked prefill size, max-num-batched-tokens, max_num_tokens), SGLang's \`--max-prefill-tokens\` and \`--scheduler-recv-interval\`
  (the DeepSeek-R1 scripts on B200 and B300: 30 from 16 clients up, else 10), each by the TP the server
  ran (a row recording tp × ep as its tp_size ran the script's TP branch; the B200/B300 Qwen3.5 scripts
  pass the same recv intervals), TensorRT-LLM's batch waiting (\`batch_wait_timeout_iters: 40\`,
  \`batch_wait_max_tokens_ratio: 0.8\` in the B200 DeepSeek-R1 fp8 script at 1k/1k from 64 to 255 clients, for
  the rows of the image it ran with; 20 and 0.9 in the Llama-3.1-70B scripts on B200 and H200 at 1k/1k
  below TP8), and the MoE backend it selected (the
  engine setting \`moeBackend\`, \`--moe-backend\`): vLLM's Marlin kernel for gpt-oss on H100/H200
  (\`VLLM_MXFP4_USE_MARLIN=1\`), its trtllm-gen kernel with mxfp8 activations on B200
  (\`VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8=1\`), and TensorRT-LLM's \`moe_config.backend\` for DeepSeek-R1 fp8 on
  B200 (TRTLLM, DEEPGEMM from 256 clients at 1k/1k and 1k/8k, for the rows of the image that script ran
  with; its MTP configuration's script sets DEEPGEMM), for DeepSeek-R1 fp4 on B200 (TRTLLM, CUTLASS from
  256 clients at 1k/1k and 1k/8k and above 32 at 8k/1k) and fp8 on H200 (CUTLASS), and SGLang's \`SGL_ENABLE_JIT_DEEPGEMM=false\` (block-fp8
  linear layers off DeepGEMM, in the B200 and B300 DeepSeek-R1 scripts). Elsewhere the KV cache is fp8 where the
  row's precision is fp8 or fp4, else bf16, and the engine's defaults apply.
- **Aggregated MTP** (bench/accuracy/agg-configs.json, each entry citing the InferenceMAX configuration
  file and commit it was read from, and for MTP its benchmark script): an aggregated InferenceMAX row is
  matched to a configuration by engine, GPU, model, precision, container image, lengths, concurrency and
  its plan as run (GPUs, attention DP, EP). A row of an MTP configuration (TensorRT-LLM on B200:
  \`dsr1-fp4-b200-trt-mtp\`, \`dsr1-fp8-b200-trt-mtp\`, image 1.2.0rc6.post3, the non-MTP ones 1.2.0rc6.post2;
  74 rows) decodes with MTP of its script's depth (num_nextn_predict_layers 3, or 1 with attention DP) at
  the documented default acceptance (docs/speculation.md); the scripts' max_num_tokens for MTP is not
  applied. Where one image ran configurations with and without MTP (TensorRT-LLM on H200, 1.1.0rc2.post2,
  20 rows; SGLang's DeepSeek on B200 and B300, GLM-5 on B200 and Qwen3.5 on B300, 93 rows) the row does not
  say which ran and is modelled without speculation: search spaces change under one image from one version
  of the configuration file to the next, so they do not settle it.
- **Clients**: the concurrency is the \`silicon_concurrency\` the source records (the benchmark's client
  count); \`batch_size\` equals it in 1,482 of the 1,582 aggregated rows and is the per-attention-DP-rank
  batch in most of the others; it is used only where no concurrency is recorded, and never in
  AIConfigurator's gap-analysis rows, where it is one worker's max_batch_size and the workers are not
  recorded (such a row without a concurrency is not modelled). The client is replayed as the source ran
  it. InferenceMAX (the rows of its database dumps, \`db-dump/…\`, and dated exports, \`source_file=YYYY-MM-DD.csv\`)
  runs \`benchmark_serving.py --dataset-name random --random-range-ratio 0.8 --num-prompts CONC×10
  --max-concurrency CONC --request-rate inf --ignore-eos\`: the workload is
  \`constant:rate=1000,prompt=uniform(0.8·ISL,ISL),output=uniform(0.8·OSL,OSL),n=10×clients\` and nothing
  is left out, so the mean TTFT includes the start-up wave whose prompts all arrive at once, as the
  measured one does. Each request asks for the output it drew as \`max_tokens\` (the client's
  \`"max_tokens": output_len\`), which is what TensorRT-LLM reserves at admission, not the rest of
  ISL + OSL after its prompt. AIConfigurator's gap-analysis rows (\`…/aic-auto-gap-analysis/…\`) ran the benchmark
  its generator writes: \`aiperf profile --concurrency C --num-requests C×50 --warmup-request-count C×2\`
  with fixed lengths and ignore-EOS, AIPerf running the warm-up as a phase of its own (its profiling
  starts once every warm-up request has come back, all C clients at once): the workload is
  \`prompt=fixed(ISL),output=fixed(OSL),n=${AIC_PROTOCOL.requestsPerClient}×clients\`, the first ${AIC_PROTOCOL.warmUpPerClient} per client a warm-up phase left out,
  so the measured mean holds one start-up wave in fifty. Their rows that name only the export file and
  the client count (no job, date or image) in a file holding the same deployment at other client counts
  (the H100 concurrency sweeps of vLLM, SGLang and TensorRT-LLM) are taken for AIConfigurator's
  evaluation pipeline (\`aiconfigurator eval\`): \`genai-perf profile --concurrency C --request-count C×10
  --warmup-request-count C×2 --num-dataset-entries C×12\`, the warm-up a load of its own, so
  \`n=${AIC_EVAL_PROTOCOL.requestsPerClient}×clients\` with the first ${AIC_EVAL_PROTOCOL.warmUpPerClient} per client a warm-up phase and one start-up wave in ten
  (bench/accuracy/aic-generated.ts \`isAicEvalRun\` says why). A row of another source that republishes an
  InferenceMAX measurement (same model, system, engine and version, precision, mode, lengths and
  concurrency, and both mean TTFT and mean TPOT equal to an InferenceMAX row's at the digits it gives: the
  Kimi-K2.5 and Qwen3.5 gap-analysis exports, bench/accuracy/republished.ts) is that run, and is replayed as
  InferenceMAX ran it (its own recorded degrees kept). Other rows of other sources do not say how their
  client ran: \`prompt=fixed(ISL),output=fixed(OSL),n=${WAVES}×clients\`, each client's first request left
  out as warm-up. Arrival times are ignored in closed loop. Each request's TTFT and E2E include the serving
  engine's front-end latency (perf/serving-engine.ts ENGINE_FRONTEND_SECONDS: client to scheduler and the
  first token back).
- **Disaggregated rows**: a prefill pool of prefill_num_workers × prefill attention DP replicas and a
  decode pool likewise, each planned as above, the KV link that of the whole deployment. The row's
  prefill_batch_size / decode_batch_size are not engine limits (decode_batch_size is the clients per decode
  attention-DP rank, prefill_batch_size is 1 in every row). Where InferenceMAX's configuration and the recipe
  file it names give the deployment (bench/accuracy/disagg-recipes.json, each entry citing repository, path
  and commit), its worker counts fill in rows that lack them, and its engine limits (max_batch_size per
  decode worker or attention-DP rank, the prefill's max_batch_size and max_num_tokens) replace the defaults:
  a decode batch limit below the clients queues them at decode, which the client sees as TTFT. A row is
  matched by model, system, engine, precision, container image, lengths, concurrency and its pools' shape.
  The concurrency is the configuration's or, where transcribed, one the recipe file itself runs
  (benchmark.concurrencies); a row at a concurrency the file does not run gets the deployment without the
  file's limits (the file read was edited after that run). Where its concurrency ran with and without MTP,
  the other rows of its configuration (config_id) decide; left so, or where it ran in several deployments,
  it is ambiguous. Rows without worker counts and no unambiguous recipe are not modelled: the number of
  replicas decides the load on each. A row whose recipe runs MTP decodes with MTP of the recipe's
  speculative tokens (num_nextn_predict_layers) at the documented default acceptance (docs/speculation.md),
  the prefill pool loading the drafter, and with the recipe file's limits as any other (the GB200
  sweep's MTP entries of Nov–Dec 2025 record none: those rows run the default limits). TensorRT-LLM's
  attention-DP ranks of a disaggregated deployment do not hold prompts back to balance them: its recipe
  files set no attention_dp_config, whose balancing is off by default. GB200 runs of Nov–Dec 2025 came from InferenceMAX's launch script running Dynamo's
  TensorRT-LLM performance sweep (its configuration of then, image 0.5.1-rc0.pre3): that client runs each
  listed concurrency once per decode worker ("concurrency * num_gen_servers"), and names each result by the
  whole deployment's GPUs, which one export records as both pools' tp_size; its rows without an image
  fit where measured while that configuration ran (2025-11-05, the Dynamo branch it pins, to 2025-12-19,
  the last run naming its image). SGLang GB200 runs of then record the tp: 1 their configuration writes
  (its launch script sets the degrees); their pools are its workers and node counts, 4 GPUs per node, with
  the attention its comments name (DEP4 prefill, DEP4 / DEP48 / DEP32 decode; where a comment says 1 prefill
  worker beside num-worker 4 on 4 nodes, the counts are taken). A database dump's rows of those runs record
  worker counts and the configuration's labels as degrees (a 4-GPU worker as TP4, or TP1 × 4 attention-DP
  ranks where it says dp-attn): they fit by workers and GPUs a worker, and run the entry's pools too. Where the Dynamo script the
  configuration's SCRIPT_MODE ran is stored (fp4: \`scripts/gb200-fp4/disagg/1k1k-low-latency.sh\`,
  \`1k1k-middle-curve.sh\`, \`1k1k-max-tpt.sh\`, \`8k1k-low-latency.sh\`, \`8k1k-middle-curve.sh\`; fp8:
  \`scripts/gb200-fp8/disagg/1k1k-max-tpt.sh\`, \`8k1k-max-tpt.sh\`), its flags apply as a recipe
  file's do: degrees (its \`--tp-size\`, \`--dp-size\`, \`--ep-size\` over each worker's GPUs, whatever the
  configuration's dp-attn writes), limits, DeepEP, and the 32 redundant expert slots that let DEP48 divide
  256 + 32 experts; a row only a mode whose script is not stored ran (fp4 8k1k-max-tpt) is not modelled,
  and so is a row only an MTP entry whose recipe file is not stored ran (its speculative tokens unknown;
  such entries are listed so that a row both modes ran reads as ambiguous). A recipe whose servers set
  \`SGLANG_ENABLE_JIT_DEEPGEMM=false\` (B200 fp8 low-latency-tep8-1p3d.yaml) runs its block-fp8 linear
  layers off DeepGEMM, as the aggregated scripts that set it do. A recipe pool whose EP does not divide the
  model's experts, its redundant expert slots not recorded, is not modelled (the engine ran some, EPLB's;
  how many is not known).
- **Replicas**: requests go round-robin over a pool's replicas (identical requests, so this is the
  engines' even balancing). Replicas share nothing in the simulator, so where the clients divide evenly, one of k
  identical parts (colocated replicas, or gcd-sized groups of prefill and decode replicas) is simulated
  with 1/k of the clients; k keeps whole expert-parallel groups.
- **GB200/GB300 'agg' rows of InferenceMAX**: InferenceMAX runs these systems only as multinode
  disaggregated configurations (every gb200/gb300 configuration of its nvidia-master.yaml); one export
  labels such runs 'agg' with tp_size their GPU count (12 to 64) and no pools. Where a recipe recording
  its runs by total GPUs (above) fits that count and the row's concurrency, the row is modelled as that
  disaggregated deployment (its partition stays 'agg', as the row says); the others are not modelled.
- **Measurements no closed loop produces** (bench/accuracy/closed-loop-screen.ts): by Little's law on
  the measured means, clients × (output − 1) × TPOT / (TTFT + (output − 1) × TPOT) of a row's clients
  decode at a time. A vLLM v1 row where most clients wait for a first token although its max-num-seqs
  and KV cache (memory model) hold every client and the step budget covers the prompts that throughput
  needs is flagged ("measurement: …"): vLLM admits a waiting request at the next step whenever those
  limits allow (vllm/v1/core/sched/scheduler.py), so no steady closed loop of that many clients waits so.
  A flagged row is still predicted and counted in every figure; the report lists it with its errors, and
  gives the overall MAPE without the flagged rows as a secondary figure only. Five rows of the file are
  such (gpt-oss-120b on H100, vLLM 0.11.2, 512 clients: TTFT 20–300 s beside TPOT 3.6–9.7 ms, as fast as
  the same model's 4- to 8-client rows on TP2 and TP8).
- **Not modelled**: rows the mapping cannot express (counted above by reason), and rows the simulator
  refuses or fails on (reasons starting "simulator:"). Every row in the file ran, so a refusal is an error
  of the model, shown separately from the accuracy of the rows it predicts.

Metrics: MAPE is the mean of |predicted − measured| / measured over the modelled rows; the median signed
error is the median of (predicted − measured) / measured (negative: predictions low).`;

export function renderReport(results: readonly RowResult[], run: RunInfo, heldOut: HeldOutSummary): string {
  const overall = accuracyOf(results);
  const partitions = groupAccuracy(results, (r) => partitionKey(r.partition));
  const engines = groupAccuracy(results, (r) => r.partition.engine);
  const targets = targetsOf(overall, partitions);
  const bigPartitions = partitions.filter((p) => p.accuracy.modelled >= MIN_PARTITION_ROWS);
  return `# End-to-end accuracy against measured deployments

\`npm run bench:accuracy\` (bench/accuracy.ts): every row of \`silicon-calibration.csv\` (measured mean
TTFT and TPOT of closed-loop deployments of vLLM, SGLang and TensorRT-LLM on H100 to GB300; see
../shared/data/perf-db/README.md) predicted by ServeTune's simulator and compared.

Machine: ${run.machine}. Commit ${run.commit}, run ${run.date}, ${run.wallSeconds.toFixed(0)} s wall.
Input: \`${run.csv}\`${run.selection ? `; partial run: ${run.selection}` : ''}.

## Overall

| ${HEADER}
|---${RULE}
| all rows | ${accuracyCells(overall)} |

Targets (the project's accuracy targets; nothing was tuned to meet them: this measures the model as it stands):

| target | value | met |
|---|---|---|
${targets.map((t) => `| ${t.name} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`).join('\n')}

Rows not modelled, by reason:

${reasonsTable(overall.reasons)}

${flaggedSection(results)}

## By engine

${groupTable('engine', engines)}

${heldOutSection(heldOut, run.selection)}
## By partition (engine · GPU · model family · agg/disagg), largest first

${groupTable('partition', partitions)}

Partitions with at least ${MIN_PARTITION_ROWS} modelled rows: ${bigPartitions.length}.

## The worst 10 rows

By the larger of the two absolute errors.

${worstTable(worstRows(results, 10))}

${MAPPING}
`;
}
