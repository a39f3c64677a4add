import { z } from 'zod';

export const PolicyName = z.enum(['static', 'orca', 'vllm-v0', 'sarathi', 'vllm-v1', 'sglang', 'lightllm']);
export type PolicyName = z.infer<typeof PolicyName>;

export const PreemptionMode = z.enum(['recompute', 'swap']);
export type PreemptionMode = z.infer<typeof PreemptionMode>;

/**
 * Whether the engine a policy mimics can swap preempted KV to host memory. vLLM v0 (and Sarathi-Serve,
 * built on it) swap; vLLM v1 removed swap (it only recomputes), SGLang retracts requests and LightLLM
 * pauses them, both recomputing. Orca and static batching reserve a request's maximum output at
 * admission and never preempt, so the mode does not matter to them.
 */
export function policySwaps(policy: PolicyName): boolean {
  return policy !== 'vllm-v1' && policy !== 'sglang' && policy !== 'lightllm';
}

/**
 * Which waiting request goes first and which running one is preempted: first come first served, or by
 * the request's priority (vLLM `--scheduling-policy priority`, SGLang `--enable-priority-scheduling`):
 * the waiting queue in priority order, the lowest-priority running request preempted first.
 */
export const SchedulingPolicy = z.enum(['fcfs', 'priority']);
export type SchedulingPolicy = z.infer<typeof SchedulingPolicy>;

/** The policies whose engines schedule by priority (vLLM v0 and v1, SGLang). */
export const PRIORITY_POLICIES: readonly PolicyName[] = ['vllm-v0', 'sarathi', 'vllm-v1', 'sglang'];

/**
 * Scheduler knobs, with the names of the engines they come from. Each is optional: what is left out
 * takes the default of the engine the policy mimics (see `resolveSchedulerConfig`).
 */
export const SchedulerConfig = z.object({
  policy: PolicyName,
  /** vLLM `--max-num-seqs`; SGLang `--max-running-requests`; LightLLM `--running_max_req_size`. */
  maxNumSeqs: z.number().int().positive().optional(),
  /** vLLM `--max-num-batched-tokens` (the per-step token budget); LightLLM `--batch_max_tokens`. */
  maxNumBatchedTokens: z.number().int().positive().optional(),
  /** SGLang `--chunked-prefill-size`. */
  chunkedPrefillSize: z.number().int().positive().optional(),
  /**
   * SGLang `--max-prefill-tokens` (default 16384): prompt tokens a prefill batch takes; after its first
   * request, one whose prompt does not fit what is left ends the batch.
   */
  maxPrefillTokens: z.number().int().positive().optional(),
  /** SGLang `--schedule-conservativeness`. */
  scheduleConservativeness: z.number().positive().optional(),
  /**
   * SGLang `--enable-mixed-chunk`: a prefill batch carries every running decode too (one token each),
   * its prompt budget less that many tokens. Default off, as SGLang's.
   */
  mixedChunk: z.boolean().optional(),
  /**
   * SGLang `--scheduler-recv-interval` (default 1): the scheduler takes in new requests only once its
   * counter of steps since the last intake reaches this (a decode step or an idle loop counts 1, any
   * other step enough to take in at the next loop); see sim/recv-gate.ts.
   */
  schedulerRecvInterval: z.number().int().positive().optional(),
  blockSize: z.number().int().positive().optional(),
  gpuMemoryUtilization: z.number().gt(0).lte(1).optional(),
  /** Share of KV blocks kept free when admitting (vLLM v0: 0.01). */
  watermark: z.number().min(0).lt(1).optional(),
  preemption: PreemptionMode.optional(),
  /** vLLM `--scheduling-policy`; SGLang `--enable-priority-scheduling` (priority). Default fcfs. */
  schedulingPolicy: SchedulingPolicy.optional(),
  /** Host memory for swapped KV per GPU (vLLM `--swap-space`, default 4 GiB). */
  swapSpaceBytes: z.number().nonnegative().optional(),
  enablePrefixCaching: z.boolean().optional(),
  /**
   * KV offload to host memory, bytes per replica (vLLM `--kv-offloading-size`, LMCache
   * `max_local_cpu_size`, production-stack CPU offloading): prefix-cache blocks evicted from the GPU
   * stay in host memory and are loaded back over the host link. Default 0 (none); needs prefix caching.
   */
  kvOffloadBytes: z.number().nonnegative().optional(),
  /**
   * Seconds a session turn's prefix blocks stay pinned in the GPU prefix cache after it finishes, for
   * its next turn (a time-to-live, as LMCache's pinning gives): evicted only when nothing unpinned is
   * left. Default 0 (plain LRU).
   */
  kvPinSeconds: z.number().nonnegative().finite().optional(),
  /** Longest prompt + output accepted (vLLM `--max-model-len`); default the model's. */
  maxModelLen: z.number().int().positive().optional(),
  /** LightLLM past-future: quantile of past output lengths used as a request's predicted length. */
  outputLengthQuantile: z.number().gt(0).lte(1).optional(),
  /**
   * Attention DP with EP (a lockstep group of ranks): hold new prompts back until every rank has one,
   * for at most this many steps since prompts last ran (TensorRT-LLM `attention_dp_config`
   * `enable_balance` with `timeout_iters`, `batching_wait_iters` 0). Default 0: no holding.
   */
  attentionDpBalanceIters: z.number().int().min(0).optional(),
  /**
   * TensorRT-LLM batch waiting (`batch_wait_timeout_iters`; sim/replica.ts `waitsForBatch` cites the
   * source): while requests decode, new prompts are held back for up to this many steps until the step's
   * tokens reach `batchWaitTokensRatio` of its token budget. Default 0: no waiting. Not with attention DP.
   */
  batchWaitIters: z.number().int().min(0).optional(),
  /** TensorRT-LLM `batch_wait_max_tokens_ratio`: the share of the step's token budget that ends the wait. */
  batchWaitTokensRatio: z.number().min(0).max(1).optional(),
});
export type SchedulerConfig = z.infer<typeof SchedulerConfig>;

