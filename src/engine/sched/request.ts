/** Where a request is in its replica's lifecycle. */
export const RequestStatus = {
  Waiting: 0,
  Running: 1,
  Swapped: 2,
  Finished: 3,
} as const;
export type RequestStatus = (typeof RequestStatus)[keyof typeof RequestStatus];

/**
 * A request as a scheduler sees it: prompt and output progress, and the KV it holds. Nothing here
 * refers to time, so the same policies drive the simulator and a real engine.
 *
 * Token accounting (as vLLM v1 does it): a request has `promptTokens + generated` tokens; `computed`
 * of them have KV in cache. A step schedules up to `remaining = promptTokens + generated - computed`
 * new tokens; when a step brings `computed` to the total, the request samples one more token. A decode
 * is a request with one token left to compute; a preempted-by-recompute request starts again at 0.
 */
export interface SchedRequest {
  readonly id: number;
  readonly promptTokens: number;
  /** The most output tokens the request may produce (`max_tokens`): what an engine can plan for. */
  readonly maxOutputTokens: number;
  /** Prefix block hashes, each covering `hashBlockTokens` prompt tokens; empty when unknown. */
  readonly blockHashes: readonly number[];
  /** Priority scheduling (`--scheduling-policy priority`): lower is served first; ties by `id` (arrival). */
  readonly priority: number;
  generated: number;
  computed: number;
  status: RequestStatus;
  /** Tokens scheduled in the step being formed or in flight (0 when not in one). */
  scheduledTokens: number;
  /** In a batch still executing (pipeline parallelism): not schedulable until it completes. */
  inFlight: boolean;
  /** Private KV blocks held. */
  blocks: number;
  /** Leading prefix hashes whose shared cached blocks this request holds a reference to. */
  sharedHashes: number;
  /** Whether the full prefix blocks of its prompt were published to the prefix cache. */
  prefixPublished: boolean;
  /** Prompt tokens found in the prefix cache when admitted (for statistics). */
  cachedPromptTokens: number;
  preemptions: number;
  /** Disaggregated prefill: the request leaves this replica once its first token is sampled. */
  prefillOnly: boolean;
}

export function newSchedRequest(
  id: number,
  promptTokens: number,
  maxOutputTokens: number,
  blockHashes: readonly number[] = [],
  priority = 0,
): SchedRequest {
  return {
    id,
    promptTokens,
    maxOutputTokens,
    blockHashes,
    priority,
    generated: 0,
    computed: 0,
    status: RequestStatus.Waiting,
    scheduledTokens: 0,
    inFlight: false,
    blocks: 0,
    sharedHashes: 0,
    prefixPublished: false,
    cachedPromptTokens: 0,
    preemptions: 0,
    prefillOnly: false,
  };
}

/** Tokens not yet in the KV cache: the whole prompt at first, one for a decode. */
export function remainingTokens(r: SchedRequest): number {
  return r.promptTokens + r.generated - r.computed;
}

/** A request whose next step is one decode token (not a prompt or a recompute). */
export function isDecoding(r: SchedRequest): boolean {
  return r.generated > 0 && r.promptTokens + r.generated - r.computed === 1;
}

/** Whether `a` comes before `b` under priority scheduling: lower priority value, then earlier arrival. */
export function servedBefore(a: SchedRequest, b: SchedRequest): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.id < b.id);
}
