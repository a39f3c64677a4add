import type { StepModel } from '../perf/step-model.js';
import type { ResolvedSchedulerConfig } from '../sched/config.js';
import type { SchedulerPolicy } from '../sched/core.js';
import { Deque } from '../sched/deque.js';
import type { CountingKvBlockManager } from '../sched/kv-cache.js';
import type { SchedRequest } from '../sched/request.js';
import { ReplicaState, StepPlan } from '../sched/state.js';

import type { EpGroup } from './ep-group.js';
import { HeldRequests } from './held-requests.js';
import { RECV_WEIGHT_DECODE } from './recv-gate.js';
import type { RemoteKvLoads } from './remote-kv-load.js';
import type { DraftingRequest, SpeculativeDecoder } from './speculation.js';

/** A request in the simulator: the scheduler's view plus its timestamps (seconds). */
export interface SimRequest extends SchedRequest, DraftingRequest {
  /** When it arrives: the workload's time, moved with its block where the workload is served in blocks. */
  arrival: number;
  /** Output tokens it will produce (the trace's): it finishes after this many. */
  readonly outputTokens: number;
  firstScheduled: number;
  firstToken: number;
  lastToken: number;
  finish: number;
  maxGap: number;
  /** Gaps between its tokens longer than the SLO's `tbt` target. */
  gapsOverTbt: number;
  kvTransferSeconds: number;
  /**
   * Disaggregated SGLang with a gated decode pool (bootstrap-gate.ts): the decode replica and the
   * prefill replica paired with it at its arrival (indices into their pools); −1: not paired so.
   */
  decodeReplica: number;
  prefillReplica: number;
  failed: boolean;
  /** Its class (workload `className`), for per-class metrics. */
  readonly className: string | undefined;
  /** Sessions: the index of the session's next turn (−1: none), sent `thinkSeconds` after this finishes. */
  nextTurn: number;
  /** Sessions: seconds after the previous turn's last token that this turn is sent (0: not a later turn). */
  readonly thinkSeconds: number;
  /** Sessions with KV pinning: prefix blocks this finished turn keeps pinned on `pinnedOn` (replica index). */
  pinnedHashes: number;
  pinnedOn: number;
  /** Tokens drafted for it in the step in flight (speculative decoding); 0: a plain decode. */
  specTokens: number;
  /** Its own per-position draft acceptance rate, where the workload gives one; -1: the pool's rates. */
  readonly acceptance: number;
}

export type PoolRole = 'mixed' | 'prefill' | 'decode';

/** One replica: a scheduler policy over its state, a step-time model, and the pipeline's in-flight batches. */
export class SimReplica {
  readonly state: ReplicaState;
  /** One plan per micro-batch that may be in flight (pipeline depth). */
  readonly plans: StepPlan[];
  private readonly freeSlots: number[];
  inFlight = 0;
  /** When each pipeline stage is next free. */
  readonly stageFree: Float64Array;
  wakePending = false;
  /** Until when the running step's excess over its model time lasts (it comes first in the step). */
  slowUntil = 0;
  /** Its pool's speculative decoding; null: none. */
  speculation: SpeculativeDecoder | null = null;
  /** The EP group it steps with, as one attention-DP rank of it; null: it steps on its own. */
  epGroup: EpGroup | null = null;
  /**
   * The engine schedules one step ahead (perf/overlap-scheduling.ts): requests that arrive while a step
   * runs wait in `incoming` and reach the waiting queue only once the next step has been scheduled.
   */
  overlapScheduling = false;
  /** Arrived while a step ran, not yet seen by the scheduler. */
  readonly incoming = new HeldRequests();
  /**
   * SGLang `--scheduler-recv-interval` (recv-gate.ts): the scheduler takes in arrivals only on some
   * iterations; between them they wait in `incoming`. 1: every iteration.
   */
  readonly recvInterval: number;
  recvCounter = 0;
  lastStepWeight = RECV_WEIGHT_DECODE;
  /**
   * A gated SGLang decode replica (bootstrap-gate.ts): requests paired with it that its scheduler has
   * not yet taken in, whose prefill therefore may not start.
   */
  readonly awaitingRecv = new HeldRequests();
  /**
   * Requests it has already taken in whose KV arrived while a step ran (an overlap scheduler sees them
   * after the next step's scheduling, as `incoming`, but the recv gate does not hold them).
   */
  readonly received = new HeldRequests();
  /** vLLM disaggregated decode: transferred requests whose pull the scheduler has not yet read (remote-kv-load.ts); null: none. */
  kvLoads: RemoteKvLoads | null = null;
  /** TensorRT-LLM's batch-waiting counter: steps its prompts have been held back (`waitsForBatch`). */
  private batchWaitSteps = 0;
  /** Its waiting requests while batch waiting holds them back (reused). */
  private readonly heldPrompts = new Deque<SchedRequest>(64);