export interface ResolvedSchedulerConfig {
  policy: PolicyName;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  chunkedPrefillSize: number;
  maxPrefillTokens: number;
  scheduleConservativeness: number;
  mixedChunk: boolean;
  schedulerRecvInterval: number;
  blockSize: number;
  gpuMemoryUtilization: number;
  watermark: number;
  preemption: PreemptionMode;
  schedulingPolicy: SchedulingPolicy;
  swapSpaceBytes: number;
  enablePrefixCaching: boolean;
  kvOffloadBytes: number;
  kvPinSeconds: number;
  maxModelLen: number;
  outputLengthQuantile: number;
  attentionDpBalanceIters: number;
  batchWaitIters: number;
  batchWaitTokensRatio: number;
  /** Whether the policy splits prompts into chunks (else a prompt is prefilled in one step). */
  chunkedPrefill: boolean;
}

const GiB = 1024 ** 3;

/**
 * SGLang's `--max-prefill-tokens` default, 16384 (https://docs.sglang.io/advanced_features/server_arguments.html;
 * `ServerArgs.max_prefill_tokens: int = 16384`).
 */
export const SGLANG_MAX_PREFILL_TOKENS = 16384;

/**
 * Engine defaults per policy. vLLM v1 (≥ 0.8) on GPUs with ≥ 70 GiB: 8192 batched tokens and 1024
 * sequences for the API server, else 2048 and 256; prefix caching on. vLLM v0: 256 sequences, budget
 * max(max-model-len, 2048) without chunked prefill, watermark 1%, no prefix caching. SGLang: chunked
 * prefill 8192 (≥ 70 GiB, else 2048), conservativeness 1.0, radix cache on. LightLLM: 1000 running
 * requests. Orca and static batching reserve a request's whole output at admission.
 */
export function resolveSchedulerConfig(
  config: SchedulerConfig,
  context: { gpuMemoryBytes: number; modelMaxContext: number },
): ResolvedSchedulerConfig {
  const maxModelLen = config.maxModelLen ?? context.modelMaxContext;
  return {
    ...sharedDefaults(config, maxModelLen),
    ...policyDefaults(config, context.gpuMemoryBytes >= 70 * GiB, Math.max(maxModelLen, 2048)),
  };
}

/** The settings each policy defaults differently: its batch limits, watermark and prefix caching. */
type PolicyDefaults = Pick<
  ResolvedSchedulerConfig,
  | 'maxNumSeqs'
  | 'maxNumBatchedTokens'
  | 'chunkedPrefillSize'
  | 'watermark'
  | 'enablePrefixCaching'
  | 'chunkedPrefill'
