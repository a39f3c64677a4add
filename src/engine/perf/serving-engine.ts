import { z } from 'zod';
import type { HardwareSpec } from '../hardware/spec.js';
import { ENGINE_BACKENDS, type EngineBackend, isEngineBackend } from '../opdb/systems.js';
import { versionPosition } from '../opdb/version.js';
import { ServeTuneError } from '../util/errors.js';
import { engineHasMoeBackend, enginesWithMoeBackend, MoeBackend } from './moe-backend.js';
import { overlapScheduling } from './overlap-scheduling.js';
import { SGLANG_FP8_Q_B_PROJ_ENV } from './q-up-projection.js';

/**
 * The serving engine a prediction is for: which measured op tables time its kernels, whether its
 * all-reduce is its own custom kernel or NCCL's, whether its steps replay CUDA graphs, and its per-step
 * framework overhead (ENGINE_OVERHEADS). Absent: roofline × the device class's default efficiencies.
 */
export const ServingEngine = z.object({
  id: z.enum(ENGINE_BACKENDS),
  /** The version wanted; the nearest measured one is used and named. Default: the newest measured. */
  version: z.string().min(1).optional(),
  /** False: `--disable-custom-all-reduce`, NCCL's all-reduce. */
  customAllReduce: z.boolean().default(true),
  /** False: `--enforce-eager`, every kernel launched from Python each step. */
  cudaGraphs: z.boolean().default(true),
  /**
   * True: vLLM's `compilation-config` `cudagraph_mode: FULL_DECODE_ONLY`, CUDA graphs replayed for
   * decode-only steps alone, so a step holding a prompt chunk runs without them (vllm-project/vllm
   * docs/design/cuda_graphs.md @0045689bdb239a1c53951f3847b9475098f36ef7: "`FULL_DECODE_ONLY` — full
   * CUDA Graph for uniform decode, no cudagraph for prefill/mixed etc."). Absent: the default
   * `FULL_AND_PIECEWISE`, whose piecewise graphs take mixed steps too.
   */
  decodeOnlyCudaGraphs: z.boolean().optional(),
  /**
   * vLLM: the largest step, in tokens, its CUDA graphs were captured for (`--max-cudagraph-capture-size`,
   * as the launch sets it or as the simulator resolves vLLM's default from the scheduler:
   * perf/cuda-graph-capture.ts); a step of more tokens runs eagerly. Absent: vLLM's default ceiling, 512.
   */
  cudaGraphMaxTokens: z.number().int().positive().optional(),
  /**
   * The kernel the routed experts run on, as the launch selected it (TensorRT-LLM `moe_config.backend`,
   * vLLM's MoE environment variables; perf/moe-backend.ts); absent: the engine's default for the GPU.
   */
  moeBackend: MoeBackend.optional(),
  /**
   * False: SGLang with DeepGEMM off (`SGLANG_ENABLE_JIT_DEEPGEMM=0`), so that its block-scaled fp8 linear
   * layers run another kernel (FlashInfer's groupwise GEMM on Blackwell) than the DeepGEMM one its
   * `fp8_block` table measured. Absent: the engine's default (engineKernelsOf).
   */
  deepGemm: z.boolean().optional(),
  /**
   * True: SGLang with `SGLANG_MOE_NVFP4_DISPATCH=1`, so that on an nvfp4 checkpoint DeepEP dispatches the
   * routed experts' input in NVFP4 (half a byte a value and an fp8 scale a 16) instead of BF16
   * (perf/deepep.ts NVFP4_DISPATCH_BYTES_PER_VALUE has the source). Absent: SGLang's default, off.
   */
  nvfp4Dispatch: z.boolean().optional(),
  /**
   * True: SGLang with `SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1`, so that on NVIDIA's NVFP4 DeepSeek
   * checkpoints (whose MLA projections are 16-bit) q_b_proj alone loads as block-scaled fp8 (128 × 128
   * blocks, DeepSeek-V3's own format) instead of BF16: sgl-project/sglang
   * python/sglang/srt/models/deepseek_v2.py @3e4a39e, `DeepseekV2AttentionMLA._get_q_b_proj_quant_config`
   * returns `Fp8Config(is_checkpoint_fp8_serialized=True, weight_block_size=[128, 128])` when the variable
   * is set, and only q_b_proj is built with it (SGLang's environment-variable docs: "quantize q_b_proj from
   * BF16 to FP8 when launching DeepSeek NVFP4 checkpoint"). Absent: SGLang's default, off.
   */
  fp8QBProj: z.boolean().optional(),
  /**
   * The engine's overlap (asynchronous) scheduler: true or false as its flag sets it (TensorRT-LLM
   * `disable_overlap_scheduler`, SGLang `--disable-overlap-schedule`, vLLM `--[no-]async-scheduling`);
   * absent: the engine and version's default (perf/overlap-scheduling.ts).
   */
  overlapScheduling: z.boolean().optional(),
});
export type ServingEngine = z.output<typeof ServingEngine>;
export type ServingEngineInput = z.input<typeof ServingEngine>;

