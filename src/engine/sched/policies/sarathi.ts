import { growOrPreempt, type SchedulerPolicy, tryAdmitHead, trySwapIn } from '../core.js';
import { isDecoding, remainingTokens } from '../request.js';
import type { ReplicaState, StepPlan } from '../state.js';

/**
 * Sarathi-Serve / vLLM v1: one token budget per step (`max-num-batched-tokens`). Running decodes are
 * scheduled first, so a prefill never pauses them (stall-free); partial prefills continue next, then
 * waiting requests are admitted with chunks of what budget is left. When KV runs out the newest
 * running request is preempted (recompute, or swap as Sarathi-Serve's vLLM v0 base allows), and no
 * new request is admitted in that step. Swapped requests come back, oldest first, before new ones.
 */
export class SarathiPolicy implements SchedulerPolicy {
  constructor(readonly name: 'sarathi' | 'vllm-v1' = 'sarathi') {}
  private budget = 0;
  private readonly chunk = (remaining: number) => Math.min(remaining, this.budget);

  schedule(state: ReplicaState, plan: StepPlan): void {
    const config = state.config;
    this.budget = config.maxNumBatchedTokens;
    const running = state.running;
    // Decodes first: one token each.
    for (let i = 0; i < running.length && this.budget > 0; i++) {
      const r = running[i];
      if (r.inFlight || r.scheduledTokens > 0 || !isDecoding(r)) continue;
      if (!growOrPreempt(state, plan, r, 1)) {
        i--;
        continue;
      }
      plan.add(r, 1);
      this.budget -= 1;
    }
    // Then prompts already admitted and partly computed (chunked prefill, or recompute after preemption).
    for (let i = 0; i < running.length && this.budget > 0; i++) {
      const r = running[i];
      if (r.inFlight || r.scheduledTokens > 0) continue;
      const n = Math.min(remainingTokens(r), this.budget);
      if (!growOrPreempt(state, plan, r, n)) {
        i--;
        continue;
      }
      plan.add(r, n);
      this.budget -= n;
    }
    if (plan.preempted) return;
    while (state.swapped.length > 0 && running.length < config.maxNumSeqs && this.budget > 0) {
      const r = trySwapIn(state, plan);
      if (!r) return;
      // Swapped out with its KV; what is left is its next decode token (or the rest of its prompt).
      let n = Math.min(remainingTokens(r), this.budget);
      if (!state.kv.growTo(r, r.computed + n)) n = 1;
      plan.add(r, n);
      this.budget -= n;
    }
    if (state.swapped.length > 0) return;
    while (state.waiting.length > 0 && running.length < config.maxNumSeqs && this.budget > 0) {
      const r = tryAdmitHead(state, plan, this.chunk);
      if (!r) break;
      this.budget -= r.scheduledTokens;
    }
  }
}
