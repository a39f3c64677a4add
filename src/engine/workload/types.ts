/** One request of a workload: when it arrives and how long its prompt and output are. Seconds, tokens. */
export interface WorkloadRequest {
  arrival: number;
  promptTokens: number;
  outputTokens: number;
  /** Prefix block hashes (Mooncake `hash_ids`): equal leading hashes mean a shared prompt prefix. */
  hashIds?: readonly number[];
  /** The model the request was sent to, where the trace records one (BurstGPT `Model`: ChatGPT, GPT-4). */
  model?: string;
}

export interface Workload {
  /** Where it came from: a spec string or a file path. */
  source: string;
  /** Sorted by arrival. */
  requests: WorkloadRequest[];
  /** Prompt tokens one hash id covers (Mooncake: 512). */
  hashBlockTokens: number;
}

export const DEFAULT_HASH_BLOCK_TOKENS = 512;
