import { type SchedulerPolicy, tryAdmitHead } from '../core.js';
import { remainingTokens, type SchedRequest } from '../request.js';
import type { ReplicaState, StepPlan } from '../state.js';

/**
 * Orca: iteration-level (continuous) batching. Every step runs all running requests; new requests
 * join any step with their whole prompt (selective batching mixes them with decodes). Like Orca, the
 * KV for a request's maximum output is reserved at admission, so nothing is ever preempted.
 */
export class OrcaPolicy implements SchedulerPolicy {
  readonly name = 'orca';
  private budget = 0;
  private readonly whole = (remaining: number) => (remaining <= this.budget ? remaining : 0);
  private readonly reserveAll = (r: SchedRequest) => r.promptTokens + r.maxOutputTokens;

  schedule(state: ReplicaState, plan: StepPlan): void {
    let tokens = 0;
    for (const r of state.running) {
      if (r.inFlight) continue;
      const n = remainingTokens(r);
      plan.add(r, n);
      tokens += n;
    }
    this.budget = state.config.maxNumBatchedTokens - tokens;
    while (state.waiting.length > 0 && state.running.length < state.config.maxNumSeqs && this.budget > 0) {
      const r = tryAdmitHead(state, plan, this.whole, this.reserveAll);
      if (!r) break;
      this.budget -= r.scheduledTokens;
    }
  }
}