/** An engine as a user names it: `vllm`, `sglang@0.5`, `trtllm@1.2.0rc5`. */
export interface EngineSpec {
  id: string;
  version?: string;
}

/**
 * The one parser of `name[@version]` for every command and the editor: `name` must be one of `known`
 * (aliases as users write them, tensorrt-llm and trt-llm, are accepted); the version is free text, the
 * nearest measured one is used.
 */
export function parseEngineSpec(text: string, known: readonly string[], where = '--engine'): EngineSpec {
  const [rawName, version, extra] = text.trim().split('@');
  const normalized = rawName.toLowerCase().replace(/[-_ ]/g, '');
  const id = ENGINE_ALIASES[normalized] ?? known.find((k) => k.replace(/[-_ ]/g, '') === normalized);
  if (id === undefined || !known.includes(id) || extra !== undefined || version === '') {
    throw new ServeTuneError(
      `${where}: '${text}' is not an engine; use ${known.join('|')}[@version], e.g. vllm@0.19`,
      'invalid-argument',
      where,
    );
  }
  // A version that is not a number (`vllm@lastest`) would silently become the newest measured one.
  if (version !== undefined && Number.isNaN(versionPosition(version))) {
    throw new ServeTuneError(
      `${where}: '${version}' is not a version of ${id}; give one like ${id}@0.19 (or leave @version out for the newest measured)`,
      'invalid-argument',
      where,
    );
  }
  return version === undefined ? { id } : { id, version };
}

const ENGINE_ALIASES: Readonly<Record<string, string>> = {
  tensorrtllm: 'trtllm',
  trtllm: 'trtllm',
};

/**
 * The engine whose measured tables and overheads time the steps, for an engine a user chose; undefined
 * for an engine the database did not measure (its steps: roofline × default efficiencies).
 */
