import { InvalidArgumentError, Option } from 'commander';
import type { EngineBehaviour } from '../engine/config/engines/engine-behaviour.js';
import { EngineId } from '../engine/config/engines/index.js';
import { engineSupportsKvDtype, kvDtypesOf } from '../engine/config/engines/kv-cache.js';
import { MAX_GPUS } from '../engine/memory/plans.js';
import { KvDtype, WeightDtype } from '../engine/model/dtypes.js';
import { describeMoeBackends, MOE_BACKENDS, type MoeBackend } from '../engine/perf/moe-backend.js';
import { SGLANG_FP8_Q_B_PROJ_ENV } from '../engine/perf/q-up-projection.js';
import {
  type EngineSpec,
  parseEngineSpec,
  type ServingEngine,
  servingEngineFor,
} from '../engine/perf/serving-engine.js';
import { type PriceOverrides, parsePriceOverrides, workspacePriceOverrides } from '../engine/search/cost.js';
import { MAX_SAMPLE_REQUESTS } from '../engine/search/simulation-evaluator.js';
import { MAX_THINK_SECONDS } from '../engine/sim/closed-loop.js';
import { findWorkspaceConfig } from '../engine/tune/inputs.js';
import { isServeTuneError, ServeTuneError } from '../engine/util/errors.js';
import { decimal, wholeNumber } from '../engine/util/numbers.js';
import { maxThreads } from '../engine/util/threads.js';
import { MAX_TOKENS_PER_REQUEST } from '../engine/workload/limits.js';
import { type SloTargetRules, sloTargetForm } from '../engine/workload/slo.js';
import {
  parseSlo,
  SLO_FORM_HELP,
  type SloDefinition,
  SloPercentile,
} from '../engine/workload/slo-verdict.js';
import { inputOption } from './file-options.js';

export function positiveInt(value: string): number {
  const n = wholeNumber(value);
  if (n === undefined || n < 1) {
    throw new InvalidArgumentError(`expected a positive integer, got '${value}'.`);
  }
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = wholeNumber(value);
  if (n === undefined) {
    throw new InvalidArgumentError(`expected a whole number (0 or more), got '${value}'.`);
  }
  return n;
}

/** A token count of one step (`step --prefill-tokens`, contexts): at most a request's longest length. */
export function stepTokens(value: string): number {
  const n = nonNegativeInt(value);
  if (n > MAX_TOKENS_PER_REQUEST) {
    throw new InvalidArgumentError(
      `expected at most ${MAX_TOKENS_PER_REQUEST.toLocaleString('en-US')} tokens, got '${value}'.`,
    );
  }
  return n;
}

export function gpuCount(value: string): number {
  const n = positiveInt(value);
  if (n > MAX_GPUS) {
    throw new InvalidArgumentError(
      `expected at most ${MAX_GPUS.toLocaleString('en-US')} GPUs, got '${value}'.`,
    );
  }
  return n;
}

/** `--gpus 8`, or a range `--gpus 4..64` (capacity planning). */
export function gpuCountOrRange(value: string): number | { min: number; max: number } {
  const range = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(value);
  if (!range) return gpuCount(value);
  const min = gpuCount(range[1]);
  const max = gpuCount(range[2]);
  if (min > max) throw new InvalidArgumentError(`expected min..max with min ≤ max, got '${value}'.`);
  return { min, max };
}

/** `--hardware h100-sxm` or a list `h100-sxm,h200,b200`. */
export function hardwareList(value: string): string[] {
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.length === 0)
    throw new InvalidArgumentError(`expected a GPU id or a comma-separated list, got '${value}'.`);
  return [...new Set(ids)];
}

/** Requests each configuration is simulated on: no more than one simulation of the search may run. */
export function sampleCount(value: string): number {
  const n = positiveInt(value);
  if (n > MAX_SAMPLE_REQUESTS) {
    throw new InvalidArgumentError(
      `expected at most ${MAX_SAMPLE_REQUESTS.toLocaleString('en-US')} requests, got '${value}'.`,
    );
  }
  return n;
}

