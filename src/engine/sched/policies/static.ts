import { type SchedulerPolicy, tryAdmitHead } from '../core.js';
import { remainingTokens, type SchedRequest } from '../request.js';
import type { ReplicaState, StepPlan } from '../state.js';

/**
 * Static batching (FasterTransformer): a batch is formed only when the previous one has fully
 * finished; its prompts are prefilled together, then it decodes until its last request is done. New
 * arrivals wait for the whole batch. KV for each request's whole output is reserved at admission.
 */
export class StaticPolicy implements SchedulerPolicy {
  readonly name = 'static';
  private budget = 0;
  private readonly whole = (remaining: number) => (remaining <= this.budget ? remaining : 0);
  private readonly reserveAll = (r: SchedRequest) => r.promptTokens + r.maxOutputTokens;

  schedule(state: ReplicaState, plan: StepPlan): void {
    if (state.running.length > 0) {
      for (const r of state.running) {
        if (!r.inFlight) plan.add(r, remainingTokens(r));
      }
      return;
    }
    this.budget = state.config.maxNumBatchedTokens;
    while (state.waiting.length > 0 && plan.count < state.config.maxNumSeqs) {
      const r = tryAdmitHead(state, plan, this.whole, this.reserveAll);
      if (!r) break;
      this.budget -= r.scheduledTokens;
    }
  }
}
