import { growOrPreempt, type SchedulerPolicy, tryAdmitHead } from '../core.js';
import { isDecoding, remainingTokens, type SchedRequest } from '../request.js';
import type { ReplicaState, StepPlan } from '../state.js';

/** SGLang's constants: outputs counted at most this long when reserving, and the ratio's schedule. */
const CLIP_MAX_NEW_TOKENS = 4096;
const INIT_NEW_TOKEN_RATIO = 0.7;
const MIN_NEW_TOKEN_RATIO = 0.1;
const NEW_TOKEN_RATIO_DECAY_STEPS = 600;

/**
 * SGLang: prefill batches take priority over decode batches (they do not mix). A prefill batch holds
 * up to `chunked-prefill-size` tokens; a longer prompt is split and its chunks run one per step. A
 * request is admitted only if the KV left, after reserving for every running request's future output
 * (clipped max_new_tokens × a new-token ratio), holds its prompt and its own reservation. The ratio
 * starts at 0.7 × `schedule-conservativeness`, decays to 0.1 × over 600 decode steps, and resets when
 * decoding runs out of KV and must retract (preempt) requests.
 */
export class SglangPolicy implements SchedulerPolicy {
  readonly name = 'sglang';
  private ratio = -1;
  private budget = 0;
  private availableTokens = 0;
  private readonly chunk = (remaining: number) => {
    const n = Math.min(remaining, this.budget);
    return n <= this.availableTokens ? n : 0;
  };

  private futureTokens(r: SchedRequest): number {
    return Math.min(r.maxOutputTokens - r.generated, CLIP_MAX_NEW_TOKENS) * this.ratio;
  }

  schedule(state: ReplicaState, plan: StepPlan): void {
    const config = state.config;
    const conservativeness = config.scheduleConservativeness;
    const minRatio = MIN_NEW_TOKEN_RATIO * conservativeness;
    const initRatio = Math.min(1, INIT_NEW_TOKEN_RATIO * conservativeness);
    if (this.ratio < 0) this.ratio = initRatio;
    const running = state.running;
    const kv = state.kv;

    // Prefill batch: first the chunked request in progress, then new requests.
    this.budget = Math.min(config.chunkedPrefillSize, config.maxNumBatchedTokens);
    let reserved = 0;
    for (const r of running) reserved += this.futureTokens(r);
    this.availableTokens = kv.availableBlocks() * kv.blockSize - reserved;
    let chunking = false;
    for (const r of running) {
      if (r.inFlight || isDecoding(r) || remainingTokens(r) === 0) continue;
      const n = Math.min(remainingTokens(r), this.budget);
      if (n <= 0 || !kv.growTo(r, r.computed + n)) break;
      plan.add(r, n);
      this.budget -= n;
      this.availableTokens -= n;
      if (n < remainingTokens(r)) chunking = true;
      break;
    }
    while (!chunking && this.budget > 0 && state.waiting.length > 0 && running.length < config.maxNumSeqs) {
      const head = state.waiting.peek()!;
      const reserve = this.futureTokens(head);
      this.availableTokens -= reserve;
      const r = tryAdmitHead(state, plan, this.chunk);
      if (!r) {
        this.availableTokens += reserve;
        break;
      }
      this.budget -= r.scheduledTokens;
      this.availableTokens -= r.scheduledTokens;
      if (r.scheduledTokens < remainingTokens(r)) chunking = true;
    }
    if (plan.count > 0) return;

    // Decode batch.
    for (let i = 0; i < running.length; i++) {
      const r = running[i];
      if (r.inFlight || !isDecoding(r)) continue;
      if (!growOrPreempt(state, plan, r, 1)) {
        i--;
        continue;
      }
      plan.add(r, 1);
    }
    if (plan.preempted) this.ratio = initRatio;
    else this.ratio = Math.max(minRatio, this.ratio - (initRatio - minRatio) / NEW_TOKEN_RATIO_DECAY_STEPS);
  }
}