  constructor(
    readonly index: number,
    readonly role: PoolRole,
    readonly config: ResolvedSchedulerConfig,
    readonly kv: CountingKvBlockManager,
    readonly policy: SchedulerPolicy,
    readonly stepModel: StepModel,
    readonly pipelineDepth: number,
    kvBytesPerBlockPerGpu: number,
  ) {
    this.state = new ReplicaState(config, kv, kvBytesPerBlockPerGpu);
    // The engine's skipper runs only in a single-stage loop (pipelined loops are not gated).
    this.recvInterval = pipelineDepth === 1 ? config.schedulerRecvInterval : 1;
    this.plans = Array.from({ length: pipelineDepth }, () => new StepPlan());
    this.freeSlots = Array.from({ length: pipelineDepth }, (_, i) => pipelineDepth - 1 - i);
    this.stageFree = new Float64Array(pipelineDepth);
  }

  takeSlot(): number {
    return this.freeSlots.pop()!;
  }

  returnSlot(slot: number): void {
    this.freeSlots.push(slot);
  }

  /**
   * Whether TensorRT-LLM's batch waiting holds this step's prompts back; called once per scheduling
   * pass of a replica that steps on its own. With `batch_wait_timeout_iters` (config `batchWaitIters`)
   * and `batch_wait_max_tokens_ratio` (`batchWaitTokensRatio`), PyExecutor._schedule, where the step
   * would run both prompts and decodes and attention DP is off, calls `_waiting_requests`: it runs the
   * step without its prompts, counting one, until the count reaches the timeout or the step's tokens
   * (prompt tokens plus one per decode) reach the ratio of `max_num_tokens`; then the prompts run and
   * the count restarts (NVIDIA/TensorRT-LLM tensorrt_llm/_torch/pyexecutor/py_executor.py, `_schedule`
   * and `_waiting_requests`, release 1.2 line). A step with no decodes never waits.
   */
  waitsForBatch(): boolean {
    const c = this.config;
    if (c.batchWaitIters <= 0) return false;
    const { waiting, running } = this.state;
    // The engine schedules prompts only with a free slot; a step without prompts or decodes is not counted.
    if (waiting.length === 0 || running.length === 0 || running.length >= c.maxNumSeqs) return false;
    const enough = c.batchWaitTokensRatio * c.maxNumBatchedTokens;
    let tokens = running.length;
    for (let i = 0; i < waiting.length && tokens < enough; i++) tokens += waiting.at(i).promptTokens;
    if (this.batchWaitSteps >= c.batchWaitIters || tokens >= enough) {
      this.batchWaitSteps = 0;
      return false;
    }
    this.batchWaitSteps++;
    return true;
  }

  /** Takes the waiting requests out of the scheduler's sight (`restorePrompts` puts them back). */
  holdPrompts(): void {
    const waiting = this.state.waiting;
    while (waiting.length > 0) this.heldPrompts.pushBack(waiting.shift()!);
  }

  /** Puts the held requests back in the queue, in their order, behind any the scheduler queued. */
  restorePrompts(): void {
    const waiting = this.state.waiting;
    while (this.heldPrompts.length > 0) waiting.pushBack(this.heldPrompts.shift()!);
  }

  /** Prompt tokens still to be computed by waiting requests (for KV-load routing). */
  waitingTokens(): number {
    const waiting = this.state.waiting;
    let tokens = 0;
    for (let i = 0; i < waiting.length; i++) tokens += waiting.at(i).promptTokens;
    for (let i = 0; i < this.incoming.count; i++) tokens += this.incoming.at(i).promptTokens;
    return tokens;
  }
}
