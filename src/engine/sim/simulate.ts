import { getHardware } from '../hardware/catalog.js';
import type { HardwareSpec } from '../hardware/spec.js';
import { memoryReport } from '../memory/model.js';
import { describePlan, type Plan, planGpus, planProblems } from '../memory/plan.js';
import { resolveModel } from '../model/resolve.js';
import type { ModelSpec } from '../model/spec.js';
import type { Calibration } from '../perf/calibration.js';
import { groupLink, type Link } from '../perf/comm.js';
import type { MeasuredOpTables } from '../perf/op-tables.js';
import { addDecode, addPrefillChunk, createBatchShape, resetBatchShape } from '../perf/shape.js';
import { compileStepModel, createStepTiming, type StepModel } from '../perf/step-model.js';
import { resolveSchedulerConfig } from '../sched/config.js';
import { commitStep, type StepSink } from '../sched/core.js';
import { CountingKvBlockManager } from '../sched/kv-cache.js';
import { createPolicy } from '../sched/policies.js';
import { RequestStatus, type SchedRequest } from '../sched/request.js';
import type { Workload } from '../workload/types.js';
import { type PoolConfig, SimulationConfig, type SimulationConfigInput } from './config.js';
import { EventQueue } from './event-queue.js';
import { throughFrontEnd } from './front-end.js';
import { BucketedSeries, GapHistogram, summarize } from './metrics.js';
import { type PoolRole, SimReplica, type SimRequest } from './replica.js';
import { goodputOf, requestMetrics, throughputOf } from './request-metrics.js';
import { Router } from './router.js';
import { StepFactors } from './step-factors.js';
import { RunSummary } from './summary.js';

export interface SimulateOptions {
  /** Measured op tables (imported): where they cover an op, they replace the roofline. */
  opTables?: MeasuredOpTables;
  /** Label for the summary (default: model, hardware and plan). */
  label?: string;
  /**
   * Serve the workload in blocks of this many requests (consecutive in the workload's order), one after
   * another: each block's arrivals are moved so that its first request arrives when every request
   * before it has finished (or failed), as a load generator replaying a workload in runs of its own
   * does (`servetune validate` serves it so).
   */
  blockRequests?: number;
  /**
   * The load generator runs on the engine's own host (as `servetune validate` runs it): whatever makes a
   * step slower than the model's time stalls it too, so a request due while a step runs slow is sent
   * when the slow part ends. A step's excess over its model time comes first in it.
   */
  clientSharesHost?: boolean;
  /**
   * Seconds a front end (HTTP, parsing, streaming) adds between the engine and its client, as measured
   * on one (`servetune validate` pairs each response's client TTFT with the engine's own): the client
   * sees each request's tokens later by one draw from these (`throughFrontEnd`), so its TTFT and E2E
   * carry the front end's spread as well as its mean. Default: the client sees the engine directly.
   */
  frontEndSeconds?: readonly number[];
}

/** The front end's draws come from a stream of their own, apart from the step times'. */
const FRONT_END_SEED_MIX = 0x27d4eb2f;

const STEP_DONE = 0;
const WAKE = 1;
const KV_ARRIVAL = 2;

interface Pool {
  role: PoolRole;
  config: PoolConfig;
  replicas: SimReplica[];
  router: Router;
  stepModel: StepModel;
}

const stepModelCache = new Map<string, StepModel>();
const STEP_MODEL_CACHE_LIMIT = 64;
const opTablesIds = new WeakMap<MeasuredOpTables, number>();
let nextOpTablesId = 1;

/** Compiled step models are reused across calls with the same model, hardware, plan and calibration. */
function cachedStepModel(
  model: ModelSpec,
  hardware: HardwareSpec,
  plan: Plan,
  calibration: Calibration | undefined,
  opTables: MeasuredOpTables | undefined,
): StepModel {
  let tablesId = 0;
  if (opTables) {
    tablesId = opTablesIds.get(opTables) ?? nextOpTablesId++;
    opTablesIds.set(opTables, tablesId);
  }
  const key = JSON.stringify([model, hardware, { ...plan, dp: 1 }, calibration ?? null, tablesId]);
  let found = stepModelCache.get(key);
  if (!found) {
    found = compileStepModel(model, hardware, plan, { calibration, opTables });
    if (stepModelCache.size >= STEP_MODEL_CACHE_LIMIT) {
      stepModelCache.delete(stepModelCache.keys().next().value as string);
    }
    stepModelCache.set(key, found);
  }
  return found;
}

