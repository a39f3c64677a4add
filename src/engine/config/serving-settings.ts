import { z } from 'zod';
import { MoeBackend } from '../perf/moe-backend.js';
import { SpeculationMethod } from '../perf/speculation.js';

const count = z.number().int().positive();
const fraction = z.number().gt(0).lte(1);

/**
 * What ServeTune understands of a serving configuration, in its own vocabulary (engine-neutral). Every
 * field is optional: a config file sets some, the engine defaults the rest. Each engine's knob table
 * (knobs/*.ts) says which flags, YAML keys and environment variables carry each field.
 */
export const ServingSettings = z.object({
  /** Hugging Face repository id, local path, or catalog id, as written. */
  model: z.string().min(1),
  tp: count,
  pp: count,
  dp: count,
  /** Expert-parallel degree where the engine takes one (SGLang, TensorRT-LLM). */
  ep: count,
  /**
   * Attention data parallelism with the experts spread over every GPU (SGLang --enable-dp-attention,
   * TensorRT-LLM enable_attention_dp); vLLM's DP with --enable-expert-parallel is the same layout.
   */
  dpAttention: z.boolean(),
  /** vLLM's switch: experts spread over TP × DP ranks instead of being TP-sharded. */
  expertParallel: z.boolean(),
  /** Expert-parallel load balancing: hot experts copied into redundant slots (SGLang and vLLM --enable-eplb). */
  eplb: z.boolean(),
  /** EPLB's redundant expert slots over the EP ranks (SGLang --ep-num-redundant-experts, vLLM --num-redundant-experts). */
  redundantExperts: z.number().int().min(0),
  /**
   * The kernels of the MoE dispatch and combine under EP: the engine's NCCL-based default or DeepEP
   * (SGLang --moe-a2a-backend deepep, vLLM --all2all-backend deepep_*).
   */
  allToAllBackend: z.enum(['nccl', 'deepep']),
  /** Which DeepEP kernels: low-latency (decode), normal (prefill, vLLM's high-throughput) or auto (SGLang: by batch). */
  deepepMode: z.enum(['auto', 'low-latency', 'normal']),
  /** Share of each GPU's memory the engine may use (vLLM, SGLang's static fraction, TGI). */
  gpuMemoryUtilization: fraction,
  /** TensorRT-LLM: share of the memory left free after weights and activations that the KV cache takes. */
  kvCacheFreeMemoryFraction: fraction,
  /** Most sequences in one step. */
  maxNumSeqs: count,
  /** Most tokens in one step (with chunked prefill: the chunk budget). */
  maxNumBatchedTokens: count,
  enableChunkedPrefill: z.boolean(),
  /** SGLang --max-prefill-tokens: prompt tokens one prefill batch takes (sched/config.ts). */
  maxPrefillTokens: count,
  /** SGLang --enable-mixed-chunk: running decodes ride along in a prefill batch, one token each. */
  mixedChunk: z.boolean(),
  /** SGLang --scheduler-recv-interval: a decoding server takes in new requests every n decode steps. */
  schedulerRecvInterval: count,
  /**
   * TensorRT-LLM `batch_wait_timeout_iters`: while requests decode, new prompts are held back up to this
   * many steps (0: no waiting); `batch_wait_max_tokens_ratio`: the share of the step budget that ends it.
   */
  batchWaitIters: z.number().int().min(0),
  batchWaitTokensRatio: fraction,
  /** Tokens per KV cache block (page). */
  blockSize: count,
  /** Longest sequence (prompt + output) the engine accepts. */
  maxModelLen: count,
  /** Activation/weight dtype the engine loads the model in. */
  dtype: z.enum(['auto', 'bf16', 'fp16', 'fp32']),
  /** Weight quantization method as the engine names it (fp8, awq, gptq, …), lower-case. */
  quantization: z.string().min(1),
  /** KV cache format; fp4 is SGLang's fp4_e2m1 and TensorRT-LLM's nvfp4 (4-bit, a scale per 16 values). */
  kvCacheDtype: z.enum(['auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2', 'fp4']),
  enablePrefixCaching: z.boolean(),
  /** CUDA graphs off (vLLM --enforce-eager, SGLang --disable-cuda-graph, TensorRT-LLM cuda_graph_config: null). */
  enforceEager: z.boolean(),
  /**
   * All-reduce with NCCL instead of the engine's own kernel (vLLM and SGLang --disable-custom-all-reduce,
   * TensorRT-LLM allreduce_strategy: NCCL).
   */
  disableCustomAllReduce: z.boolean(),
  /**
   * The overlap (asynchronous) scheduler on or off as the file sets it (vLLM --[no-]async-scheduling,
   * SGLang --disable-overlap-schedule, TensorRT-LLM disable_overlap_scheduler); absent: the engine and
   * version's default (perf/overlap-scheduling.ts).
   */
  overlapScheduling: z.boolean(),
  /**
   * The kernel the routed experts run on where the launch selects one (TensorRT-LLM `moe_config.backend`,
   * vLLM's MoE environment variables; perf/moe-backend.ts); absent: the engine's default for the GPU.
   */
  moeBackend: MoeBackend,
  /**
   * SGLang's `SGLANG_MOE_NVFP4_DISPATCH=1`: DeepEP dispatches an nvfp4 checkpoint's routed-expert input
   * in NVFP4 instead of BF16 (ServingEngine.nvfp4Dispatch).
   */
  nvfp4Dispatch: z.boolean(),
  /**
   * SGLang's `SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1`: an NVFP4 checkpoint's q_b_proj runs as block-scaled
   * fp8 instead of BF16 (ServingEngine.fp8QBProj).
   */
  fp8QBProj: z.boolean(),
  /** Speculative decoding: the drafter (perf/speculation.ts), its tokens per step and its checkpoint. */
  speculativeMethod: SpeculationMethod,
  speculativeTokens: count,
  speculativeDraftModel: z.string().min(1),
  /** Tree drafting: candidates per drafted token (1: a chain) and tokens verified per sequence. */
  speculativeTopK: count,
  speculativeDraftTokens: count,
  /** Role in a disaggregated deployment. */
  disaggregationMode: z.enum(['prefill', 'decode', 'both']),
  /** Deployment, not engine: copies of the server (Kubernetes replicas, compose replicas, Helm replicaCount). */
  replicas: count,
  /** Deployment, not engine: GPUs given to one server (pod limits, compose reservations, docker --gpus). */
  gpus: count,
});
export type ServingSettings = z.infer<typeof ServingSettings>;
export const PartialServingSettings = ServingSettings.partial();
export type PartialServingSettings = z.infer<typeof PartialServingSettings>;
export type SettingKey = keyof ServingSettings;
export type SettingValue = ServingSettings[SettingKey];
export const SETTING_KEYS = Object.keys(ServingSettings.shape) as SettingKey[];

