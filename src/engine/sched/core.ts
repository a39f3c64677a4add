import { RequestStatus, remainingTokens, type SchedRequest, servedBefore } from './request.js';
import type { ReplicaState, StepPlan } from './state.js';

/**
 * The operations every policy shares: admitting, preempting, resuming, and applying a finished step.
 * Policies decide *which* requests and how many tokens; these keep the queues and the KV cache right.
 */

/** Whether `blocks` more blocks can be taken while leaving the watermark free. */
function fitsWithWatermark(state: ReplicaState, blocks: number): boolean {
  const kv = state.kv;
  const watermark = Math.floor(state.config.watermark * kv.totalBlocks);
  return kv.availableBlocks() - blocks >= watermark;
}

/**
 * Tries to admit the request at the head of the waiting queue with `tokens` tokens this step (a
 * prompt chunk, or the whole of it), reserving KV for `reserveTokens` in total (defaults to what the
 * step needs). Looks up its prefix in the cache first. On success it is running and scheduled.
 * `tokensFor` lets a policy size the chunk after the prefix hit is known.
 */
export function tryAdmitHead(
  state: ReplicaState,
  plan: StepPlan,
  tokensFor: (remaining: number) => number,
  reserveTokens?: (r: SchedRequest) => number,
): SchedRequest | undefined {
  const r = state.waiting.peek();
  if (!r) return undefined;
  const kv = state.kv;
  const fresh = r.computed === 0;
  if (fresh) kv.acquirePrefix(r);
  const tokens = tokensFor(remainingTokens(r));
  const total = reserveTokens ? reserveTokens(r) : r.computed + tokens;
  if (tokens <= 0 || !fitsWithWatermark(state, kv.blocksNeeded(r, total)) || !kv.growTo(r, total)) {
    // Undo the prefix references: the request stays waiting holding nothing.
    if (fresh) {
      kv.release(r);
      r.computed = 0;
    }
    return undefined;
  }
  state.waiting.shift();
  r.status = RequestStatus.Running;
  state.running.push(r);
  plan.add(r, tokens);
  // Prefix blocks found in host memory are copied in over the host link, in this step.
  if (fresh && kv.hostHitTokens > 0) {
    plan.swapInTokens += kv.hostHitTokens;
    state.hostHitTokens += kv.hostHitTokens;
  }
  return r;
}

/**
 * Takes `r` off the GPU. Swap keeps its computed KV in host memory (if the swap space has room), to
 * be copied back; recompute drops it and sends the request to the front of the waiting queue.
 */
export function preempt(state: ReplicaState, plan: StepPlan, r: SchedRequest): void {
  const index = state.running.indexOf(r);
  if (index >= 0) state.running.splice(index, 1);
  if (r.scheduledTokens > 0) unschedule(plan, r);
  const kv = state.kv;
  const blocks = kv.blocksFor(r.computed);
  r.preemptions++;
  state.preemptions++;
  plan.preempted = true;
  if (state.config.preemption === 'swap' && state.swapUsedBlocks + blocks <= state.swapCapacityBlocks) {
    kv.release(r);
    state.swapUsedBlocks += blocks;
    plan.swapOutTokens += r.computed;
    r.status = RequestStatus.Swapped;
    state.swapped.pushBack(r);
    return;
  }
  kv.release(r);
  r.computed = 0;
  r.status = RequestStatus.Waiting;
  if (state.config.schedulingPolicy === 'priority') state.waiting.insertOrdered(r, servedBefore);
  else state.waiting.pushFront(r);
}

/** A request arrives at the replica: at the back of the waiting queue, or in its priority's place. */
export function enqueueWaiting(state: ReplicaState, r: SchedRequest): void {
  if (state.config.schedulingPolicy === 'priority') state.waiting.insertOrdered(r, servedBefore);
  else state.waiting.pushBack(r);
}

function unschedule(plan: StepPlan, r: SchedRequest): void {
  for (let i = 0; i < plan.count; i++) {
    if (plan.requests[i] === r) {
      for (let j = i; j < plan.count - 1; j++) plan.requests[j] = plan.requests[j + 1];
      plan.count--;
      break;
    }
  }
  r.scheduledTokens = 0;
}

/**
 * Grows `r`'s KV to take `tokens` more tokens, preempting the lowest-priority running requests (the
 * most recently admitted that are not already in this step) until it fits. Returns false when `r`
 * itself had to be preempted.
 */