export function servingEngineFor(
  spec: EngineSpec,
  flags: {
    disableCustomAllReduce?: boolean;
    enforceEager?: boolean;
    moeBackend?: MoeBackend;
    disableDeepGemm?: boolean;
    nvfp4Dispatch?: boolean;
    /** SGLang `SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1` (ServingEngine.fp8QBProj). */
    fp8QBProj?: boolean;
    /** vLLM `cudagraph_mode: FULL_DECODE_ONLY` (ServingEngine.decodeOnlyCudaGraphs). */
    decodeOnlyCudaGraphs?: boolean;
    /** vLLM `--max-cudagraph-capture-size` (ServingEngine.cudaGraphMaxTokens). */
    maxCudaGraphCaptureSize?: number;
    disableOverlapScheduling?: boolean;
    /** The overlap scheduler as a config file sets it (`disableOverlapScheduling` wins). */
    overlapScheduling?: boolean;
  } = {},
): ServingEngine | undefined {
  const moeBackend = flags.moeBackend;
  // An engine without a step model (TGI) selects none of these kernels: naming one is a mistake to report,
  // not a setting to drop.
  if (moeBackend !== undefined && !(isEngineBackend(spec.id) && engineHasMoeBackend(spec.id, moeBackend))) {
    throw new ServeTuneError(
      `--moe-backend ${moeBackend}: ${spec.id} has no such MoE backend (${moeBackend} is ${enginesWithMoeBackend(moeBackend).join(' and ')}'s)`,
      'invalid-argument',
      '--moe-backend',
    );
  }
  if (!isEngineBackend(spec.id)) return undefined;
  if (flags.nvfp4Dispatch && spec.id !== 'sglang') {
    throw new ServeTuneError(
      `--nvfp4-dispatch: SGLANG_MOE_NVFP4_DISPATCH is SGLang's; ${spec.id} has no such setting`,
      'invalid-argument',
      '--nvfp4-dispatch',
    );
  }
  if (flags.fp8QBProj && spec.id !== 'sglang') {
    throw new ServeTuneError(
      `--fp8-q-b-proj: ${SGLANG_FP8_Q_B_PROJ_ENV} is SGLang's; ${spec.id} has no such setting`,
      'invalid-argument',
      '--fp8-q-b-proj',
    );
  }
  if (flags.decodeOnlyCudaGraphs && spec.id !== 'vllm') {
    throw new ServeTuneError(
      `--decode-only-cuda-graphs: cudagraph_mode FULL_DECODE_ONLY is vLLM's; ${spec.id} has no such setting`,
      'invalid-argument',
      '--decode-only-cuda-graphs',
    );
  }
  if (flags.maxCudaGraphCaptureSize !== undefined && spec.id !== 'vllm') {
    throw new ServeTuneError(
      `--max-cudagraph-capture-size: a vLLM setting; ${spec.id} sizes its CUDA graphs otherwise`,
      'invalid-argument',
      '--max-cudagraph-capture-size',
    );
  }
  return {
    id: spec.id,
    ...(spec.version !== undefined ? { version: spec.version } : {}),
    ...(flags.maxCudaGraphCaptureSize !== undefined
      ? { cudaGraphMaxTokens: flags.maxCudaGraphCaptureSize }
      : {}),
    customAllReduce: !flags.disableCustomAllReduce,
    cudaGraphs: !flags.enforceEager,
    ...(flags.decodeOnlyCudaGraphs && !flags.enforceEager ? { decodeOnlyCudaGraphs: true } : {}),
    ...(moeBackend ? { moeBackend } : {}),
    ...(flags.disableDeepGemm ? { deepGemm: false } : {}),
    ...(flags.nvfp4Dispatch ? { nvfp4Dispatch: true } : {}),
    ...(flags.fp8QBProj ? { fp8QBProj: true } : {}),
    ...(flags.disableOverlapScheduling
      ? { overlapScheduling: false }
      : flags.overlapScheduling !== undefined
        ? { overlapScheduling: flags.overlapScheduling }
        : {}),
  };
}

/** What the engine runs away from its defaults, in words: `NCCL all-reduce`, `eager`, … */
export function servingEngineBehaviour(engine: ServingEngineInput): string[] {
  return [
    engine.customAllReduce === false ? 'NCCL all-reduce' : undefined,
    engine.cudaGraphs === false ? 'eager' : undefined,
    engine.decodeOnlyCudaGraphs && engine.cudaGraphs !== false ? 'CUDA graphs for decode only' : undefined,
    engine.cudaGraphMaxTokens !== undefined && engine.cudaGraphs !== false
      ? `CUDA graphs up to ${engine.cudaGraphMaxTokens} tokens`
      : undefined,
    engine.moeBackend ? `MoE ${engine.moeBackend}` : undefined,
    engine.deepGemm === false ? 'no DeepGEMM' : undefined,
    engine.nvfp4Dispatch ? 'nvfp4 dispatch' : undefined,
    engine.fp8QBProj ? 'fp8 q_b_proj' : undefined,
    overlapAwayFromDefault(engine) === false ? 'no overlap scheduling' : undefined,
    overlapAwayFromDefault(engine) === true ? 'overlap scheduling' : undefined,
  ].filter((f) => f !== undefined);
}

/**
 * The overlap scheduler as the engine sets it, where that is not its version's default (vLLM before 0.14
 * runs without it, every other engine and version with it); undefined where it is the default or unset.
 */
export function overlapAwayFromDefault(engine: ServingEngineInput): boolean | undefined {
  if (engine.overlapScheduling === undefined) return undefined;
  const asDefault = ServingEngine.parse({
    id: engine.id,
    ...(engine.version ? { version: engine.version } : {}),
  });
  return engine.overlapScheduling === overlapScheduling(asDefault, 1) ? undefined : engine.overlapScheduling;
}

