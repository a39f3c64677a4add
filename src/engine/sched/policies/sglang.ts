import { growOrPreempt, type SchedulerPolicy, tryAdmitHead } from '../core.js';
import { isDecoding, remainingTokens, type SchedRequest } from '../request.js';
import type { ReplicaState, StepPlan } from '../state.js';

/** SGLang's constants: outputs counted at most this long when reserving, and the ratio's schedule. */
const CLIP_MAX_NEW_TOKENS = 4096;
const INIT_NEW_TOKEN_RATIO = 0.7;
const MIN_NEW_TOKEN_RATIO = 0.1;
const NEW_TOKEN_RATIO_DECAY_STEPS = 600;

/**
 * SGLang: prefill batches take priority over decode batches. A prefill batch holds up to
 * `chunked-prefill-size` tokens; a longer prompt is split and its chunks run one per step. A request is
 * admitted only if the KV left, after reserving for every running request's future output (clipped
 * max_new_tokens × a new-token ratio), holds its prompt and its own reservation. The ratio starts at
 * 0.7 × `schedule-conservativeness`, decays to 0.1 × over 600 decode steps, and resets when decoding
 * runs out of KV and must retract (preempt) requests.
 *
 * By default a prefill batch runs alone and the running decodes wait for it. With `--enable-mixed-chunk`
 * (`mixedChunk`) the running decodes join the prefill batch, one token each, and the prompt budget is
 * that many tokens smaller: sgl-project/sglang python/sglang/srt/managers/scheduler.py
 * (d51c1c21d1ac07cd5d1de9ead6c99087d8428e79), `_get_new_batch_prefill_raw` builds its `PrefillAdder`
 * with `running_bs if self.is_mixed_chunk else 0` (subtracted from the chunk and input budgets) and,
 * when `is_mixed_chunk` and the running batch is not empty, `new_batch.mix_with_running(running_batch)`.
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

    // Prefill batch: first the chunked request in progress, then new requests. Mixed, the decodes'
    // tokens come out of its budget.
    const decoding = config.mixedChunk ? decodingCount(running) : 0;
    this.budget = Math.min(config.chunkedPrefillSize, config.maxNumBatchedTokens) - decoding;
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
    const prefilling = plan.count > 0;
    if (prefilling && decoding === 0) return;

    // Decode batch, or (mixed) the decodes that join the prefill batch.
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
    // The ratio decays as a decode batch runs (`update_running_batch`), not in a mixed prefill batch.
    else if (!prefilling)
      this.ratio = Math.max(minRatio, this.ratio - (initRatio - minRatio) / NEW_TOKEN_RATIO_DECAY_STEPS);
  }
}

/** Running requests past their prompt (the decode batch), not counting any already in the step. */
function decodingCount(running: readonly SchedRequest[]): number {
  let n = 0;
  for (const r of running) if (!r.inFlight && isDecoding(r)) n++;
  return n;
}
