import type { Link } from '../perf/comm.js';
import {
  addDecode,
  addPrefillChunk,
  type BatchShape,
  createBatchShape,
  resetBatchShape,
} from '../perf/shape.js';
import { describeSpeculation } from '../perf/speculation.js';
import { addVerification } from '../perf/speculation-cost.js';
import { createStepTiming, type StepTiming } from '../perf/step-model.js';
import { commitStep, enqueueWaiting, type StepSink } from '../sched/core.js';
import { RequestStatus, type SchedRequest } from '../sched/request.js';
import type { StepPlan } from '../sched/state.js';
import { decodeGatesPrefill } from './bootstrap-gate.js';
import type { ClientRun } from './client-model.js';
import type { EpGroup } from './ep-group.js';
import { EventQueue } from './event-queue.js';
import { BucketedSeries, GapHistogram } from './metrics.js';
import type { Pool } from './pools.js';
import { RECV_WEIGHT_OTHER, recvGated, recvThisIteration, stepRecvWeight } from './recv-gate.js';
import type { SimReplica, SimRequest } from './replica.js';
import type { StepFactors } from './step-factors.js';
import { type RunRecord, type RunTotals, summarizeRun } from './summarize-run.js';
import type { RunSummary } from './summary.js';

// Event kinds. An event carries two integers: STEP_DONE (replica index, slot + pool index × 65536),
// WAKE (replica index, pool index), KV_ARRIVAL (request id, unused), TURN (request id, unused),
// UNPIN (request id, unused).
const STEP_DONE = 0;
const WAKE = 1;
const KV_ARRIVAL = 2;
const TURN = 3;
const UNPIN = 4;

export interface SimulationSetup {
  /** The entry pool (mixed or prefill) first, then the decode pool where disaggregated. */
  pools: Pool[];
  /** In arrival order (`simRequests`). */
  requests: SimRequest[];
  /**
   * How many of `requests` arrive at their own time; the rest are later turns of sessions, each sent
   * when the turn before it (`nextTurn`) finishes. Default: all.
   */
  streamLength?: number;
  /** Disaggregated: the link the KV travels over from the prefill to the decode pool. */
  kvLink: Link | undefined;
  /** Single-stage replicas' step-time factors; null: every step takes the model's time. */
  stepFactors: StepFactors | null;
  /** The run's client where it is not an ideal one (`ClientModel`). */
  client: ClientRun | null;
  timeSeriesPoints: number;
  /**
   * Completions that warm the run up, left out of its metrics: the measured window opens when this
   * many requests have finished (0: at the first arrival).
   */
  warmUpRequests: number;
  /** The model's sliding window, which caps the keys a batch's sliding layers read (none: no cap). */
  slidingWindow?: number;
  /** An MLA model: speculative verifications run as decodes (BatchShape.verifiesAsDecodes). */
  verifiesAsDecodes?: boolean;
  /** The SLO's `tbt` target (+∞: none): each request counts its gaps over it (`requestMeetsSlo`). */
  tbtTarget: number;
}

/**
 * One simulated run: a discrete-event loop over arrivals (read in order from the requests, not
 * queued), step completions, pipeline wake-ups and KV arrivals, one method per kind. No per-token
 * events: a step's completion commits every token of the step, and the simulation is the sink of those
 * commits (`StepSink`). The hot path (a step's start and commit) allocates nothing.
 */