/** Worker threads: 0 (none) up to one per core of this machine; more only costs memory. */
export function threadCount(value: string): number {
  const n = nonNegativeInt(value);
  const most = maxThreads();
  if (n > most) {
    throw new InvalidArgumentError(
      `expected 0 to ${most} (this machine's cores, os.availableParallelism()), got '${value}'.`,
    );
  }
  return n;
}

export function positiveNumber(value: string): number {
  const n = decimal(value);
  if (n === undefined || n <= 0) {
    throw new InvalidArgumentError(`expected a positive number, got '${value}'.`);
  }
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = decimal(value);
  if (n === undefined || n < 0) {
    throw new InvalidArgumentError(`expected a number (0 or more), got '${value}'.`);
  }
  // -0 reads as 0.
  return n + 0;
}

/** A whole number, negative ones included (a seed), within what a double holds exactly. */
export function integer(value: string): number {
  const n = decimal(value);
  if (n === undefined || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected an integer, got '${value}'.`);
  }
  return n + 0;
}

export function fraction(value: string): number {
  const n = decimal(value);
  if (n === undefined || n <= 0 || n > 1) {
    throw new InvalidArgumentError(`expected a number in (0, 1], got '${value}'.`);
  }
  return n;
}

/**
 * `--slo` as a command takes it: the one grammar (engine/workload/slo.ts) with the targets `rules`
 * allows; a malformed value is refused as any malformed option is, naming the flag.
 */
export function sloOption(rules: SloTargetRules, purpose: string) {
  return new Option(
    '--slo <targets>',
    `${purpose}: ${sloTargetForm(rules)} in seconds (or ms), e.g. ${rules.example}; ${SLO_FORM_HELP}`,
  ).argParser((text) => {
    try {
      return parseSlo(text, rules);
    } catch (error) {
      if (isServeTuneError(error)) throw new InvalidArgumentError(error.message);
      throw error;
    }
  });
}

/**
 * `--weight-dtype`. With `fromModel`, leaving it out means the model's published format (its
 * checkpoint's quantization, else bf16), resolved once the model is known; otherwise bf16.
 */
export const weightDtypeOption = (fromModel = false) =>
  fromModel
    ? new Option(
        '--weight-dtype <dtype>',
        "weight format (default: the model checkpoint's, e.g. fp8 for DeepSeek-V3; else bf16)",
      ).choices(WeightDtype.options)
    : new Option('--weight-dtype <dtype>', 'weight format').choices(WeightDtype.options).default('bf16');
export const kvDtypeOption = () =>
  new Option(
    '--kv-dtype <dtype>',
    'KV cache format: fp8; fp4 (4-bit, a scale per 16 values: SGLang fp4_e2m1, TensorRT-LLM nvfp4); int8 (memory what-if: no supported engine stores it)',
  )
    .choices(KvDtype.options)
    .default('bf16');

/** The engine memory knobs shared by `memory` and `plans`, with vLLM's flag names. */
export const memorySettingOptions = () => [
  new Option('--gpu-memory-utilization <fraction>', 'share of GPU memory the engine may use')
    .argParser(fraction)
    .default(0.9),
  new Option('--block-size <tokens>', 'KV cache block size').argParser(positiveInt).default(16),
  new Option('--max-num-batched-tokens <tokens>', 'tokens in the largest step')
    .argParser(positiveInt)
    .default(8192),
  new Option('--max-num-seqs <n>', 'sequences in the largest step').argParser(positiveInt).default(256),
  new Option(
    '--max-model-len <tokens>',
    "context length to count concurrent sequences at (default: the model's)",
  ).argParser(positiveInt),
];

export interface MemorySettingFlags {
  gpuMemoryUtilization: number;
  blockSize: number;
  maxNumBatchedTokens: number;
  maxNumSeqs: number;
  maxModelLen?: number;
}

export function memorySettingsFrom(flags: MemorySettingFlags) {
  return {
    gpuMemoryUtilization: flags.gpuMemoryUtilization,
    blockSize: flags.blockSize,
    maxNumBatchedTokens: flags.maxNumBatchedTokens,
    maxNumSeqs: flags.maxNumSeqs,
    contextLength: flags.maxModelLen,
  };
}

/** How `search` and `tune` simulate each configuration: the same options, with the same defaults. */
export const searchRunOptions = () => [
  new Option(
    '--slo-percentile <p>',
    "judge the SLO's alternative form: this percentile of each metric over all requests (as percentile=<p> in --slo)",
  ).choices(SloPercentile.options),
  new Option('--sample-requests <n>', 'requests of the workload each configuration is simulated on')
    .argParser(sampleCount)
    .default(1000),
  new Option('--threads <n>', 'worker threads (default: one per core; 0: none)').argParser(threadCount),
  inputOption('--profile <profile.json>', 'calibrate the step-time model with a measured device profile'),
  new Option('--seed <n>', 'seed for generated workloads').argParser(integer).default(0),
  perfDbOption(),
];

/** `--perf-db <dir>` as step, simulate, search and tune take it. */
export const perfDbOption = () =>
  new Option(
    '--perf-db <dir>',
    "measured op tables in aiconfigurator's layout (data/<system>/<op>/<engine>/<version>/*.parquet): for the GPU it covers, each op it measured replaces the shipped table",
  );

/**
 * Closed loop (`simulate`, `bench`, `search`): keep n requests in flight, the next sent as one finishes,
 * as `vllm bench serve --max-concurrency n --request-rate inf` does. `conflicts`: the options it replaces.
 * `predicted`: the command predicts latencies (and takes --engine, whose front end they then include);
 * `bench` measures a real endpoint, whose front end is in what it measures, and has no --engine.
 */
export const concurrencyOption = (conflicts: string[], { predicted }: { predicted: boolean }) =>
  new Option(
    '--concurrency <n>',
    `closed loop: keep n requests in flight, the next sent as one finishes (the workload's arrival times are ignored)${
      predicted ? "; with --engine, latencies include that engine's front end (API server, tokenization)" : ''
    }`,
  )
    .argParser(positiveInt)
    .conflicts(conflicts);

export const thinkTimeOption = () =>
  new Option(
    '--think-time <s>',
    `closed loop: seconds between a request finishing and its client sending the next, at most ${MAX_THINK_SECONDS} (default 0)`,
  ).argParser((value) => {
    const seconds = nonNegativeNumber(value);
    if (seconds > MAX_THINK_SECONDS)
      throw new InvalidArgumentError(
        `expected at most ${MAX_THINK_SECONDS} seconds (a day), got '${value}'.`,
      );
    return seconds;
  });

export const warmUpOption = () =>
  new Option(
    '--warm-up-requests <k>',
    'leave the first k completions, and the time until the last of them, out of the metrics (default 0)',
  ).argParser(nonNegativeInt);

export const warmUpPhaseOption = () =>
  new Option(
    '--warm-up-phase',
    'closed loop: run the --warm-up-requests as a phase of their own, the measured requests sent once every warm-up request has finished, all clients at once (as AIPerf runs its warm-up)',
  );

/** `--warm-up-phase` needs a closed loop and a warm-up to run as a phase. */
export function checkWarmUpPhase(flags: {
  concurrency?: number;
  warmUpRequests?: number;
  warmUpPhase?: boolean;
}): void {
  if (flags.warmUpPhase && (flags.concurrency === undefined || !flags.warmUpRequests)) {
    throw new ServeTuneError(
      '--warm-up-phase runs the warm-up of a closed loop as a phase: give --concurrency and --warm-up-requests too',
      'invalid-argument',
      '--warm-up-phase',
    );
  }
}

/** `--think-time` is a closed loop's: refused without `--concurrency`. */
export function checkThinkTime(flags: { concurrency?: number; thinkTime?: number }): void {
  if (flags.thinkTime !== undefined && flags.concurrency === undefined) {
    throw new ServeTuneError(
      '--think-time applies to a closed loop: give --concurrency too',
      'invalid-argument',
      '--think-time',
    );
  }
}

/**
 * `--engine name[@version]` (parsed by parseEngineSpec, the one parser), `--disable-custom-all-reduce`
 * and `--enforce-eager`: the engine whose measured op tables, all-reduce, CUDA graphs and overhead
 * time the steps.
 */
export const engineOptions = (purpose: string, defaultEngine?: string) => {
  const engine = new Option(
    '--engine <name[@version]>',
    `${purpose}: ${EngineId.options.join('|')}, optionally @version (the nearest measured version is used and named)`,
  ).argParser((text: string) => {
    try {
      return parseEngineSpec(text, EngineId.options);
    } catch (error) {
      throw isServeTuneError(error) ? new InvalidArgumentError(error.message) : error;
    }
  });
  return [
    defaultEngine === undefined ? engine : engine.default({ id: defaultEngine }, defaultEngine),
    new Option('--disable-custom-all-reduce', "time all-reduces with NCCL's, not the engine's custom kernel"),
    new Option('--enforce-eager', 'no CUDA graphs: every kernel launched from the host each step'),
  ];
};

/**
 * `--moe-backend`: the kernel the routed experts run on, as the launch selects it (perf/moe-backend.ts),
 * for step, simulate, search and tune (search writes it into the engine settings it emits). `--marlin-moe`
 * is `--moe-backend marlin`.
 */
export const moeBackendOptions = () => [
  new Option(
    '--moe-backend <kernel>',
    `the MoE kernel the engine's launch selected (default: the engine's own for the GPU). ${describeMoeBackends()}`,
  ).choices(MOE_BACKENDS),
  new Option('--marlin-moe', 'the same as --moe-backend marlin (vLLM with VLLM_MXFP4_USE_MARLIN=1)'),
];

/**
 * `--disable-deep-gemm`: SGLang launched with `SGLANG_ENABLE_JIT_DEEPGEMM=0`, for step and simulate (not
 * among engineOptions: search and tune do not carry it).
 */
export const deepGemmOption = () =>
  new Option(
    '--disable-deep-gemm',
    "SGLang with SGLANG_ENABLE_JIT_DEEPGEMM=0: block-scaled fp8 linear layers (DeepSeek-V3, Qwen FP8 checkpoints) run FlashInfer's groupwise GEMM, timed from the per-tensor fp8 table, not DeepGEMM's",
  );

/**
 * `--nvfp4-dispatch`: SGLang launched with `SGLANG_MOE_NVFP4_DISPATCH=1`, for step, simulate, search (and
 * its capacity plans) and tune (not among engineOptions: the other engines refuse it).
 */
export const nvfp4DispatchOption = () =>
  new Option(
    '--nvfp4-dispatch',
    "SGLang with SGLANG_MOE_NVFP4_DISPATCH=1: on an nvfp4 checkpoint DeepEP dispatches the routed experts' input in NVFP4 (0.5625 bytes a value) instead of BF16",
  );

/**
 * `--fp8-q-b-proj`: SGLang launched with `SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1` (ServingEngine.fp8QBProj),
 * for step, simulate, search (and its capacity plans) and tune (not among engineOptions: the other engines
 * refuse it).
 */
export const fp8QBProjOption = () =>
  new Option(
    '--fp8-q-b-proj',
    `SGLang with ${SGLANG_FP8_Q_B_PROJ_ENV}=1: on NVIDIA's NVFP4 DeepSeek checkpoints (16-bit MLA projections) q_b_proj runs as block-scaled fp8 instead of BF16`,
  );