/** `vllm@0.19` as a user would write it. */
export function describeServingEngine(engine: ServingEngineInput): string {
  const flags = servingEngineBehaviour(engine);
  const name = engine.version ? `${engine.id}@${engine.version}` : engine.id;
  return flags.length > 0 ? `${name} (${flags.join(', ')})` : name;
}

/**
 * Per-step time outside the GPU kernels (scheduling, input preparation, sampling, detokenization) as
 * `stepSeconds + perSequenceSeconds × sequences + perTokenSeconds × tokens`, per engine. Fitted to the
 * measured deployments of silicon-calibration.csv (docs/architecture/engine-overheads.md states the fit).
 */
export interface EngineOverhead {
  stepSeconds: number;
  perSequenceSeconds: number;
  perTokenSeconds: number;
}

export const ENGINE_OVERHEADS: Readonly<Record<EngineBackend, EngineOverhead>> = {
  // scripts/fit-engine-overhead.ts on bench:accuracy runs of this model (586, 459 and 909 rows; refitted
  // until the fit gave back the values it ran with, docs/architecture/engine-overheads.md).
  vllm: { stepSeconds: 0.32e-3, perSequenceSeconds: 0, perTokenSeconds: 0 },
  sglang: { stepSeconds: 0.74e-3, perSequenceSeconds: 18.5e-6, perTokenSeconds: 0 },
  trtllm: { stepSeconds: 0.67e-3, perSequenceSeconds: 10.75e-6, perTokenSeconds: 0 },
};

/**
 * Seconds between a benchmark client's send and the engine's scheduler, and the first token's way back:
 * HTTP, the OpenAI-compatible API server, tokenization, the hand-over to the engine process. Counted in
 * each request's TTFT and E2E in closed-loop replay. Fitted per engine to the low-concurrency TTFT of
 * silicon-calibration.csv (docs/architecture/engine-overheads.md states the fit).
 */
export const ENGINE_FRONTEND_SECONDS: Readonly<Record<EngineBackend, number>> = {
  // scripts/fit-frontend-latency.ts on the rows of at most 8 clients of the same bench:accuracy runs
  // (209 vLLM, 128 SGLang, 177 TensorRT-LLM rows).
  vllm: 14e-3,
  sglang: 142e-3,
  trtllm: 41e-3,
};

/**
 * How an engine's kernels differ from the op-by-op view of model/cost.ts: ops it runs inside a
 * neighbouring kernel (their time is inside that kernel's measured time), and which measured kernel
 * times a block-scaled fp8 checkpoint.
 */