export class Simulation implements StepSink {
  private readonly pools: Pool[];
  private readonly entry: Pool;
  private readonly decodePool: Pool | undefined;
  /** SGLang with a gated decode pool: a prefill waits for its decode server to take it in (bootstrap-gate.ts). */
  private readonly bootstrapAtDecode: boolean;
  private readonly requests: SimRequest[];
  private readonly streamLength: number;
  private readonly kvLink: Link | undefined;
  private readonly stepFactors: StepFactors | null;
  private readonly client: ClientRun | null;
  private readonly events = new EventQueue();
  private readonly shape: BatchShape;
  private readonly timing = createStepTiming();
  private readonly itl = new GapHistogram();
  private readonly tbtTarget: number;
  private readonly kvSeries: BucketedSeries;
  private readonly kvCachedSeries: BucketedSeries;
  private readonly batchSeries: BucketedSeries;
  /** The first request's arrival: the series count from it. */
  private startTime = 0;
  /**
   * When the measured window opened: −∞ without a warm-up, +∞ until the warm-up's last completion.
   * Token gaps and requests that end by then are the warm-up's.
   */
  private measuredFrom: number;
  /** Completions left before the measured window opens. */
  private warmUpLeft: number;
  private now = 0;
  private steps = 0;
  private cachedPrompt = 0;
  private failed = 0;
  /** Requests arrived so far (the next to arrive is this index). */
  private nextArrival = 0;
  /** The replica whose step is being committed: the sink's calls are about its requests. */
  private committing: SimReplica | null = null;
  /** The draft passes of the step being formed (speculative decoding), seconds. */
  private draftSeconds = 0;