/**
 * `--decode-only-cuda-graphs`: vLLM launched with `cudagraph_mode: FULL_DECODE_ONLY`, for step and
 * simulate (ServingEngine.decodeOnlyCudaGraphs).
 */
export const decodeOnlyCudaGraphsOption = () =>
  new Option(
    '--decode-only-cuda-graphs',
    'vLLM with compilation-config cudagraph_mode FULL_DECODE_ONLY: CUDA graphs replay decode-only steps alone, so a step holding a prompt launches its kernels from the host (as --enforce-eager prices them)',
  );

/**
 * `--max-cudagraph-capture-size`: vLLM's largest CUDA-graph step as the launch sets it, for step and
 * simulate (ServingEngine.cudaGraphMaxTokens; perf/cuda-graph-capture.ts has vLLM's default).
 */
export const maxCudaGraphCaptureSizeOption = () =>
  new Option(
    '--max-cudagraph-capture-size <tokens>',
    "vLLM's --max-cudagraph-capture-size: a step of more tokens runs without CUDA graphs, paying its launches as --enforce-eager prices them (default: vLLM's, min(2 x max-num-seqs x (1 + speculative tokens), 512), at most max-num-batched-tokens)",
  ).argParser(positiveInt);

/**
 * `--disable-overlap-scheduling`: the engine schedules step by step (TensorRT-LLM
 * `disable_overlap_scheduler: true`, SGLang `--disable-overlap-schedule`, vLLM `--no-async-scheduling`),
 * for simulate (perf/overlap-scheduling.ts has each engine's default).
 */
