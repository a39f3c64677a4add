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
 *
 * Once the KV cache refuses a new request (`AddReqResult.NO_TOKEN`) or the running requests reach
 * `--max-running-requests`, the scheduler marks its running batch full and forms no prefill batch for
 * new requests (a prompt already being chunked goes on) until a request leaves the running batch,
 * finished or retracted, however far the new-token ratio decays meanwhile. Sources: sgl-project/sglang
 * python/sglang/srt/managers/scheduler.py (d51c1c21d1ac07cd5d1de9ead6c99087d8428e79): `get_new_batch_prefill`
 * returns at once `if (self.batch_is_full or len(self.waiting_queue) == 0) and self.current_inflight_req
 * is None`, sets `batch_is_full = True` on `running_bs >= self.max_running_requests` and on
 * `res == AddReqResult.NO_TOKEN`, and `handle_finished_requests` clears it for each finished request;
 * later versions keep the flag on the running batch and clear it where the batch shrinks
 * (`update_running_batch`: `if batch.batch_size() < initial_bs: batch.batch_is_full = False`, after
 * finished requests are filtered out or requests are retracted; the merge of a filtered mixed batch
 * likewise), as in the newest python/sglang/srt/managers/scheduler.py
 * (0003215cf1464f44b389cd0b18d0b4c56f2a3da6).
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
   * The KV tokens free when the batch opened, before the running requests' reservation is taken off
   * `availableTokens`: that sum runs over every running request, and only a step that takes a chunk or
   * admits needs it, so it is summed then (`reserveForRunning`), from the same values in the same order.
   */
  private openKvTokens = 0;
  private reservePending = false;
  private runningAtOpen: readonly SchedRequest[] = [];
  /** SGLang's `batch_is_full`: no new request is admitted until one leaves the running batch. */
  private batchFull = false;
  /** Running requests when the last step was formed: fewer now means one finished (left the batch). */
  private runningAfterLastStep = 0;
  /** Why the last refused request was refused: the KV cache's reservation (`NO_TOKEN`), not a budget. */
  private refusedForKv = false;
  /** The tokens `chunk` last gave a request (positive where only taking its blocks can still fail). */
  private lastChunk = 0;
  /**
   * A new request's tokens this step: its whole prompt where it fits the chunk budget, else a chunk of
   * it. After the first request of a batch, one whose prompt does not fit what is left of the input
   * budget (`--max-prefill-tokens`) ends the batch instead of being chunked.
   */
  private readonly chunk = (remaining: number) => {
    this.refusedForKv = false;
    this.lastChunk = 0;
    if (this.batched > 0 && remaining >= this.inputBudget) return 0;
    const n = Math.min(remaining, this.chunkBudget);
    if (n <= this.availableTokens) {
      this.lastChunk = n;
      return n;
    }
    this.refusedForKv = true;
    return 0;
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
    this.reserveForRunning();
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
    const conservativeness = state.config.scheduleConservativeness;
    const initRatio = Math.min(1, INIT_NEW_TOKEN_RATIO * conservativeness);
    if (this.ratio < 0) this.ratio = initRatio;

    // Prefill batch: first the chunked request in progress, then new requests. Mixed, the decodes'
    // tokens come out of its budgets.
    const decoding = state.config.mixedChunk ? decodingCount(state.running) : 0;
    this.openPrefillBatch(state, decoding);
    if (!this.continueChunkedPrefill(state, plan)) this.admitWaiting(state, plan);
    const prefilling = plan.count > 0;

    // Decode batch, or (mixed) the decodes that join the prefill batch.
    if (!prefilling || decoding > 0) {
      addDecodes(state, plan);
      this.updateNewTokenRatio(plan, prefilling, initRatio, MIN_NEW_TOKEN_RATIO * conservativeness);
    }
    this.runningAfterLastStep = state.running.length;
  }

  /**
   * Resets the prefill batch's budgets for this step (less the `decoding` requests that join it) and the
   * KV left after reserving for the running requests' future output; clears `batch_is_full` once a
   * request has left the running batch.
   */
  private openPrefillBatch(state: ReplicaState, decoding: number): void {
    const config = state.config;
    const running = state.running;
    this.chunkBudget = Math.min(config.chunkedPrefillSize, config.maxNumBatchedTokens) - decoding;
    this.inputBudget = config.maxPrefillTokens - decoding;
    this.batched = 0;
    this.openKvTokens = state.kv.availableBlocks() * state.kv.blockSize;
    this.runningAtOpen = running;
    this.reservePending = true;
    if (running.length < this.runningAfterLastStep || running.length === 0) this.batchFull = false;
  }

  /** Takes the running requests' future output off the KV tokens the batch opened with, once a step. */
  private reserveForRunning(): void {
    if (!this.reservePending) return;
    this.reservePending = false;
    let reserved = 0;
    for (const r of this.runningAtOpen) reserved += this.futureTokens(r);
    this.availableTokens = this.openKvTokens - reserved;
  }

  /**
   * Puts the next chunk of the running request still in its prompt (SGLang's `chunked_req`) in the
   * batch. True where that prompt is still not done after this chunk: no new request joins then.
   */
  private continueChunkedPrefill(state: ReplicaState, plan: StepPlan): boolean {
    for (const r of state.running) {
      if (r.inFlight || isDecoding(r) || remainingTokens(r) === 0) continue;
      const n = Math.min(remainingTokens(r), this.chunkBudget);
      if (n <= 0 || !state.kv.growTo(r, r.computed + n)) return false;
      plan.add(r, n);
      this.take(n);
      return n < remainingTokens(r);
    }
    return false;
  }

  /**
   * Admits waiting requests in order while the budgets have room, until one is refused or chunked. A
   * refusal by the KV cache, or the running batch reaching `--max-running-requests`, sets `batch_is_full`.
   */
  private admitWaiting(state: ReplicaState, plan: StepPlan): void {
    const running = state.running;
    while (!this.batchFull && this.budgetLeft() && state.waiting.length > 0) {
      if (running.length >= state.config.maxNumSeqs) {
        this.batchFull = true;
        return;
      }
      const reserve = this.admissionTokens(state.waiting.peek()!);
      this.reserveForRunning();
      this.availableTokens -= reserve;
      const r = tryAdmitHead(state, plan, this.chunk);
      if (!r) {
        this.availableTokens += reserve;
        // Refused by the KV cache (its reservation, or blocks it could not take), not by a budget.
        if (this.refusedForKv || this.lastChunk > 0) this.batchFull = true;
        return;
      }
      this.take(r.scheduledTokens);
      if (r.scheduledTokens < remainingTokens(r)) return;
    }
  }

  /** Resets the ratio on a retraction; else decays it as a decode batch (not a mixed prefill batch) forms. */
  private updateNewTokenRatio(
    plan: StepPlan,
    prefilling: boolean,
    initRatio: number,
    minRatio: number,
  ): void {
    // A retraction shrinks the running batch, which clears `batch_is_full` as a finished request does.
    if (plan.preempted) {
      this.ratio = initRatio;
      this.batchFull = false;
    } else if (!prefilling)
      this.ratio = Math.max(minRatio, this.ratio - (initRatio - minRatio) / NEW_TOKEN_RATIO_DECAY_STEPS);
  }
}

/** Adds one token for each running request past its prompt, retracting requests where the KV runs out. */
function addDecodes(state: ReplicaState, plan: StepPlan): void {
  const running = state.running;
  for (let i = 0; i < running.length; i++) {
    const r = running[i];
    if (r.inFlight || !isDecoding(r)) continue;
    if (!growOrPreempt(state, plan, r, 1)) {
      i--;
      continue;
    }
    plan.add(r, 1);
  }
}

/** Running requests past their prompt (the decode batch), not counting any already in the step. */
function decodingCount(running: readonly SchedRequest[]): number {
  let n = 0;
  for (const r of running) if (!r.inFlight && isDecoding(r)) n++;
  return n;
}