  constructor(setup: SimulationSetup) {
    this.pools = setup.pools;
    this.entry = setup.pools[0];
    this.decodePool = setup.pools.length > 1 ? setup.pools[1] : undefined;
    this.bootstrapAtDecode = this.decodePool !== undefined && decodeGatesPrefill(this.decodePool.replicas);
    this.requests = setup.requests;
    this.streamLength = setup.streamLength ?? setup.requests.length;
    this.kvLink = setup.kvLink;
    this.stepFactors = setup.stepFactors;
    this.client = setup.client;
    this.kvSeries = new BucketedSeries(setup.timeSeriesPoints * 2);
    this.kvCachedSeries = new BucketedSeries(setup.timeSeriesPoints * 2);
    this.batchSeries = new BucketedSeries(setup.timeSeriesPoints * 2);
    this.shape = createBatchShape(setup.slidingWindow, setup.verifiesAsDecodes ?? false);
    this.warmUpLeft = setup.warmUpRequests;
    this.tbtTarget = setup.tbtTarget;
    this.measuredFrom = setup.warmUpRequests > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  /** Runs until no request is left to arrive and no event is pending. */
  run(): void {
    this.runEvents(Number.POSITIVE_INFINITY);
  }

  /** Requests arrived so far, of `requestCount`: how far a run in slices has come. */
  get arrived(): number {
    return this.nextArrival;
  }

  get requestCount(): number {
    return this.requests.length;
  }

  /**
   * Runs at most `budget` events (arrivals included) and returns whether the run is over; a caller that
   * must stay responsive (the engine worker) runs a simulation in slices and yields between them.
   */
  runEvents(budget: number): boolean {
    const events = this.events;
    for (let left = budget; left > 0; left--) {
      const arrivalTime = this.nextArrivalTime();
      const eventTime = events.peekTime();
      if (arrivalTime === Number.POSITIVE_INFINITY && eventTime === Number.POSITIVE_INFINITY) return true;
      if (arrivalTime <= eventTime) {
        this.arrive(arrivalTime);
        continue;
      }
      events.pop();
      this.now = events.time;
      const kind = events.kind;
      if (kind === STEP_DONE) {
        this.stepDone(this.pools[events.b >> 16].replicas[events.a], events.b & 0xffff);
      } else if (kind === WAKE) {
        this.wake(this.pools[events.b].replicas[events.a]);
      } else if (kind === KV_ARRIVAL) {
        this.kvArrived(this.requests[events.a]);
      } else if (kind === TURN) {
        this.admit(this.requests[events.a], this.now);
      } else {
        this.unpin(this.requests[events.a]);
      }
    }
    return false;
  }

  /** The run's summary; `record`: what it was (label, config, …) and when its wall clock started. */
  summary(record: RunRecord): RunSummary {
    const replicas = this.pools.flatMap((p) => p.replicas);
    const totals: RunTotals = {
      failed: this.failed,
      cachedPrompt: this.cachedPrompt,
      itl: this.itl,
      kvSeries: this.kvSeries,
      kvCachedSeries: this.kvCachedSeries,
      batchSeries: this.batchSeries,
      steps: this.steps,
      startTime: this.startTime,
      measuredFrom: this.measuredFrom,
      endTime: this.now,
      prefixCaching: replicas.some((r) => r.config.enablePrefixCaching),
      preemptions: replicas.reduce((sum, r) => sum + r.state.preemptions, 0),
      hostHitTokens: replicas.reduce((sum, r) => sum + r.state.hostHitTokens, 0),
      disaggregated: this.decodePool !== undefined,
    };
    const speculation = speculationTotals(replicas, this.requests);
    if (speculation) totals.speculation = speculation;
    const client = this.client;
    return summarizeRun(this.requests, totals, record, client ? (finished) => client.seen(finished) : null);
  }

  /** When the next request arrives; +∞ when none is left (or the client holds it back). */
  private nextArrivalTime(): number {
    const index = this.nextArrival;
    if (index >= this.streamLength) return Number.POSITIVE_INFINITY;
    const arrival = this.requests[index].arrival;
    return this.client === null ? arrival : this.client.dueTime(index, arrival);
  }

  /** The next request arrives at `time`: routed to an entry replica, or failed where it cannot be served. */
  private arrive(time: number): void {
    this.now = time;
    // Where a client sets the send times, the first is its own, not the workload's first arrival.
    if (this.nextArrival === 0) this.startTime = time;
    this.admit(this.requests[this.nextArrival++], time);
  }

  /** `r` is sent at `time`: routed to an entry replica, or failed where it cannot be served. */
  private admit(r: SimRequest, time: number): void {
    r.arrival = time;
    const replica = this.entry.router.choose(r);
    const decodePool = this.decodePool;
    if (!accepts(replica, r) || (decodePool !== undefined && !accepts(decodePool.replicas[0], r))) {
      r.failed = true;
      this.failed++;
      this.settle(r);
      return;
    }
    if (this.client !== null) r.arrival = this.client.sentAt(replica, time);
    if (this.bootstrapAtDecode && this.heldForDecodeRecv(r, replica)) return;
    this.enqueue(replica, r);
  }

  /**
   * SGLang's bootstrap (bootstrap-gate.ts): pairs `r` with its decode replica now; true where that
   * replica's recv gate holds it, its prefill waiting until the decode server takes it in.
   */
  private heldForDecodeRecv(r: SimRequest, prefill: SimReplica): boolean {
    const decode = this.decodePool!.router.choose(r);
    r.decodeReplica = decode.index;
    r.prefillReplica = prefill.index;
    if (!recvGated(decode)) return false;
    if (isStepping(decode)) {
      decode.awaitingRecv.hold(r);
      return true;
    }
    // An idle loop spins and takes the request in at once (recv-gate.ts).
    decode.recvCounter = 0;
    return false;
  }

  /** A gated decode replica took in new requests: the prefills paired with it may start. */
  private releaseToPrefill(decode: SimReplica): void {
    const count = decode.awaitingRecv.take();
    const prefills = this.entry.replicas;
    for (let i = 0; i < count; i++) {
      const r = decode.awaitingRecv.at(i);
      this.enqueue(prefills[r.prefillReplica], r);
    }
  }

  /** A step of `replica` (its plan in `slot`) completed: its tokens are committed and the next may start. */
  private stepDone(replica: SimReplica, slot: number): void {
    replica.inFlight--;
    this.committing = replica;
    commitStep(replica.state, replica.plans[slot], this);
    replica.returnSlot(slot);
    const group = replica.epGroup;
    // A lockstep group's next step starts once every rank has committed this one.
    if (group !== null) {
      if (--group.inFlight === 0) this.tryStartGroup(group);
      return;
    }
    this.tryStart(replica);
  }

  /** A pipelined replica's first stage is free again. */
  private wake(replica: SimReplica): void {
    replica.wakePending = false;
    this.tryStart(replica);
  }

  /**
   * Disaggregated: a request's KV reached the decode pool. Its first token (the prefill's) is not the
   * client's yet: the decode worker streams it with the token of the request's first decode step, so
   * the client's TTFT also holds the wait for a decode slot (a full decode batch queues the hand-off)
   * and that step (`onToken`).
   */
  private kvArrived(r: SimRequest): void {
    r.prefillOnly = false;
    r.status = RequestStatus.Waiting;
    if (r.decodeReplica >= 0) {
      this.receive(this.decodePool!.replicas[r.decodeReplica], r);
      return;
    }
    const replica = this.decodePool!.router.choose(r);
    // vLLM pulls the KV while a step runs and schedules the request once a step's output says so.
    if (replica.kvLoads !== null && isStepping(replica)) {
      replica.kvLoads.hold(r);
      return;
    }
    this.enqueue(replica, r);
  }

  /**
   * `r`'s KV reached the decode replica that took it in before its prefill (bootstrap-gate.ts): its
   * scheduler polls the transfer every loop, so the recv gate does not hold it; an overlap scheduler
   * running a step sees it after the next step's scheduling, as any arrival.
   */
  private receive(replica: SimReplica, r: SimRequest): void {
    // Ungated (an EP group's rank among them, whose group step releases only `incoming`): as any arrival.
    if (!recvGated(replica)) {
      this.enqueue(replica, r);
      return;
    }
    if (replica.overlapScheduling && isStepping(replica)) {
      replica.received.hold(r);
      return;
    }
    enqueueWaiting(replica.state, r);
    this.tryStart(replica);
  }

  /**
   * `r` reaches `replica`'s scheduler: at once where the replica is idle or schedules step by step; held
   * until after the next step's scheduling where an overlap scheduler is running a step (it has already
   * scheduled the step that follows).
   */
  private enqueue(replica: SimReplica, r: SimRequest): void {
    const gated = recvGated(replica);
    if ((replica.overlapScheduling || gated) && isStepping(replica)) {
      replica.incoming.hold(r);
      return;
    }
    // An idle loop spins and takes the request in at once (recv-gate.ts).
    if (gated) replica.recvCounter = 0;
    enqueueWaiting(replica.state, r);
    this.tryStart(replica);
  }

  /** `StepSink`: a request of the committed step sampled a token; true when that was its last. */
  onToken(sr: SchedRequest): boolean {
    const r = sr as SimRequest;
    const now = this.now;
    if (r.generated === 1) {
      this.cachedPrompt += r.cachedPromptTokens;
      if (r.prefillOnly) {
        // Disaggregated: the first token reaches the client from the decode pool, after the KV transfer.
        if (r.generated >= r.outputTokens) {
          r.firstToken = now;
          r.lastToken = now;
        }
        return true;
      }
      r.firstToken = now;
      r.lastToken = now;
      return r.generated >= r.outputTokens;
    }
    // A verification step emits the accepted drafted tokens with the target's own, all at once.
    let tokens = 1;
    if (r.specTokens > 0) {
      const extra = this.committing!.speculation!.accepted(r, r.specTokens, r.outputTokens - r.generated);
      r.specTokens = 0;
      r.generated += extra;
      r.computed += extra;
      tokens += extra;
    }
    // The first and the last token's times are set together and the clock only moves on, so the last
    // is unset exactly where the first is: one time field read per decode, not two.
    const lastToken = r.lastToken;
    if (lastToken < 0) {
      // Disaggregated: the decode pool's first step delivers the prefill's token with its own.
      r.firstToken = now;
      r.lastToken = now;
      return r.generated >= r.outputTokens;
    }
    const gap = now - lastToken;
    // Inter-token latency is per emitted token: a gap that brought several tokens counts once for each.
    if (now > this.measuredFrom) {
      const perToken = gap / tokens;
      for (let i = 0; i < tokens; i++) this.itl.add(perToken);
    }
    if (gap > r.maxGap) r.maxGap = gap;
    if (gap > this.tbtTarget) r.gapsOverTbt++;
    r.lastToken = now;
    return r.generated >= r.outputTokens;
  }

  /** `StepSink`: a request left its replica: finished, or a prefill whose KV now travels to decode. */
  onFinish(sr: SchedRequest): void {
    const r = sr as SimRequest;
    if (r.prefillOnly && r.generated < r.outputTokens && this.decodePool && this.kvLink) {
      const decode = this.decodePool.stepModel;
      const transfer = this.committing!.stepModel.kvTransferSeconds(r.computed, this.kvLink, decode);
      r.kvTransferSeconds = transfer;
      this.events.push(this.now + transfer, KV_ARRIVAL, r.id, 0);
      return;
    }
    r.finish = this.now;
    if (this.warmUpLeft > 0 && --this.warmUpLeft === 0) this.measuredFrom = this.now;
    if (r.nextTurn >= 0 && this.decodePool === undefined) this.pin(r, this.committing!);
    this.settle(r);
  }

  /** A session turn finished: its prefix stays pinned for the next turn where the engine keeps it so. */
  private pin(r: SimRequest, replica: SimReplica): void {
    const ttl = replica.config.kvPinSeconds;
    if (ttl <= 0) return;
    r.pinnedHashes = replica.kv.pin(r.blockHashes);
    if (r.pinnedHashes === 0) return;
    r.pinnedOn = replica.index;
    this.events.push(this.now + ttl, UNPIN, r.id, 0);
  }

  /** The pin's time is up: its blocks are plain LRU entries again. */
  private unpin(r: SimRequest): void {
    this.entry.replicas[r.pinnedOn].kv.unpin(r.blockHashes, r.pinnedHashes);
    r.pinnedHashes = 0;
  }

  /** `r` finished or failed: the client may send more, and a session its next turn after its think time. */
  private settle(r: SimRequest): void {
    if (this.client !== null) this.client.settled(this.now, this.nextArrival);
    const next = r.nextTurn;
    if (next >= 0) this.events.push(this.now + this.requests[next].thinkSeconds, TURN, next, 0);
  }

  /** Starts `replica`'s next step where it has room for one (pipelined: as many as it has room for). */
  private tryStart(replica: SimReplica): void {
    if (replica.epGroup !== null) {
      this.tryStartGroup(replica.epGroup);
      return;
    }
    const pp = replica.pipelineDepth;
    if (replica.inFlight >= pp) return;
    if (pp > 1 && replica.stageFree[0] > this.now) {
      if (!replica.wakePending) {
        replica.wakePending = true;
        this.events.push(replica.stageFree[0], WAKE, replica.index, poolIndexOf(replica));
      }
      return;
    }
    const slot = replica.takeSlot();
    const plan = replica.plans[slot];
    plan.reset();
    // With a recv interval the requests held during the step are taken in only on some iterations.
    const recv = recvGated(replica) ? recvThisIteration(replica) : true;
    if (recv) this.releaseToPrefill(replica);
    if (recv && !replica.overlapScheduling) replica.incoming.releaseInto(replica.state);
    const kvLoads = replica.kvLoads;
    if (kvLoads !== null && !replica.overlapScheduling) kvLoads.advance(replica.state);
    // TensorRT-LLM's batch waiting: a decode step may run without the waiting prompts.
    const batchWaits = replica.waitsForBatch();
    if (batchWaits) replica.holdPrompts();
    replica.policy.schedule(replica.state, plan);
    if (batchWaits) replica.restorePrompts();
    // Overlap: the requests held during the step just ended are seen now, for the step after this one;
    // with nothing else to run the engine schedules them at once.
    const received = replica.received.releaseInto(replica.state);
    const pulled = kvLoads !== null && replica.overlapScheduling && kvLoads.advance(replica.state);
    if ((recv && replica.incoming.releaseInto(replica.state)) || received || pulled) {
      if (plan.count === 0) replica.policy.schedule(replica.state, plan);
    }
    // Nothing to run: vLLM's loop polls the connector without a forward and reads every pull at once.
    if (plan.count === 0 && kvLoads !== null && kvLoads.releaseAll(replica.state)) {
      replica.policy.schedule(replica.state, plan);
    }
    // Nothing to run: the idle loop spins until it takes in what waits.
    if (plan.count === 0 && replica.incoming.count > 0) {
      replica.recvCounter = 0;
      replica.incoming.releaseInto(replica.state);
      replica.policy.schedule(replica.state, plan);
    }
    if (plan.count === 0) {
      replica.returnSlot(slot);
      // Idle, the loop spins: it takes in at once what its gate held, and those prefills may start.
      if (replica.awaitingRecv.count > 0) {
        replica.recvCounter = 0;
        this.releaseToPrefill(replica);
      }
      return;
    }
    this.startStep(replica, slot, plan);
    if (pp > 1 && replica.inFlight < pp) this.tryStart(replica);
  }

  /**
   * Starts a lockstep EP group's next step where none is in flight: each rank schedules its own batch;
   * the step takes the slowest rank's own part (attention, dense ops, all-to-all, overhead, drafts,
   * swaps) plus the routed experts over every rank's tokens, and ends on every rank at once.
   */
  private tryStartGroup(group: EpGroup): void {
    if (group.inFlight > 0) return;
    const ranks = group.ranks;
    let slowest = 0;
    let tokens = 0;
    let first: SimReplica | null = null;
    let released = false;
    const promptsStart = group.promptsMayStart(ranks[0].config.attentionDpBalanceIters);
    for (let i = 0; i < ranks.length; i++) {
      const rank = ranks[i];
      const slot = rank.takeSlot();
      const plan = rank.plans[slot];
      plan.reset();
      if (!promptsStart) group.holdPrompts(rank);
      rank.policy.schedule(rank.state, plan);
      if (!promptsStart) group.restorePrompts(rank);
      if (rank.incoming.releaseInto(rank.state)) released = true;
      if (plan.count === 0) {
        rank.returnSlot(slot);
        continue;
      }
      first ??= rank;
      this.shapeOf(rank, plan, false);
      const model = rank.stepModel;
      let seconds = model.timeRankStep(this.shape, this.timing) + this.draftSeconds;
      const swapTokens = plan.swapOutTokens + plan.swapInTokens;
      if (swapTokens > 0) seconds += model.swapSeconds(swapTokens);
      if (seconds > slowest) slowest = seconds;
      tokens += this.shape.prefillTokens + this.shape.decodeCount;
    }
    if (first === null) {
      // Overlap: requests held during the group's last step arrived to an engine with nothing else to run.
      if (released) this.tryStartGroup(group);
      return;
    }
    const seconds = slowest + first.stepModel.groupExpertSeconds(tokens);
    const factor = this.stepFactors ? this.stepFactors.next(group) : 1;
    const done = this.now + seconds * factor;
    for (let i = 0; i < ranks.length; i++) {
      const rank = ranks[i];
      const plan = rank.plans[0];
      if (plan.count === 0) continue;
      rank.slowUntil = this.now + Math.max(0, seconds * (factor - 1));
      this.recordStep(rank, plan, done - this.now);
      rank.inFlight++;
      group.inFlight++;
      this.events.push(done, STEP_DONE, rank.index, poolIndexOf(rank) * 65536);
    }
  }

  /** Counts a step and records its batch and KV use over its `occupancy` seconds. */
  private recordStep(replica: SimReplica, plan: StepPlan, occupancy: number): void {
    const now = this.now;
    this.steps++;
    const kv = replica.kv;
    this.kvSeries.add(now - this.startTime, occupancy, kv.usedBlocks() / kv.totalBlocks);
    this.kvCachedSeries.add(now - this.startTime, occupancy, kv.cachedBlocks() / kv.totalBlocks);
    this.batchSeries.add(now - this.startTime, occupancy, plan.count);
  }

  /** Times the step `plan` schedules, records its batch and KV use, and queues its completion. */
  private startStep(replica: SimReplica, slot: number, plan: StepPlan): void {
    const now = this.now;
    this.shapeOf(replica, plan, replica.pipelineDepth > 1);
    const model = replica.stepModel;
    model.timeStep(this.shape, this.timing);
    if (this.draftSeconds > 0) addDraftTime(this.timing, this.draftSeconds);
    const swapTokens = plan.swapOutTokens + plan.swapInTokens;
    const swap = swapTokens > 0 ? model.swapSeconds(swapTokens) : 0;
    if (replica.recvInterval > 1) replica.lastStepWeight = this.recvWeightOf(replica, plan);
    const done =
      replica.pipelineDepth === 1 ? this.stepEnd(replica, swap) : this.pipelinedStepEnd(replica, swap);
    replica.inFlight++;
    this.recordStep(replica, plan, (replica.pipelineDepth === 1 ? done : replica.stageFree[0]) - now);
    this.events.push(done, STEP_DONE, replica.index, slot + poolIndexOf(replica) * 65536);
  }

  /**
   * What the step adds to the replica's recv counter (recv-gate.ts): a prefill weighs as SGLang's extend
   * batch; in a decode pool, a step that first carries requests whose KV just arrived also follows
   * SGLang's prebuilt batch for them (not a decode mode, so it weighs as an extend).
   */
  private recvWeightOf(replica: SimReplica, plan: StepPlan): number {
    if (this.shape.prefillTokens > 0) return RECV_WEIGHT_OTHER;
    if (replica.role === 'decode')
      for (let i = 0; i < plan.count; i++)
        if ((plan.requests[i] as SimRequest).firstToken < 0) return RECV_WEIGHT_OTHER;
    return stepRecvWeight(0);
  }

  /**
   * Fills `shape` with the step's prefill chunks and decodes; marks its requests scheduled (and in
   * flight). With speculation, the decodes verify the k drafted tokens the replica's policy picks.
   */
  private shapeOf(replica: SimReplica, plan: StepPlan, pipelined: boolean): void {
    const shape = this.shape;
    const speculation = replica.speculation;
    resetBatchShape(shape);
    if (speculation !== null) speculation.cost.resetStep();
    let specCount = 0;
    let specContextSum = 0;
    let specMaxContext = 0;
    for (let i = 0; i < plan.count; i++) {
      const r = plan.requests[i] as SimRequest;
      const n = r.scheduledTokens;
      if (pipelined) r.inFlight = true;
      const total = r.promptTokens + r.generated;
      // A decode sampled a token in an earlier step, so it was scheduled before: only a prefill chunk
      // can be a request's first, and reading the time field for every decode of every step shows.
      if (n === 1 && r.generated > 0 && r.computed === total - 1) {
        if (speculation === null) addDecode(shape, r.computed);
        else {
          specCount++;
          specContextSum += r.computed;
          if (r.computed > specMaxContext) specMaxContext = r.computed;
        }
      } else {
        if (r.firstScheduled < 0) r.firstScheduled = this.now;
        addPrefillChunk(shape, n, r.computed, r.computed + n === total);
        // The drafter keeps its own view of every prompt: it prefills the chunk too.
        if (speculation !== null)
          addPrefillChunk(speculation.cost.prefillShape, n, r.computed, r.computed + n === total);
      }
    }
    this.draftSeconds = 0;
    if (speculation === null) return;
    if (specCount > 0) {
      const k = speculation.chooseK(shape, specCount, specContextSum, specMaxContext, replica.stepModel);
      this.addSpeculatingDecodes(replica, plan, k);
    }
    this.draftSeconds = speculation.cost.stepSeconds();
  }

  /**
   * Adds the step's decodes, each verifying what it drafts under the step's `k` (a chain of k, the
   * tree, or the request's own k), and holds the KV of those tokens (as engines reserve lookahead
   * slots); a chain whose KV does not stretch that far drafts fewer, a tree none.
   */
  private addSpeculatingDecodes(replica: SimReplica, plan: StepPlan, k: number): void {
    const kv = replica.kv;
    const speculation = replica.speculation!;
    const tree = speculation.tree !== null;
    for (let i = 0; i < plan.count; i++) {
      const r = plan.requests[i] as SimRequest;
      if (r.scheduledTokens !== 1 || r.generated === 0 || r.computed !== r.promptTokens + r.generated - 1)
        continue;
      const end = r.promptTokens + r.outputTokens;
      let drafted = speculation.draftFor(r, k);
      while (drafted > 0 && !kv.growTo(r, Math.min(end, r.computed + 1 + drafted)))
        drafted = tree ? 0 : drafted - 1;
      r.specTokens = drafted;
      speculation.addDrafting(r.computed, drafted);
      if (drafted === 0) addDecode(this.shape, r.computed);
      else addVerification(this.shape, r.computed, drafted);
    }
  }

  /**
   * A single-stage step's end: the model's time times the step's factor, plus any swap. The excess over
   * the model's time comes first in the step (`SimReplica.slowUntil`).
   */
  private stepEnd(replica: SimReplica, swap: number): number {
    const seconds = this.timing.totalSeconds;
    const factor = this.stepFactors ? this.stepFactors.next(replica) : 1;
    replica.slowUntil = this.now + Math.max(0, seconds * (factor - 1));
    return this.now + seconds * factor + swap;
  }

  /** A pipelined step's end: through every stage, each as soon as it is free and the previous is done. */
  private pipelinedStepEnd(replica: SimReplica, swap: number): number {
    const timing = this.timing;
    const pp = replica.pipelineDepth;
    const stages = replica.stageFree;
    let t = this.now + timing.overheadSeconds + swap;
    for (let k = 0; k < pp; k++) {
      const start = Math.max(stages[k], t);
      t = start + timing.stageSeconds + (k < pp - 1 ? timing.stageSendSeconds : timing.headSeconds);
      stages[k] = t;
    }
    return t;
  }
}

/**
 * Whether `replica` can ever serve `r`: its length within max-model-len, the KV cache and (without chunked
 * prefill) the token budget. Without chunking a step holds what the request has to compute at once: its
 * prompt under Orca, which reserves the whole output's KV at admission and never preempts (TensorRT-LLM
 * checks just the prompt against max_num_tokens), else its prompt and output, which a preempted request
 * recomputes in one step.
 */
function accepts(replica: SimReplica, r: SimRequest): boolean {
  const c = replica.config;
  const total = r.promptTokens + r.outputTokens;
  if (total > c.maxModelLen) return false;
  if (replica.kv.blocksFor(total) > replica.kv.totalBlocks) return false;
  const inOneStep = c.policy === 'orca' ? r.promptTokens : total;
  if (!c.chunkedPrefill && inOneStep > c.maxNumBatchedTokens) return false;
  return true;
}

/** Whether `replica` (or the lockstep group it steps with) has a step running. */
function isStepping(replica: SimReplica): boolean {
  return replica.epGroup !== null ? replica.epGroup.inFlight > 0 : replica.inFlight > 0;
}

/** The index of `replica`'s pool in `Simulation.pools`: the decode pool is the second. */
function poolIndexOf(replica: SimReplica): number {
  return replica.role === 'decode' ? 1 : 0;
}

/** The draft passes run before the verification, on the step's critical path. */
function addDraftTime(timing: StepTiming, seconds: number): void {
  timing.overheadSeconds += seconds;
  timing.totalSeconds += seconds;
}

/** The speculating pool's counts (its replicas share one decoder), or undefined where none ran. */
function speculationTotals(
  replicas: readonly SimReplica[],
  requests: readonly SimRequest[],
): RunTotals['speculation'] {
  // A disaggregated prefill pool's drafter only prefills: the counts are the decoding pool's.
  const decoder = replicas.find((r) => r.speculation !== null && r.role !== 'prefill')?.speculation;
  if (!decoder) return undefined;
  const classes = new Map<string, { name: string; draftedTokens: number; emittedTokens: number }>();
  for (const r of requests) {
    if (r.className === undefined) continue;
    const c = classes.get(r.className) ?? { name: r.className, draftedTokens: 0, emittedTokens: 0 };
    c.draftedTokens += r.specDrafted;
    c.emittedTokens += r.specEmitted;
    classes.set(r.className, c);
  }
  return {
    ...(classes.size > 0 ? { classes: [...classes.values()] } : {}),
    setting: describeSpeculation(decoder.config),
    verifications: decoder.verifications,
    draftedTokens: decoder.drafted,
    emittedTokens: decoder.emitted,
    tokensPerVerification: decoder.verifications > 0 ? decoder.emitted / decoder.verifications : 0,
    expectedTokensPerVerification:
      decoder.verifications > 0
        ? decoder.expectedEmitted / decoder.verifications
        : decoder.expected[decoder.kMax],
  };
}