export const overlapSchedulingOption = () =>
  new Option(
    '--disable-overlap-scheduling',
    'schedule step by step: TensorRT-LLM, SGLang and vLLM >= 0.14 by default schedule the next step while one runs, so a request arriving mid-step joins a step later',
  );

/** `--moe-backend` and `--marlin-moe` as commander gives them. */
export interface MoeBackendFlags {
  moeBackend?: MoeBackend;
  marlinMoe?: boolean;
}

/**
 * The engine flags as commander gives them: the behaviours a config file can set too (`overlapScheduling`
 * only from one, `simulate --config`; --disable-overlap-scheduling wins over it), and the CLI's own.
 */
export interface EngineFlags extends EngineBehaviour {
  engine?: EngineSpec;
  marlinMoe?: boolean;
  disableDeepGemm?: boolean;
  decodeOnlyCudaGraphs?: boolean;
  maxCudagraphCaptureSize?: number;
  disableOverlapScheduling?: boolean;
}

/** The first engine flag given, for the error that names it. */
function engineFlagGiven(flags: EngineFlags): string {
  if (flags.enforceEager) return '--enforce-eager';
  if (moeBackendOf(flags)) return '--moe-backend';
  if (flags.disableDeepGemm) return '--disable-deep-gemm';
  if (flags.nvfp4Dispatch) return '--nvfp4-dispatch';
  if (flags.fp8QBProj) return '--fp8-q-b-proj';
  if (flags.decodeOnlyCudaGraphs) return '--decode-only-cuda-graphs';
  if (flags.maxCudagraphCaptureSize !== undefined) return '--max-cudagraph-capture-size';
  if (flags.disableOverlapScheduling) return '--disable-overlap-scheduling';
  return '--disable-custom-all-reduce';
}