/** Settings that belong to the deployment around the engine rather than to the engine's flags. */
export const DEPLOYMENT_KEYS: readonly SettingKey[] = ['replicas', 'gpus'];

/** Human names for settings, as people say them (vLLM's flag spellings, the lingua franca). */
export const SETTING_LABELS: Record<SettingKey, string> = {
  model: 'model',
  tp: 'tensor-parallel-size',
  pp: 'pipeline-parallel-size',
  dp: 'data-parallel-size',
  ep: 'expert-parallel-size',
  expertParallel: 'enable-expert-parallel',
  dpAttention: 'enable-dp-attention',
  eplb: 'enable-eplb',
  redundantExperts: 'num-redundant-experts',
  allToAllBackend: 'all2all-backend',
  deepepMode: 'deepep-mode',
  gpuMemoryUtilization: 'gpu-memory-utilization',
  kvCacheFreeMemoryFraction: 'kv-cache-free-gpu-memory-fraction',
  maxNumSeqs: 'max-num-seqs',
  maxNumBatchedTokens: 'max-num-batched-tokens',
  enableChunkedPrefill: 'enable-chunked-prefill',
  maxPrefillTokens: 'max-prefill-tokens',
  mixedChunk: 'enable-mixed-chunk',
  schedulerRecvInterval: 'scheduler-recv-interval',
  batchWaitIters: 'batch_wait_timeout_iters',
  batchWaitTokensRatio: 'batch_wait_max_tokens_ratio',
  blockSize: 'block-size',
  maxModelLen: 'max-model-len',
  dtype: 'dtype',
  quantization: 'quantization',
  kvCacheDtype: 'kv-cache-dtype',
  enablePrefixCaching: 'enable-prefix-caching',
  enforceEager: 'enforce-eager',
  disableCustomAllReduce: 'disable-custom-all-reduce',
  overlapScheduling: 'async-scheduling',
  moeBackend: 'moe backend',
  nvfp4Dispatch: 'nvfp4 dispatch',
  fp8QBProj: 'fp8 q_b_proj',
  speculativeMethod: 'speculative method',
  speculativeTokens: 'num-speculative-tokens',
  speculativeDraftModel: 'speculative draft model',
  speculativeTopK: 'speculative top-k',
  speculativeDraftTokens: 'speculative draft tokens',
  disaggregationMode: 'disaggregation-mode',
  replicas: 'replicas',
  gpus: 'gpus',
};

/** Validate one setting's value; returns the reason when it is not acceptable. */
export function checkSettingValue(key: SettingKey, value: unknown): string | undefined {
  const result = ServingSettings.shape[key].safeParse(value);
  return result.success ? undefined : (result.error.issues[0]?.message ?? 'invalid value');
}
