// How a row's benchmark client ran (lengths, requests per client, warm-up), read off the row's source.
import { isAicEvalRun, isAicGenerated } from './aic-generated.js';
import type { SiliconRow } from './rows.js';

/**
 * Requests each simulated client sends by default: the first of each client's is the warm-up (left out
 * of the metrics), the other seven are measured. The first wave's simultaneous prefills are the transient
 * the warm-up removes; the last wave runs as clients stop, at falling concurrency, and weighs 1/7 of the
 * metrics. More waves cost run time in proportion (the longest rows: thousands of clients × 8192 output
 * tokens); `--waves` measures how much the results move with it.
 */
export const WAVES = 8;

/**
 * How a row's benchmark client ran. InferenceMAX (the rows from its database dumps and dated exports)
 * runs `benchmark_serving.py --dataset-name random --random-range-ratio 0.8 --num-prompts CONC×10
 * --max-concurrency CONC --request-rate inf --ignore-eos`: each prompt and output length drawn uniformly
 * from [0.8 × L, L], ten requests per client, and no warm-up left out, so the mean TTFT includes the
 * start-up wave whose prompts all arrive at once. AIConfigurator's gap-analysis rows (aic-generated.ts)
 * ran the benchmark its generator writes (AIC_PROTOCOL). A row that republishes an InferenceMAX run
 * (republished.ts) is mapped as that run. Rows of other sources do not say how their client ran; they
 * keep fixed lengths and the first wave as warm-up.
 */
export interface ClientProtocol {
  /** Lengths drawn uniformly from [lengthRatio × L, L]; 1: fixed at L. */
  lengthRatio: number;
  requestsPerClient: number;
  /** How many of each client's first requests are left out of the metrics. */
  warmUpPerClient: number;
  /**
   * Whether the warm-up is a phase of its own: the measured requests start only once every warm-up
   * request has finished, all clients at once (closed-loop.ts `warmUpPhase`).
   */
  warmUpPhase: boolean;
}

export const INFERENCEMAX_PROTOCOL: ClientProtocol = {
  lengthRatio: 0.8,
  requestsPerClient: 10,
  warmUpPerClient: 0,
  warmUpPhase: false,
};
export const FIXED_PROTOCOL: ClientProtocol = {
  lengthRatio: 1,
  requestsPerClient: WAVES,
  warmUpPerClient: 1,
  warmUpPhase: false,
};

/**
 * How both of AIConfigurator's benchmarks run (below): fixed lengths, `--warmup-request-count C×2` run as
 * a phase of its own, then `measuredPerClient` measured requests per client.
 */
function aicBenchmark(measuredPerClient: number): ClientProtocol {
  const warmUpPerClient = 2;
  return {
    lengthRatio: 1,
    requestsPerClient: warmUpPerClient + measuredPerClient,
    warmUpPerClient,
    warmUpPhase: true,
  };
}

/** Measured requests per client of AIConfigurator's benchmark (`--num-requests C×50`). */
const AIC_MEASURED_PER_CLIENT = 50;

/**
 * The benchmark AIConfigurator's generator writes (ai-dynamo/aiconfigurator src/aiconfigurator/generator/
 * config/backend_templates/benchmark/bench_run.sh.j2, 00fe6de3f2a3bb7a3ddeb9e5221cf07fcba0adab): `aiperf
 * profile --isl ISL --isl-stddev 0 --osl OSL --osl-stddev 0 --extra-inputs ignore_eos:true --concurrency
 * C --num-requests C×50 --warmup-request-count C×2 --streaming` (the stddevs are BenchConfig's defaults,
 * 0: config/deployment_config.yaml, 0586a33b48b864f61c5c110bfbc728b1e672d006). AIPerf runs the warm-up
 * as a phase of its own: the profiling phase starts once every warm-up request has come back, with all
 * C clients sending at once (closed-loop.ts `warmUpPhase` cites AIPerf's code), so the measured mean
 * holds one start-up wave in fifty. Fixed lengths, two warm-up requests per client, then fifty measured.
 */
export const AIC_PROTOCOL = aicBenchmark(AIC_MEASURED_PER_CLIENT);

/** Measured requests per client of AIConfigurator's evaluation pipeline (`--request-count C×10`). */
const AIC_EVAL_MEASURED_PER_CLIENT = 10;

/**
 * The benchmark of AIConfigurator's evaluation pipeline (`aiconfigurator eval`: ai-dynamo/aiconfigurator
 * src/aiconfigurator/eval/pipeline.py, 08e735f05ef902a44d4bb8d47fc848781c3fb39f, runs
 * eval/benchmarks/genai_perf_runner.py, 5e1618757742e5d185063dbcaa7de7325413f1db): `genai-perf profile
 * --synthetic-input-tokens-mean ISL --synthetic-input-tokens-stddev 0 --output-tokens-mean OSL
 * --output-tokens-stddev 0 --extra-inputs ignore_eos:true --concurrency C --request-count C×10
 * --warmup-request-count C×2 --num-dataset-entries C×12`. Its perf_analyzer runs the warm-up as a load
 * of its own and joins every worker before the measured load starts (triton-inference-server/perf_analyzer
 * src/load_manager.cc, 240901ebf326ec293a574a9d5ed19c81a96d520f, `WaitForWarmupAndCleanup`), so the
 * measured requests start with all C clients at once, and one start-up wave weighs one in ten. C×12
 * dataset entries give each request a prompt of its own: no prefix reuse. The rows it applies to:
 * aic-generated.ts `isAicEvalRun`.
 */
export const AIC_EVAL_PROTOCOL = aicBenchmark(AIC_EVAL_MEASURED_PER_CLIENT);

/** The client protocol of a row, by its source (and, for AIConfigurator's exports, its file's other rows). */
export function protocolOf(row: SiliconRow, fileRows: readonly SiliconRow[] = []): ClientProtocol {
  const source = row.silicon_data_source;
  const inferenceMax = source.startsWith('db-dump/') || /^source_file=\d{4}-\d{2}-\d{2}\.csv/.test(source);
  if (inferenceMax) return INFERENCEMAX_PROTOCOL;
  if (isAicEvalRun(row, fileRows)) return AIC_EVAL_PROTOCOL;
  return isAicGenerated(row) ? AIC_PROTOCOL : FIXED_PROTOCOL;
}

/** A length as the workload grammar draws it under a protocol. */
export function lengthDist(length: number, ratio: number): string {
  const low = Math.max(1, Math.floor(length * ratio));
  return low >= length ? `fixed(${length})` : `uniform(${low},${length})`;
}
