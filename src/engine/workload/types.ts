import type { SloTargets } from './slo.js';

/** One request of a workload: when it arrives and how long its prompt and output are. Seconds, tokens. */
export interface WorkloadRequest {
  arrival: number;
  promptTokens: number;
  outputTokens: number;
  /** Prefix block hashes (Mooncake `hash_ids`): equal leading hashes mean a shared prompt prefix. */
  hashIds?: readonly number[];
  /** The model the request was sent to, where the trace records one (BurstGPT `Model`: ChatGPT, GPT-4). */
  model?: string;
  /** The request's class (interactive, batch, …), for per-class metrics. */
  className?: string;
  /** Scheduling priority where the engine schedules by priority: lower is served first (vLLM). Default 0. */
  priority?: number;
  /**
   * Speculative decoding: the probability that the target accepts each drafted token of this request
   * (i.i.d. per position), where its traffic drafts better or worse than the pool's default; 0 to 1.
   */
  acceptance?: number;
  /**
   * Multi-turn sessions: the session the request belongs to and its turn (0 first). A later turn is sent
   * `thinkSeconds` after the previous turn's last token; its `arrival` is its session's start.
   */
  session?: number;
  turn?: number;
  thinkSeconds?: number;
}

export interface Workload {
  /** Where it came from: a spec string or a file path. */
  source: string;
  /** Sorted by arrival. */
  requests: WorkloadRequest[];
  /** Prompt tokens one hash id covers (Mooncake: 512). */
  hashBlockTokens: number;
  /** Classes with latency targets of their own (a spec's `class=NAME,slo=(…)`), by class name. */
  classSlos?: Record<string, SloTargets>;
}

export const DEFAULT_HASH_BLOCK_TOKENS = 512;

/** Prompt tokens one hash id covers in a synthetic workload with shared prefixes or sessions. */
export const SYNTHETIC_HASH_BLOCK_TOKENS = 128;