>;

/** The settings whose defaults every policy shares. */
function sharedDefaults(
  config: SchedulerConfig,
  maxModelLen: number,
): Omit<ResolvedSchedulerConfig, keyof PolicyDefaults> {
  return {
    policy: config.policy,
    blockSize: config.blockSize ?? 16,
    gpuMemoryUtilization: config.gpuMemoryUtilization ?? 0.9,
    preemption: config.preemption ?? 'recompute',
    schedulingPolicy: config.schedulingPolicy ?? 'fcfs',
    swapSpaceBytes: config.swapSpaceBytes ?? 4 * GiB,
    kvOffloadBytes: config.kvOffloadBytes ?? 0,
    kvPinSeconds: config.kvPinSeconds ?? 0,
    maxModelLen,
    scheduleConservativeness: config.scheduleConservativeness ?? 1,
    maxPrefillTokens: config.maxPrefillTokens ?? SGLANG_MAX_PREFILL_TOKENS,
    mixedChunk: config.mixedChunk ?? false,
    schedulerRecvInterval: config.schedulerRecvInterval ?? 1,
    outputLengthQuantile: config.outputLengthQuantile ?? 0.9,
    attentionDpBalanceIters: config.attentionDpBalanceIters ?? 0,
    batchWaitIters: config.batchWaitIters ?? 0,
    batchWaitTokensRatio: config.batchWaitTokensRatio ?? 0,
  } as const;
}

/**
 * The policy's own defaults (PolicyDefaults): `big` for GPUs with ≥ 70 GiB; `wholePromptBudget` for
 * policies that prefill a prompt in one step.
 */
function policyDefaults(config: SchedulerConfig, big: boolean, wholePromptBudget: number): PolicyDefaults {
  const policy = config.policy;
  switch (policy) {
    case 'static':
    case 'orca':
      return {
        maxNumSeqs: config.maxNumSeqs ?? (policy === 'static' ? 64 : 256),
        maxNumBatchedTokens: config.maxNumBatchedTokens ?? wholePromptBudget,
        chunkedPrefillSize: config.chunkedPrefillSize ?? wholePromptBudget,
        watermark: config.watermark ?? 0,
        enablePrefixCaching: config.enablePrefixCaching ?? false,
        chunkedPrefill: false,
      };
    case 'vllm-v0':
      return {
        maxNumSeqs: config.maxNumSeqs ?? 256,
        maxNumBatchedTokens: config.maxNumBatchedTokens ?? wholePromptBudget,
        chunkedPrefillSize: config.chunkedPrefillSize ?? wholePromptBudget,
        watermark: config.watermark ?? 0.01,
        enablePrefixCaching: config.enablePrefixCaching ?? false,
        chunkedPrefill: false,
      };
    case 'sarathi':
    case 'vllm-v1':
      return {
        maxNumSeqs: config.maxNumSeqs ?? (big ? 1024 : 256),
        maxNumBatchedTokens: config.maxNumBatchedTokens ?? (big ? 8192 : 2048),
        chunkedPrefillSize: config.chunkedPrefillSize ?? config.maxNumBatchedTokens ?? (big ? 8192 : 2048),
        watermark: config.watermark ?? 0,
        enablePrefixCaching: config.enablePrefixCaching ?? true,
        chunkedPrefill: true,
      };
    case 'sglang': {
      const chunk = config.chunkedPrefillSize ?? (big ? 8192 : 2048);
      return {
        maxNumSeqs: config.maxNumSeqs ?? 4096,
        maxNumBatchedTokens: config.maxNumBatchedTokens ?? 16384,
        chunkedPrefillSize: chunk,
        watermark: config.watermark ?? 0,
        enablePrefixCaching: config.enablePrefixCaching ?? true,
        chunkedPrefill: true,
      };
    }
    case 'lightllm':
      return {
        maxNumSeqs: config.maxNumSeqs ?? 1000,
        maxNumBatchedTokens: config.maxNumBatchedTokens ?? wholePromptBudget,
        chunkedPrefillSize: config.chunkedPrefillSize ?? wholePromptBudget,
        watermark: config.watermark ?? 0,
        enablePrefixCaching: config.enablePrefixCaching ?? false,
        chunkedPrefill: false,
      };
  }
}
