import { growOrPreempt, type SchedulerPolicy, tryAdmitHead } from '../core.js';
import { isDecoding, remainingTokens, type SchedRequest } from '../request.js';
import type { ReplicaState, StepPlan } from '../state.js';

/**
 * LightLLM's past-future scheduler: a request is admitted only if the predicted peak KV use of all
 * admitted requests still fits. Each request's output length is predicted from the history of
 * finished requests' lengths (a quantile of those longer than what it has produced so far; its
 * max_tokens without history), and the peak is found by walking the requests in order of predicted
 * completion. Whole prompts are prefilled in steps of their own, then everything decodes.
 */
export class LightllmPolicy implements SchedulerPolicy {
  readonly name = 'lightllm';
  private budget = 0;
  private readonly whole = (remaining: number) => (remaining <= this.budget ? remaining : 0);
  private remaining = new Float64Array(256);
  private current = new Float64Array(256);
  private order = new Int32Array(256);

  private predictedRemaining(state: ReplicaState, r: SchedRequest): number {
    const predicted =
      state.history.quantileAbove(r.generated, state.config.outputLengthQuantile) ?? r.maxOutputTokens;
    return Math.max(1, Math.min(predicted, r.maxOutputTokens) - r.generated);
  }

  /** Predicted peak KV tokens if `extra` joins the running requests. */
  private predictedPeak(state: ReplicaState, extra: SchedRequest): number {
    const running = state.running;
    const n = running.length + 1;
    if (this.remaining.length < n) {
      this.remaining = new Float64Array(n * 2);
      this.current = new Float64Array(n * 2);
      this.order = new Int32Array(n * 2);
    }
    for (let i = 0; i < n; i++) {
      const r = i < running.length ? running[i] : extra;
      this.remaining[i] = this.predictedRemaining(state, r);
      this.current[i] = r.promptTokens + r.generated;
      this.order[i] = i;
    }
    const remaining = this.remaining;
    const order = this.order.subarray(0, n).sort((a, b) => remaining[b] - remaining[a]);
    // Longest-remaining first: when the i-th of them finishes, all before it are still alive.
    let peak = 0;
    let sumCurrent = 0;
    for (let k = 0; k < n; k++) {
      const j = order[k];
      sumCurrent += this.current[j];
      const usage = sumCurrent + remaining[j] * (k + 1);
      if (usage > peak) peak = usage;
    }
    return peak;
  }

  schedule(state: ReplicaState, plan: StepPlan): void {
    const config = state.config;
    const kv = state.kv;
    const capacity = kv.totalBlocks * kv.blockSize;
    this.budget = config.maxNumBatchedTokens;
    while (state.waiting.length > 0 && state.running.length < config.maxNumSeqs) {
      const head = state.waiting.peek()!;
      if (this.predictedPeak(state, head) > capacity) break;
      const r = tryAdmitHead(state, plan, this.whole);
      if (!r) break;
      this.budget -= r.scheduledTokens;
    }
    if (plan.count > 0) return;
    const running = state.running;
    for (let i = 0; i < running.length; i++) {
      const r = running[i];
      if (r.inFlight) continue;
      const n = isDecoding(r) ? 1 : remainingTokens(r);
      if (!growOrPreempt(state, plan, r, n)) {
        i--;
        continue;
      }
      plan.add(r, n);
    }
  }
}
