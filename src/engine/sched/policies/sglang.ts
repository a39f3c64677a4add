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
 * `chunked-prefill-size` tokens; a longer prompt is split and its chunks run one per step. Only the
 * batch's first request is split so: a later one joins only if its whole prompt fits what is left of
 * `--max-prefill-tokens`, else the batch ends. A request is admitted only if the KV left, after reserving
 * for every running request's future output (clipped max_new_tokens × a new-token ratio), holds its
 * prompt and its own whole clipped output. The ratio starts at 0.7 × `schedule-conservativeness`, decays
 * to 0.1 × over 600 decode steps, and resets when decoding runs out of KV and must retract (preempt)
 * requests. Source: sgl-project/sglang python/sglang/srt/managers/schedule_policy.py
 * (ad0119fdde519598c25f5c48b95dacaa2b85d607), `PrefillAdder.add_one_req`: `total_tokens =
 * extend_input_len + min(max_new_tokens, CLIP_MAX_NEW_TOKENS)` against `rem_total_tokens` (running
 * requests offset by `_get_running_request_total_token_offset`, × new_token_ratio), `if input_tokens >=
 * self.rem_input_tokens and len(self.can_run_list) != 0: return AddReqResult.OTHER`, then chunking by
 * `rem_chunk_tokens`.
 *
 * By default a prefill batch runs alone and the running decodes wait for it. With `--enable-mixed-chunk`
 * (`mixedChunk`) the running decodes join the prefill batch, one token each, and the prompt budget is
 * that many tokens smaller: sgl-project/sglang python/sglang/srt/managers/scheduler.py
 * (d51c1c21d1ac07cd5d1de9ead6c99087d8428e79), `get_new_batch_prefill` passes `num_mixed_running =
 * running_bs if self.is_mixed_chunk else 0` to its `PrefillAdder` (which takes it off the chunk and input
 * budgets) and, mixed, runs `new_batch.mix_with_running(self.running_batch)` (later versions the same in
 * `_get_new_batch_prefill_raw`).
 */
export class SglangPolicy implements SchedulerPolicy {
  readonly name = 'sglang';
  private ratio = -1;
  /** What is left of the prefill batch's chunk budget (`rem_chunk_tokens`) and input budget (`rem_input_tokens`). */
  private chunkBudget = 0;
  private inputBudget = 0;
  /** Requests already in the prefill batch being formed. */
  private batched = 0;
  private availableTokens = 0;
  /**
   * A new request's tokens this step: its whole prompt where it fits the chunk budget, else a chunk of
   * it. After the first request of a batch, one whose prompt does not fit what is left of the input
   * budget (`--max-prefill-tokens`) ends the batch instead of being chunked.
   */
  private readonly chunk = (remaining: number) => {
    if (this.batched > 0 && remaining >= this.inputBudget) return 0;
    const n = Math.min(remaining, this.chunkBudget);
    return n <= this.availableTokens ? n : 0;
  };

  private futureTokens(r: SchedRequest): number {
    return Math.min(r.maxOutputTokens - r.generated, CLIP_MAX_NEW_TOKENS) * this.ratio;
  }

  /** A request being admitted reserves its whole clipped output: the new-token ratio is for running ones. */
  private admissionTokens(r: SchedRequest): number {
    return Math.min(r.maxOutputTokens - r.generated, CLIP_MAX_NEW_TOKENS);
  }

  /** Counts `tokens` of a request put in the prefill batch against its budgets. */
  private take(tokens: number): void {
    this.chunkBudget -= tokens;
    this.inputBudget -= tokens;
    this.availableTokens -= tokens;
    this.batched++;
  }

  /** SGLang's `budget_state`: more requests may join while both budgets have room. */
  private budgetLeft(): boolean {
    return this.chunkBudget > 0 && this.inputBudget > 0;
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
    // tokens come out of its budgets.
    const decoding = config.mixedChunk ? decodingCount(running) : 0;
    this.chunkBudget = Math.min(config.chunkedPrefillSize, config.maxNumBatchedTokens) - decoding;
    this.inputBudget = config.maxPrefillTokens - decoding;
    this.batched = 0;
    let reserved = 0;
    for (const r of running) reserved += this.futureTokens(r);
    this.availableTokens = kv.availableBlocks() * kv.blockSize - reserved;
    let chunking = false;
    for (const r of running) {
      if (r.inFlight || isDecoding(r) || remainingTokens(r) === 0) continue;
      const n = Math.min(remainingTokens(r), this.chunkBudget);
      if (n <= 0 || !kv.growTo(r, r.computed + n)) break;
      plan.add(r, n);
      this.take(n);
      if (n < remainingTokens(r)) chunking = true;
      break;
    }
    while (!chunking && this.budgetLeft() && state.waiting.length > 0 && running.length < config.maxNumSeqs) {
      const reserve = this.admissionTokens(state.waiting.peek()!);
      this.availableTokens -= reserve;
      const r = tryAdmitHead(state, plan, this.chunk);
      if (!r) {
        this.availableTokens += reserve;
        break;
      }
      this.take(r.scheduledTokens);
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
    // The ratio decays as a decode batch is formed, not with a mixed prefill batch.
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
