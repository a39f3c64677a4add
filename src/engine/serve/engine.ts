/**
 * What the HTTP server needs of a serving engine. The local reference engine implements it over the
 * WGSL kernels and the simulator's scheduler policies; the server knows nothing of either.
 */
export type FinishReason = 'stop' | 'length' | 'abort' | 'error';

export interface GenerationRequest {
  id: string;
  promptTokens: readonly number[];
  maxTokens: number;
  /** Keep generating past an end-of-sequence token until `maxTokens` (exact output lengths for benchmarks). */
  ignoreEos: boolean;
}

export interface GenerationSink {
  /** One generated token; the first call marks the time to first token. */
  token(tokenId: number): void;
  /** Called exactly once, after the last token. */
  finish(reason: FinishReason, error?: string): void;
}

export interface GenerationHandle {
  /** Stop generating and free the request's KV blocks now (the client went away). */
  cancel(): void;
}

export interface EngineStats {
  running: number;
  waiting: number;
  /** Share of KV cache blocks in use, 0..1. */
  kvCacheUsage: number;
  preemptions: number;
}

export interface GenerationEngine {
  readonly modelId: string;
  readonly maxModelLen: number;
  readonly vocabSize: number;
  submit(request: GenerationRequest, sink: GenerationSink): GenerationHandle;
  stats(): EngineStats;
  /** Resolves once every admitted request has finished; admits nothing new meanwhile. */
  drain(): Promise<void>;
}