export function growOrPreempt(state: ReplicaState, plan: StepPlan, r: SchedRequest, tokens: number): boolean {
  const kv = state.kv;
  while (!kv.growTo(r, r.computed + tokens)) {
    const victim = lowestPriorityVictim(state, r);
    if (!victim) {
      preempt(state, plan, r);
      return false;
    }
    preempt(state, plan, victim);
  }
  return true;
}

/**
 * The running request to preempt for `except`: the most recently admitted (first come first served),
 * or under priority scheduling the one served last (`servedBefore`), `except` itself where that is it.
 */
function lowestPriorityVictim(state: ReplicaState, except: SchedRequest): SchedRequest | undefined {
  if (state.config.schedulingPolicy === 'priority') return lastServedVictim(state, except);
  for (let i = state.running.length - 1; i >= 0; i--) {
    const candidate = state.running[i];
    if (candidate !== except && candidate.scheduledTokens === 0 && !candidate.inFlight) return candidate;
  }
  return undefined;
}

/** As vLLM v1 does, a request already in this step may be the victim (it leaves the step). */
function lastServedVictim(state: ReplicaState, except: SchedRequest): SchedRequest | undefined {
  let victim: SchedRequest | undefined;
  for (let i = 0; i < state.running.length; i++) {
    const candidate = state.running[i];
    if (candidate === except || candidate.inFlight) continue;
    if (victim === undefined || servedBefore(victim, candidate)) victim = candidate;
  }
  return victim !== undefined && servedBefore(except, victim) ? victim : undefined;
}

/** Brings the oldest swapped-out request back if its KV (plus one token) fits with the watermark. */
export function trySwapIn(state: ReplicaState, plan: StepPlan): SchedRequest | undefined {
  const r = state.swapped.peek();
  if (!r) return undefined;
  const kv = state.kv;
  const need = kv.blocksNeeded(r, r.computed + 1);
  if (!fitsWithWatermark(state, need) || !kv.growTo(r, r.computed + 1)) return undefined;
  state.swapped.shift();
  state.swapUsedBlocks -= kv.blocksFor(r.computed);
  plan.swapInTokens += r.computed;
  r.status = RequestStatus.Running;
  state.running.push(r);
  return r;
}

/** Receives what a finished step produced; implemented by the simulator and by a real engine. */
export interface StepSink {
  /** `r` sampled a token (its `generated` already counts it). Return true when `r` is finished. */
  onToken(r: SchedRequest): boolean;
  /** `r` finished and released its KV. */
  onFinish(r: SchedRequest): void;
}

/**
 * Applies a step that ran: advances each scheduled request, samples where a request's tokens are all
 * computed, publishes completed prompts to the prefix cache, and retires finished requests.
 */
export function commitStep(state: ReplicaState, plan: StepPlan, sink: StepSink): void {
  const kv = state.kv;
  const publishes = kv.prefixCachingEnabled;
  let finished = 0;
  for (let i = 0; i < plan.count; i++) {
    const r = plan.requests[i];
    r.computed += r.scheduledTokens;
    r.scheduledTokens = 0;
    r.inFlight = false;
    if (publishes && !r.prefixPublished && r.computed >= r.promptTokens) kv.publishPrefix(r);
    if (r.computed === r.promptTokens + r.generated) {
      r.generated++;
      if (sink.onToken(r)) {
        r.status = RequestStatus.Finished;
        kv.release(r);
        state.history.add(r.generated);
        finished++;
      }
    }
  }
  if (finished > 0) {
    const running = state.running;
    let kept = 0;
    for (let i = 0; i < running.length; i++) {
      const r = running[i];
      if (r.status !== RequestStatus.Finished) running[kept++] = r;
    }
    running.length = kept;
    for (let i = 0; i < plan.count; i++) {
      const r = plan.requests[i];
      if (r.status === RequestStatus.Finished) sink.onFinish(r);
    }
  }
}

/** A scheduling policy: forms the next batch from a replica's state. One file per policy. */
export interface SchedulerPolicy {
  readonly name: string;
  /** Fills `plan` (already reset) with the next step's requests and tokens; may admit, preempt, resume. */
  schedule(state: ReplicaState, plan: StepPlan): void;
}