export interface EngineKernels {
  /** Ops of model/cost.ts run inside another kernel, each with that kernel's name. */
  fusedOps: Readonly<Record<string, string>>;
  /**
   * Under TP, the all-reduce kernel also adds the residual and applies the RMSNorm that follows it
   * (post_attention_norm after attention's, the next layer's input_norm after the FFN's).
   */
  normsInAllReduce: boolean;
  /**
   * GEMM tables (measured on a lone Linear fed 16-bit input) whose time includes quantizing that input,
   * which the engine instead does in the kernel producing it (norm, all-reduce, attention, activation).
   */
  quantizedInputs: readonly string[];
  /**
   * Of quantizedInputs, the GEMM tables whose lone Linear had no static input scale, so that their time
   * includes a dynamic per-tensor quantization (an amax reduction over the input, then the scaling), where
   * a checkpoint's static input scale leaves the engine only the scaling, itself fused into the producer.
   */
  dynamicallyQuantizedTables: readonly string[];
  /**
   * Whether a block-scaled fp8 checkpoint's (128 × 128 blocks: DeepSeek-V3, Qwen3-FP8) linear layers read
   * the tables' `fp8_block` GEMM; false: the per-tensor fp8 one. vLLM's `fp8_block` GEMM tables hold a
   * floor far above its per-tensor kernel at few rows (B200 7168 × 7168: 170–270 µs against 16–30 µs; H200
   * 60–86 µs against 19–30 µs, up to 256 rows: host time of the measuring loop, not the kernel), so the
   * per-tensor table stands in for its kernel. SGLang's `fp8_block` tables time what SGLang runs by
   * default, DeepGEMM's gemm_nt_f8f8bf16 after the per-token-group input quantization (aiconfigurator
   * collector/sglang/collect_gemm.py @2ec2c274, run in a CUDA graph), 3–14 µs above per-tensor at few
   * rows; with DeepGEMM off (ServingEngine.deepGemm false) SGLang runs FlashInfer's groupwise kernel,
   * which no table measured, and the per-tensor table stands in. The routed experts read the
   * block-scaled MoE table in every engine (measured-layer.ts): those tables scale as kernels do.
   */
  blockScaledFp8: boolean;
  /**
   * GEMM table formats whose routed experts the engine runs, on datacenter Blackwell, as grouped GEMMs
   * of the kernel its dense GEMM table measured (rather than a fused MoE kernel another engine measured).
   */
  denseKernelMoeOnBlackwell: readonly string[];
  /**
   * Whether the engine replays its CUDA graphs only for steps without a context (prompt) chunk, running a
   * step with one eagerly: such a step pays EAGER_LAUNCH_SECONDS per kernel, as `--enforce-eager` does.
   */
  eagerContextSteps: boolean;
  /**
   * What an EP all-to-all moves (where DeepEP does not run it): each token's top-k copies in the
   * activation format ('per-expert-copy'), or one copy per EP rank holding any of its experts
   * ('once-per-rank', TensorRT-LLM: perf/trtllm-moe-alltoall.ts).
   */
  epAllToAll: 'per-expert-copy' | 'once-per-rank';
}

/** Every op its own kernel and per-tensor fp8 tables: the roofline's view. */
export const PLAIN_KERNELS: EngineKernels = {
  fusedOps: {},
  normsInAllReduce: false,
  quantizedInputs: [],
  dynamicallyQuantizedTables: [],
  blockScaledFp8: false,
  denseKernelMoeOnBlackwell: [],
  eagerContextSteps: false,
  epAllToAll: 'per-expert-copy',
};

