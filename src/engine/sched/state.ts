import type { ResolvedSchedulerConfig } from './config.js';
import { Deque } from './deque.js';
import type { KvBlockManager } from './kv-cache.js';
import type { SchedRequest } from './request.js';

/** Output lengths of recently finished requests, sorted, for policies that predict lengths (LightLLM). */
class OutputLengthHistory {
  private readonly sorted: number[] = [];
  private readonly order: number[] = [];

  constructor(private readonly window = 1000) {}

  get size(): number {
    return this.sorted.length;
  }

  add(length: number): void {
    if (this.order.length === this.window) {
      const oldest = this.order.shift()!;
      this.sorted.splice(this.lowerBound(oldest), 1);
    }
    this.order.push(length);
    this.sorted.splice(this.lowerBound(length + 0.5), 0, length);
  }

  /** The `q` quantile of past lengths longer than `atLeast` (undefined without such history). */
  quantileAbove(atLeast: number, q: number): number | undefined {
    const start = this.lowerBound(atLeast + 0.5);
    const n = this.sorted.length - start;
    if (n <= 0) return undefined;
    return this.sorted[start + Math.min(n - 1, Math.floor(q * n))];
  }

  private lowerBound(value: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * What a policy decides from: one replica's queues and KV cache. The policy forms the next batch in a
 * `StepPlan`; the core (`commitStep`) applies it once the batch ran. No clock anywhere.
 */
export class ReplicaState {
  readonly waiting = new Deque<SchedRequest>(64);
  /** Admitted requests, in admission order: decoding, or prefilling in chunks. */
  readonly running: SchedRequest[] = [];
  readonly swapped = new Deque<SchedRequest>(16);
  readonly history = new OutputLengthHistory();
  /** Host blocks that swapped-out KV may use, and how many it uses. */
  readonly swapCapacityBlocks: number;
  swapUsedBlocks = 0;
  preemptions = 0;
  /** Prompt tokens admitted requests loaded from a host KV tier instead of prefilling them. */
  hostHitTokens = 0;

  constructor(
    readonly config: ResolvedSchedulerConfig,
    readonly kv: KvBlockManager,
    kvBytesPerBlock: number,
  ) {
    this.swapCapacityBlocks = kvBytesPerBlock > 0 ? Math.floor(config.swapSpaceBytes / kvBytesPerBlock) : 0;
  }

  /** Requests held by this replica (waiting, running or swapped). */
  outstanding(): number {
    return this.waiting.length + this.running.length + this.swapped.length;
  }
}

/** The next batch: requests with their `scheduledTokens` set, and the swap traffic it causes. Reused across steps. */
export class StepPlan {
  requests: SchedRequest[] = [];
  count = 0;
  /** Tokens of KV copied to host (swap out) or back (swap in) by this step's preemptions and resumptions. */
  swapOutTokens = 0;
  swapInTokens = 0;
  /** Whether a preemption happened while forming this step. */
  preempted = false;

  reset(): void {
    this.count = 0;
    this.swapOutTokens = 0;
    this.swapInTokens = 0;
    this.preempted = false;
  }

  add(r: SchedRequest, tokens: number): void {
    r.scheduledTokens = tokens;
    this.requests[this.count++] = r;
  }
}