/**
 * Refuses a --kv-dtype the --engine has no KV-cache flag for (vLLM and fp4, any engine and int8): the
 * run would predict a cache the engine cannot hold. Without --engine every format stays a what-if.
 */
export function refuseKvDtypeEngineCannotStore(engine: EngineSpec | undefined, kv: KvDtype): void {
  if (!engine) return;
  const id = EngineId.parse(engine.id);
  if (engineSupportsKvDtype(id, kv)) return;
  throw new ServeTuneError(
    `--kv-dtype ${kv}: ${id} cannot store the KV cache as ${kv}; it takes ${kvDtypesOf(id).join(', ')}`,
    'invalid-argument',
    '--kv-dtype',
  );
}

/** The serving engine the flags name, for the step model; undefined without --engine (roofline). */
export function servingEngineFromFlags(flags: EngineFlags): ServingEngine | undefined {
  const moeBackend = moeBackendOf(flags);
  if (!flags.engine) {
    if (
      flags.disableCustomAllReduce ||
      flags.enforceEager ||
      moeBackend ||
      flags.disableDeepGemm ||
      flags.nvfp4Dispatch ||
      flags.fp8QBProj ||
      flags.decodeOnlyCudaGraphs ||
      flags.maxCudagraphCaptureSize !== undefined ||
      flags.disableOverlapScheduling
    ) {
      throw new ServeTuneError(
        '--disable-custom-all-reduce, --enforce-eager, --moe-backend (--marlin-moe), --nvfp4-dispatch, --fp8-q-b-proj, --decode-only-cuda-graphs, --max-cudagraph-capture-size, --disable-deep-gemm and --disable-overlap-scheduling describe an engine: give --engine too',
        'invalid-argument',
        engineFlagGiven(flags),
      );
    }
    return undefined;
  }
  return servingEngineFor(flags.engine, {
    ...flags,
    ...(moeBackend ? { moeBackend } : {}),
    ...(flags.maxCudagraphCaptureSize !== undefined
      ? { maxCudaGraphCaptureSize: flags.maxCudagraphCaptureSize }
      : {}),
  });
}