export const ENGINE_KERNELS: Readonly<Record<EngineBackend, EngineKernels>> = {
  // TensorRT-LLM's PyTorch models: the residual add inside the fused add + RMSNorm kernel, RoPE inside
  // attention's QKV preprocessing, AllReduceFusionOp.RESIDUAL_RMS_NORM(_QUANT_*) under TP, fp8 / nvfp4
  // activations quantized by the norm, the all-reduce, attention's output and the fused SwiGLU, and
  // QuantAlgo.FP8_BLOCK_SCALES (the fp8_block tables' kernel) for a block-scaled checkpoint.
  // Block-scaled fp8 experts on Blackwell run the DEEPGEMM MoE backend, DeepGEMM's grouped fp8 GEMMs
  // (NVIDIA/TensorRT-LLM docs/source/deployment-guide/quick-start-recipe-for-deepseek-r1-on-trtllm.md
  // @a98a9061: "B200/GB200 EP<=8 | FP8 | DEEPGEMM", CUTLASS not supported there; EP>8 WIDEEP; and
  // ai-dynamo/aiconfigurator collector/trtllm/collect_moe.py @006afd78: fp8_block on SM100 →
  // moe_backend "deepgemm"), the kernel family of its fp8_block GEMM table ([deepgemm]). That is the
  // default; a launch with `moe_config: {backend: TRTLLM}` (ServingEngine.moeBackend 'trtllm-gen') runs
  // the fused trtllm-gen kernel instead (perf/moe-backend.ts).
  trtllm: {
    fusedOps: { residual_add: 'the fused add + RMSNorm', rope: "attention's QKV preprocessing" },
    normsInAllReduce: true,
    quantizedInputs: ['fp8', 'nvfp4'],
    // aiconfigurator's collector (collector/trtllm/collect_gemm.py, ai-dynamo/aiconfigurator @000959092f)
    // loads an fp8 Linear with `weight` and `weight_scale` only; TensorRT-LLM's FP8QDQLinearMethod then
    // drops the input scale and calls quantize_e4m3_per_tensor (dynamic: amax, then scale) before
    // cublas_scaled_mm on every call (tensorrt_llm/_torch/modules/linear.py @00bbf71e7). An FP8
    // checkpoint (ModelOpt) ships input_scale: static_quantize_e4m3_per_tensor, or the fp8 output of the
    // norm / all-reduce / attention feeding it. Its nvfp4 Linear gets an input_scale (static).
    dynamicallyQuantizedTables: ['fp8'],
    blockScaledFp8: true,
    denseKernelMoeOnBlackwell: ['fp8_block'],
    // PyExecutor replays a CUDA graph only for a batch without context requests: ScheduledRequests.
    // can_run_cuda_graph returns `not self.context_requests` (NVIDIA/TensorRT-LLM
    // tensorrt_llm/_torch/pyexecutor/scheduler.py @b93e14ca), so every step that carries a prompt runs
    // eagerly (with attention DP, on every rank: the ranks agree on graph use before a step).
    eagerContextSteps: true,
    // Its attention-DP MoE all-to-all sends a token once to each EP rank holding one of its experts, nvfp4
    // activations quantized first (perf/trtllm-moe-alltoall.ts has the source).
    epAllToAll: 'once-per-rank',
  },
  vllm: PLAIN_KERNELS,
  // SGLang's block-scaled fp8 linear layers run DeepGEMM unless the launch turns it off:
  // dispatch_w8a8_block_fp8_linear picks DeepGEMM first where deep_gemm_wrapper.ENABLE_JIT_DEEPGEMM
  // (sgl-project/sglang python/sglang/srt/layers/quantization/fp8_utils.py @002ed7e4,
  // _dispatch_auto_backend: "1. DeepGEMM (if enabled and available) 2. FlashInfer TRTLLM (if Blackwell)"),
  // which holds on SM90 and newer with deep_gemm installed unless SGLANG_ENABLE_JIT_DEEPGEMM is false
  // (python/sglang/srt/layers/deep_gemm_wrapper/configurer.py @55db869a; environ.py @21ff4b08: default
  // True, SGLANG_ENABLE_FLASHINFER_GEMM default False, SGL_* read as SGLANG_*).
  sglang: { ...PLAIN_KERNELS, blockScaledFp8: true },
};

/** The kernels `engine` runs as launched: SGLang with DeepGEMM off times block-scaled fp8 per-tensor. */
export function engineKernelsOf(engine: ServingEngine): EngineKernels {
  const kernels = ENGINE_KERNELS[engine.id];
  return engine.id === 'sglang' && engine.deepGemm === false
    ? { ...kernels, blockScaledFp8: false }
    : kernels;
}

/**
 * Whether `engine` runs the routed experts of `tableDtype` weights on `hardware` as grouped GEMMs of its
 * dense GEMM kernel (EngineKernels.denseKernelMoeOnBlackwell): its default there, unless the launch chose
 * another MoE backend (TensorRT-LLM `moe_config.backend: TRTLLM` runs the fused trtllm-gen kernel).
 */
export function runsMoeOnDenseKernel(
  engine: Pick<ServingEngineInput, 'id' | 'moeBackend'>,
  hardware: HardwareSpec,
  tableDtype: string,
): boolean {
  if (engine.moeBackend !== undefined && engine.moeBackend !== 'deepgemm') return false;
  return (
    hardware.deviceClass === 'nvidia-blackwell' &&
    ENGINE_KERNELS[engine.id].denseKernelMoeOnBlackwell.includes(tableDtype)
  );
}

/**
 * Host cost of one kernel launched eagerly (no CUDA graph): Python dispatch plus the launch, which the
 * GPU waits on whenever its kernels are shorter. With graphs replayed, a launch costs the calibration's
 * few microseconds, already in every op's time.
 */
export const EAGER_LAUNCH_SECONDS = 8e-6;

/** vLLM's and SGLang's custom all-reduce handle messages up to 8 MiB (their default max size); NCCL above. */
export const CUSTOM_ALL_REDUCE_MAX_BYTES = 8 * 2 ** 20;
/** The custom all-reduce runs within one NVLink domain of up to 8 GPUs. */
export const CUSTOM_ALL_REDUCE_MAX_GPUS = 8;