/**
 * Simulates serving `workload` under `config`, request by request, and summarizes it. Deterministic:
 * the same inputs give the same summary (except `wallSeconds`). The workload is read, never changed,
 * so one parsed workload can feed many calls. An infeasible plan (weights or a minimal KV cache do not
 * fit, degrees do not divide the model) returns `feasible: false` with the reasons, unsimulated.
 */
export function simulate(
  configInput: SimulationConfigInput,
  workload: Workload,
  options: SimulateOptions = {},
): RunSummary {
  const wallStart = performance.now();
  const config = SimulationConfig.parse(configInput);
  const model = typeof config.model === 'string' ? resolveModel(config.model) : config.model;
  const hardware = typeof config.hardware === 'string' ? getHardware(config.hardware) : config.hardware;
  const deployment = config.deployment;
  const poolConfigs: [PoolRole, PoolConfig][] =
    deployment.kind === 'colocated'
      ? [['mixed', deployment.pool]]
      : [
          ['prefill', deployment.prefill],
          ['decode', deployment.decode],
        ];
  const gpus = poolConfigs.reduce((sum, [, p]) => sum + planGpus(p.plan), 0);
  const label =
    options.label ??
    `${model.id} on ${hardware.id}: ${poolConfigs.map(([role, p]) => `${role === 'mixed' ? '' : `${role} `}${describePlan(p.plan)} ${p.scheduler.policy}`).join(' + ')}`;
  const base = {
    schemaVersion: 1 as const,
    kind: 'simulated' as const,
    label,
    model: model.id,
    hardware: hardware.id,
    gpus,
    config,
    seed: config.seed,
  };

  // Feasibility: the plan must divide the model and its weights plus a minimal KV cache must fit.
  const problems: string[] = [];
  const resolvedSchedulers: Record<string, Record<string, number | string | boolean>> = {};
  const pools: Pool[] = [];
  // Step-time variation (single-stage replicas), drawn from its own seeded stream.
  const stepTimeSpread = config.calibration?.stepTimeSpread;
  const stepFactors = stepTimeSpread
    ? new StepFactors(
        {
          spread: stepTimeSpread,
          persistence: config.calibration?.stepTimeSpreadPersistence ?? 0,
          heldShare: config.calibration?.stepTimeSpreadHeldShare ?? 1,
        },
        (config.seed ^ 0x5bd1e995) >>> 0,
      )
    : null;
  const clientSharesHost = options.clientSharesHost === true;
  for (const [role, poolConfig] of poolConfigs) {
    const resolved = resolveSchedulerConfig(poolConfig.scheduler, {
      gpuMemoryBytes: hardware.memoryBytes,
      modelMaxContext: model.maxContextLength,
    });
    resolvedSchedulers[role] = { ...resolved };
    const divisibility = planProblems(model, poolConfig.plan);
    if (divisibility.length > 0) {
      problems.push(...divisibility.map((p) => `${role}: ${p}`));
      continue;
    }
    const memory = memoryReport(model, hardware, poolConfig.plan, {
      gpuMemoryUtilization: resolved.gpuMemoryUtilization,
      blockSize: resolved.blockSize,
      maxNumBatchedTokens: resolved.maxNumBatchedTokens,
      maxNumSeqs: resolved.maxNumSeqs,
      contextLength: resolved.maxModelLen,
    });
    if (!memory.fits) {
      problems.push(...memory.problems.map((p) => `${role}: ${p}`));
      continue;
    }
    const stepModel = cachedStepModel(model, hardware, poolConfig.plan, config.calibration, options.opTables);
    const kvBytesPerBlock = memory.perGpu.kvBytesPerToken * resolved.blockSize;
    const replicas: SimReplica[] = [];
    for (let i = 0; i < poolConfig.plan.dp; i++) {
      const kv = new CountingKvBlockManager(
        memory.perReplica.kvBlocks,
        resolved.blockSize,
        workload.hashBlockTokens,
        resolved.enablePrefixCaching,
      );
      replicas.push(
        new SimReplica(
          i,
          role,
          resolved,
          kv,
          createPolicy(resolved.policy),
          stepModel,
          poolConfig.plan.pp,
          kvBytesPerBlock,
        ),
      );
    }
    pools.push({
      role,
      config: poolConfig,
      replicas,
      router: new Router(config.router, replicas),
      stepModel,
    });
  }
  if (problems.length > 0) {
    return RunSummary.parse({
      ...base,
      resolvedSchedulers,
      feasible: false,
      problems,
      requests: { total: workload.requests.length, completed: 0, failed: 0 },
      tokens: { input: 0, output: 0, cachedPrompt: 0 },
      ttft: null,
      tpot: null,
      itl: null,
      e2e: null,
      queueing: null,
      throughput: zeroThroughput(),
      goodput: null,
      preemptions: 0,
      prefixCache: null,
      kvUtilization: null,
      batchSize: null,
      kvTransfer: null,
      simulatedSeconds: 0,
      wallSeconds: (performance.now() - wallStart) / 1000,
      steps: 0,
    });
  }

  const entry = pools[0];
  const decodePool = pools.length > 1 ? pools[1] : undefined;
  const kvLink: Link | undefined =
    deployment.kind === 'disaggregated' ? (deployment.kvLink ?? groupLink(hardware, gpus)) : undefined;

  // Requests, in arrival order (within each block, where the workload is served in blocks).
  const source = workload.requests;
  const requests: SimRequest[] = new Array(source.length);
  const blockRequests =
    options.blockRequests !== undefined && options.blockRequests > 0 ? options.blockRequests : 0;
  const blockOf = (i: number) => (blockRequests > 0 ? Math.floor(i / blockRequests) : 0);
  let sorted = true;
  for (let i = 1; i < source.length; i++) {
    if (source[i].arrival < source[i - 1].arrival && blockOf(i) === blockOf(i - 1)) sorted = false;
  }
  const order = sorted
    ? null
    : source
        .map((_, i) => i)
        .sort((a, b) => blockOf(a) - blockOf(b) || source[a].arrival - source[b].arrival || a - b);
  const empty: readonly number[] = [];
  for (let i = 0; i < source.length; i++) {
    const w = source[order ? order[i] : i];
    // One literal with every field, not newSchedRequest spread into a SimRequest: the spread object took
    // a slower shape, and the simulator ran 6-7x slower with 2-5x the memory (bench/sim.ts).
    requests[i] = {
      id: i,
      promptTokens: Math.max(1, Math.round(w.promptTokens)),
      maxOutputTokens: Math.max(1, Math.round(w.outputTokens)),
      blockHashes: w.hashIds ?? empty,
      generated: 0,
      computed: 0,
      status: RequestStatus.Waiting,
      scheduledTokens: 0,
      inFlight: false,
      blocks: 0,
      sharedHashes: 0,
      prefixPublished: false,
      cachedPromptTokens: 0,
      preemptions: 0,
      prefillOnly: decodePool !== undefined,
      arrival: w.arrival,
      outputTokens: Math.max(1, Math.round(w.outputTokens)),
      firstScheduled: -1,
      firstToken: -1,
      lastToken: -1,
      finish: -1,
      maxGap: 0,
      kvTransferSeconds: 0,
      failed: false,
    };
  }

  const events = new EventQueue();
  const shape = createBatchShape();
  const timing = createStepTiming();
  const itl = new GapHistogram();
  const kvSeries = new BucketedSeries(config.timeSeriesPoints * 2);
  const batchSeries = new BucketedSeries(config.timeSeriesPoints * 2);
  const allReplicas = pools.flatMap((p) => p.replicas);
  let now = 0;
  let steps = 0;
  let cachedPrompt = 0;
  const startTime = requests.length > 0 ? requests[0].arrival : 0;

  const sink: StepSink & { replica: SimReplica | null } = {
    replica: null,
    onToken(sr: SchedRequest): boolean {
      const r = sr as SimRequest;
      if (r.generated === 1) {
        cachedPrompt += r.cachedPromptTokens;
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
      const gap = now - r.lastToken;
      itl.add(gap);
      if (gap > r.maxGap) r.maxGap = gap;
      r.lastToken = now;
      return r.generated >= r.outputTokens;
    },
    onFinish(sr: SchedRequest): void {
      const r = sr as SimRequest;
      if (r.prefillOnly && r.generated < r.outputTokens && decodePool && kvLink) {
        const transfer = this.replica!.stepModel.kvTransferSeconds(r.computed, kvLink);
        r.kvTransferSeconds = transfer;
        events.push(now + transfer, KV_ARRIVAL, r.id, 0);
        return;
      }
      r.finish = now;
      settle();
    },
  };

  const accepts = (replica: SimReplica, r: SimRequest): boolean => {
    const c = replica.config;
    const total = r.promptTokens + r.outputTokens;
    if (total > c.maxModelLen) return false;
    if (Math.ceil(total / replica.kv.blockSize) > replica.kv.totalBlocks) return false;
    if (!c.chunkedPrefill && total > c.maxNumBatchedTokens) return false;
    return true;
  };

  const tryStart = (replica: SimReplica): void => {
    const pp = replica.pipelineDepth;
    if (replica.inFlight >= pp) return;
    if (pp > 1 && replica.stageFree[0] > now) {
      if (!replica.wakePending) {
        replica.wakePending = true;
        events.push(replica.stageFree[0], WAKE, replica.index, pools.indexOf(poolOf(replica)));
      }
      return;
    }
    const slot = replica.takeSlot();
    const plan = replica.plans[slot];
    plan.reset();
    replica.policy.schedule(replica.state, plan);
    if (plan.count === 0) {
      replica.returnSlot(slot);
      return;
    }
    resetBatchShape(shape);
    for (let i = 0; i < plan.count; i++) {
      const r = plan.requests[i] as SimRequest;
      const n = r.scheduledTokens;
      if (r.firstScheduled < 0) r.firstScheduled = now;
      if (pp > 1) r.inFlight = true;
      const total = r.promptTokens + r.generated;
      if (n === 1 && r.generated > 0 && r.computed === total - 1) addDecode(shape, r.computed);
      else addPrefillChunk(shape, n, r.computed, r.computed + n === total);
    }
    const model = replica.stepModel;
    model.timeStep(shape, timing);
    const swapTokens = plan.swapOutTokens + plan.swapInTokens;
    const swap = swapTokens > 0 ? model.swapSeconds(swapTokens) : 0;
    let done: number;
    if (pp === 1) {
      const factor = stepFactors ? stepFactors.next(replica) : 1;
      done = now + timing.totalSeconds * factor + swap;
      replica.slowUntil = now + Math.max(0, timing.totalSeconds * (factor - 1));
    } else {
      let t = now + timing.overheadSeconds + swap;
      const stages = replica.stageFree;
      for (let k = 0; k < pp; k++) {
        const start = Math.max(stages[k], t);
        t = start + timing.stageSeconds + (k < pp - 1 ? timing.stageSendSeconds : timing.headSeconds);
        stages[k] = t;
      }
      done = t;
    }
    steps++;
    replica.inFlight++;
    const occupancy = (pp === 1 ? done : replica.stageFree[0]) - now;
    kvSeries.add(now - startTime, occupancy, replica.kv.usedBlocks() / replica.kv.totalBlocks);
    batchSeries.add(now - startTime, occupancy, plan.count);
    events.push(done, STEP_DONE, replica.index, slot + pools.indexOf(poolOf(replica)) * 65536);
    if (pp > 1 && replica.inFlight < pp) tryStart(replica);
  };

  const poolOf = (replica: SimReplica): Pool => (replica.role === 'decode' ? decodePool! : entry);

  let nextArrival = 0;
  let failed = 0;
  // Blocks: the arrivals of the open block are moved by `blockShift`; the next opens once every request
  // before it has settled (finished or failed), at `drainedAt`.
  let settled = 0;
  let openBlock = 0;
  let blockShift = 0;
  let drainedAt = 0;
  function settle(): void {
    settled++;
    if (settled === nextArrival) drainedAt = now;
  }
  const nextArrivalTime = (): number => {
    if (nextArrival >= requests.length) return Number.POSITIVE_INFINITY;
    const r = requests[nextArrival];
    if (blockOf(nextArrival) > openBlock) {
      // A block's first request waits until every request before it has settled.
      if (settled < nextArrival) return Number.POSITIVE_INFINITY;
      blockShift = drainedAt - r.arrival;
      openBlock = blockOf(nextArrival);
    }
    return r.arrival + blockShift;
  };
  while (true) {
    const arrivalTime = nextArrivalTime();
    const eventTime = events.peekTime();
    if (arrivalTime === Number.POSITIVE_INFINITY && eventTime === Number.POSITIVE_INFINITY) break;
    if (arrivalTime <= eventTime) {
      now = arrivalTime;
      const r = requests[nextArrival++];
      r.arrival = arrivalTime;
      const replica = entry.router.choose(r);
      if (!accepts(replica, r) || (decodePool && !accepts(decodePool.replicas[0], r))) {
        r.failed = true;
        failed++;
        settle();
        continue;
      }
      // Sent when the running step's slow part ends: the client stalled with the host (see the option).
      if (clientSharesHost && replica.inFlight > 0 && arrivalTime < replica.slowUntil)
        r.arrival = replica.slowUntil;
      replica.state.waiting.pushBack(r);
      tryStart(replica);
      continue;
    }
    events.pop();
    now = events.time;
    const kind = events.kind;
    if (kind === STEP_DONE) {
      const pool = pools[events.b >> 16];
      const replica = pool.replicas[events.a];
      const slot = events.b & 0xffff;
      replica.inFlight--;
      sink.replica = replica;
      commitStep(replica.state, replica.plans[slot], sink);
      replica.returnSlot(slot);
      tryStart(replica);
    } else if (kind === WAKE) {
      const replica = pools[events.b].replicas[events.a];
      replica.wakePending = false;
      tryStart(replica);
    } else {
      const r = requests[events.a];
      r.prefillOnly = false;
      r.status = RequestStatus.Waiting;
      r.firstToken = now;
      r.lastToken = now;
      const replica = decodePool!.router.choose(r);
      replica.state.waiting.pushBack(r);
      tryStart(replica);
    }
  }
  const endTime = now;

  return summarizeRun(requests, {
    base,
    resolvedSchedulers,
    failed,
    cachedPrompt,
    itl,
    kvSeries,
    batchSeries,
    steps,
    gpus,
    startTime,
    endTime,
    slo: config.slo,
    prefixCaching: allReplicas.some((r) => r.config.enablePrefixCaching),
    preemptions: allReplicas.reduce((sum, r) => sum + r.state.preemptions, 0),
    disaggregated: decodePool !== undefined,
    wallStart,
    frontEndSeconds: options.frontEndSeconds ?? [],
    frontEndSeed: (config.seed ^ FRONT_END_SEED_MIX) >>> 0,
  });
}

function zeroThroughput() {
  return {
    requestsPerSecond: 0,
    inputTokensPerSecond: 0,
    outputTokensPerSecond: 0,
    totalTokensPerSecond: 0,
    requestsPerSecondPerGpu: 0,
    outputTokensPerSecondPerGpu: 0,
  };
}

interface RunTotals {
  base: Omit<
    RunSummary,
    | 'feasible'
    | 'problems'
    | 'requests'
    | 'tokens'
    | 'ttft'
    | 'tpot'
    | 'itl'
    | 'e2e'
    | 'queueing'
    | 'throughput'
    | 'goodput'
    | 'preemptions'
    | 'prefixCache'
    | 'kvUtilization'
    | 'batchSize'
    | 'kvTransfer'
    | 'simulatedSeconds'
    | 'wallSeconds'
    | 'steps'
    | 'resolvedSchedulers'
  >;
  resolvedSchedulers: Record<string, Record<string, number | string | boolean>>;
  failed: number;
  cachedPrompt: number;
  itl: GapHistogram;
  kvSeries: BucketedSeries;
  batchSeries: BucketedSeries;
  steps: number;
  gpus: number;
  startTime: number;
  endTime: number;
  slo: SimulationConfig['slo'];
  prefixCaching: boolean;
  preemptions: number;
  disaggregated: boolean;
  wallStart: number;
  frontEndSeconds: readonly number[];
  frontEndSeed: number;
}

function summarizeRun(requests: SimRequest[], t: RunTotals): RunSummary {
  const finished = requests.filter((r) => r.finish >= 0);
  const completed = finished.length;
  const transfers = new Float64Array(t.disaggregated ? completed : 0);
  if (t.disaggregated)
    finished.forEach((r, i) => {
      transfers[i] = r.kvTransferSeconds;
    });
  const m = requestMetrics(throughFrontEnd(finished, t.frontEndSeconds, t.frontEndSeed), t.slo);
  const never = requests.length - completed - t.failed;
  const duration = Math.max(0, t.endTime - t.startTime);
  return RunSummary.parse({
    ...t.base,
    resolvedSchedulers: t.resolvedSchedulers,
    feasible: true,
    problems: never > 0 ? [`${never} requests were never served (they could not be admitted)`] : [],
    requests: { total: requests.length, completed, failed: t.failed + never },
    tokens: { input: m.inputTokens, output: m.outputTokens, cachedPrompt: t.cachedPrompt },
    ttft: m.ttft,
    tpot: m.tpot,
    itl: t.itl.summary(),
    e2e: m.e2e,
    queueing: m.queueing,
    throughput: throughputOf(m, duration, t.gpus),
    goodput: goodputOf(m, t.slo, duration),
    preemptions: t.preemptions,
    prefixCache: t.prefixCaching
      ? {
          hitTokens: t.cachedPrompt,
          queriedTokens: m.inputTokens,
          hitRate: m.inputTokens > 0 ? t.cachedPrompt / m.inputTokens : 0,
        }
      : null,
    kvUtilization: t.kvSeries.result(),
    batchSize: t.batchSeries.result(),
    kvTransfer: t.disaggregated ? summarize(transfers) : null,
    simulatedSeconds: duration,
    wallSeconds: (performance.now() - t.wallStart) / 1000,
    steps: t.steps,
  });
}
