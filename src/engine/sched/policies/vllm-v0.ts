import { growOrPreempt, type SchedulerPolicy, tryAdmitHead, trySwapIn } from '../core.js';
import type { ReplicaState, StepPlan } from '../state.js';

/**
 * vLLM v0 without chunked prefill: prefills first. When waiting prompts fit (token budget, sequence
 * limit, KV above the watermark), a step runs only those whole prompts and running decodes pause;
 * otherwise a decode step runs every running request, preempting the newest when KV runs out
 * (recompute by default, or swap), and swapped requests come back before new ones are admitted.
 */
export class VllmV0Policy implements SchedulerPolicy {
  readonly name = 'vllm-v0';
  private budget = 0;
  private readonly whole = (remaining: number) => (remaining <= this.budget ? remaining : 0);

  schedule(state: ReplicaState, plan: StepPlan): void {
    const config = state.config;
    if (state.swapped.length === 0) {
      this.budget = config.maxNumBatchedTokens;
      while (state.waiting.length > 0 && state.running.length < config.maxNumSeqs) {
        const r = tryAdmitHead(state, plan, this.whole);
        if (!r) break;
        this.budget -= r.scheduledTokens;
      }
      if (plan.count > 0) return;
    }
    const running = state.running;
    for (let i = 0; i < running.length; i++) {
      const r = running[i];
      if (r.inFlight || r.scheduledTokens > 0) continue;
      if (!growOrPreempt(state, plan, r, 1)) {
        // Victims come from the end of the list, so only `r` itself can have moved out before `i`.
        i--;
        continue;
      }
      plan.add(r, 1);
    }
    if (!plan.preempted) {
      while (state.swapped.length > 0 && running.length < config.maxNumSeqs) {
        const r = trySwapIn(state, plan);
        if (!r) break;
        plan.add(r, 1);
      }
    }
  }
}