/** --moe-backend, or marlin for --marlin-moe; both, naming different kernels, is an error. */
export function moeBackendOf(flags: MoeBackendFlags): MoeBackend | undefined {
  if (flags.marlinMoe && flags.moeBackend !== undefined && flags.moeBackend !== 'marlin') {
    throw new ServeTuneError(
      `--marlin-moe is --moe-backend marlin, not ${flags.moeBackend}: give one of them`,
      'invalid-argument',
      '--marlin-moe',
    );
  }
  return flags.marlinMoe ? 'marlin' : flags.moeBackend;
}

/** `--slo` with `--slo-percentile` applied: given, it selects the percentile form at that percentile. */
export function sloWithPercentile<T extends SloDefinition>(slo: T, percentile: SloPercentile | undefined): T {
  return percentile === undefined ? slo : { ...slo, form: 'percentile', percentile };
}

/** `--price h100-sxm=2.5[,h200=3.6]`: US dollars per GPU-hour, over the catalog's public list prices. */
export function priceOption() {
  return new Option(
    '--price <gpu=usd,...>',
    'US dollars per GPU-hour, e.g. h100-sxm=2.5,h200=3.6 (default: the catalog\'s on-demand list prices, shown by servetune hardware; servetune.json "prices" also sets them)',
  ).argParser((text) => {
    try {
      return parsePriceOverrides(text);
    } catch (error) {
      if (isServeTuneError(error)) throw new InvalidArgumentError(error.message);
      throw error;
    }
  });
}

/**
 * The GPU prices a run uses: the servetune.json's at or above `dir`, `--price` over them, and where they
 * were given, for results to name ("given in --price", "given in /work/servetune.json").
 */
export function givenPrices(
  flag: PriceOverrides | undefined,
  dir: string,
): { prices: PriceOverrides; pricesGivenIn: string } {
  const found = findWorkspaceConfig(dir);
  const fromFile = found?.config.prices ? workspacePriceOverrides(found.config.prices, found.path) : {};
  const prices = { ...fromFile, ...flag };
  const byFlag = Object.keys(flag ?? {}).length > 0;
  const byFile = Object.keys(fromFile).some((id) => flag?.[id] === undefined);
  const pricesGivenIn = byFile && found ? (byFlag ? `--price or ${found.path}` : found.path) : '--price';
  return { prices, pricesGivenIn };
}
