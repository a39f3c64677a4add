import { ENGINES, type EngineId } from '../config/engines/index.js';
import type { HardwareSpec } from '../hardware/spec.js';
import type { ModelSpec } from '../model/spec.js';
import type { OpTables } from '../opdb/op-tables.js';
import { readUserPerfDb } from '../opdb/user-db.js';
import type { Calibration } from '../perf/calibration.js';
import { epGroupBatches } from '../perf/expert-parallel.js';
import { type ServingEngine, servingEngineFor } from '../perf/serving-engine.js';
import type { SchedulerConfig } from '../sched/config.js';
import type { PoolConfig, SimulationConfigInput } from '../sim/config.js';
import { simulate } from '../sim/simulate.js';
import type { MetricSummary, RunSummary } from '../sim/summary.js';
import { repeatToSpan, scaleToRate } from '../workload/transform.js';
import type { Workload } from '../workload/types.js';
import type { Candidate, EvaluationMetrics, Percentiles, Pool, SchedulerKnobs, Slo } from './schema.js';
import type { EvaluationTask, Evaluator } from './search.js';
import { candidateGpus } from './space.js';

/** Which simulator policy runs a serving engine's scheduler with these knobs (the engine's description says). */
export function schedulerFor(engine: EngineId, knobs: SchedulerKnobs, maxModelLen: number): SchedulerConfig {
  return {
    maxNumSeqs: knobs.maxNumSeqs,
    blockSize: knobs.blockSize,
    gpuMemoryUtilization: knobs.gpuMemoryUtilization,
    maxModelLen,
    ...ENGINES[engine].scheduler.policyFor(knobs, maxModelLen),
  };
}

const ZERO: Percentiles = { mean: 0, p50: 0, p90: 0, p99: 0 };
const percentiles = (m: MetricSummary | null): Percentiles =>
  m ? { mean: m.mean, p50: m.p50, p90: m.p90, p99: m.p99 } : ZERO;

/** The search's view of a simulated run. TBT percentiles are over all token gaps (the ITL). */
function metricsFromSummary(summary: RunSummary, rate: number, gpus: number): EvaluationMetrics {
  const tpot = percentiles(summary.tpot);
  return {
    rate,
    ttft: percentiles(summary.ttft),
    tbt: percentiles(summary.itl),
    tpot,
    e2e: percentiles(summary.e2e),
    throughputPerGpu: summary.throughput.outputTokensPerSecond / gpus,
    totalThroughputPerGpu: summary.throughput.totalTokensPerSecond / gpus,
    speedPerUser: tpot.mean > 0 ? 1 / tpot.mean : 0,
    requestThroughput: summary.throughput.requestsPerSecond,
    goodput: summary.goodput?.requestsPerSecond ?? 0,
    attainment: summary.goodput?.fraction ?? 0,
    preemptions: summary.preemptions,
    stable: summary.feasible && summary.requests.failed === 0 && summary.requests.completed > 0,
  };
}

/**
 * Arrivals are repeated until they span at least this long at the tested rate: an overload of 10% then
 * builds a backlog of several seconds, which no TTFT target of a few seconds survives.
 */
export const MIN_ARRIVAL_SPAN_SECONDS = 60;

/**
 * The most requests the repetition gives one simulation of the search (one replica's share of the
 * repeated arrivals; the sample's own share when that is more): about 100 MB and a second or two each,
 * so one simulation per core stays within a few GB. Past 50,000 / 60 s ≈ 830 req/s per replica the
 * repetition stops short of MIN_ARRIVAL_SPAN_SECONDS, so that a rate of 10^9 req/s neither builds
 * 6·10^10 requests nor runs out of memory; the backlog of an overload still shows within the requests
 * kept.
 */
export const MAX_SIMULATED_REQUESTS = 50_000;

/** The most requests of the workload a search may sample (`--sample-requests`). */
export const MAX_SAMPLE_REQUESTS = 200_000;

/**
 * What a user should know when `rate` is past what MAX_SIMULATED_REQUESTS covers: how much of
 * MIN_ARRIVAL_SPAN_SECONDS of traffic each configuration is simulated on. Undefined below it.
 */
export function simulatedSpanNote(rate: number): string | undefined {
  const wanted = rate * MIN_ARRIVAL_SPAN_SECONDS;
  if (!(wanted > MAX_SIMULATED_REQUESTS)) return undefined;
  const seconds = MAX_SIMULATED_REQUESTS / rate;
  const span = seconds >= 1 ? `${seconds.toFixed(1)} s` : `${(seconds * 1e3).toPrecision(2)} ms`;
  return `at ${rate.toPrecision(3)} req/s, ${MIN_ARRIVAL_SPAN_SECONDS} s of traffic would be ${wanted.toPrecision(3)} requests; each replica is simulated on at most ${MAX_SIMULATED_REQUESTS.toLocaleString('en-US')} (${span} of arrivals)`;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Identical copies a deployment splits into under round-robin routing: its replicas (colocated), or
 * gcd(x, y) copies of (x/g)P(y/g)D (disaggregated xPyD).
 */
function replicaShare(candidate: Candidate): number {
  // An EP group spanning attention-DP replicas is simulated whole.
  const groups = (p: Pool) => p.plan.dp / epGroupBatches(p.plan);
  return candidate.kind === 'colocated'
    ? groups(candidate.pool)
    : gcd(groups(candidate.prefill), groups(candidate.decode));
}

/** Every `step`-th request: one replica's share under round-robin routing. */
function thin(workload: Workload, step: number): Workload {
  if (step === 1) return workload;
  return { ...workload, requests: workload.requests.filter((_, i) => i % step === 0) };
}

export interface SimulationEvaluatorSetup {
  model: ModelSpec;
  hardware: HardwareSpec;
  engine: EngineId;
  /** The requests every configuration is compared on (already cut to the search's sample). */
  workload: Workload;
  slo: Slo;
  maxModelLen: number;
  calibration?: Calibration;
  /** The engine whose measured tables time the steps; default: `engine`'s newest measured, where any. */
  servingEngine?: ServingEngine;
  seed: number;
  /**
   * The user's op database folder (`--perf-db`): its tables replace the shipped ones for the GPU it
   * covers. A path, so that worker threads, which get the setup cloned, read it themselves.
   */
  perfDb?: string;
}

/**
 * Evaluates configurations by simulating them. Replicas of a pool are identical and, under round-robin
 * routing, each sees every dp-th request: one replica is simulated on its share and scaled back up,
 * which makes a DP8 plan cost what a DP1 plan costs. A disaggregated xPyD deployment is likewise
 * simulated as one of its gcd(x, y) identical (x/g)P(y/g)D parts. Closed loop, a part serves its share
 * of the clients (where the concurrency divides among the parts; else the whole deployment runs) on its
 * share of the sample, whose arrival times are ignored.
 */
export class SimulationEvaluator implements Evaluator {
  /** `measuredTables`: `setup.perfDb` as read (see simulationEvaluatorFor). */
  constructor(
    private readonly setup: SimulationEvaluatorSetup,
    private readonly measuredTables?: OpTables,
  ) {}

  async evaluate(tasks: readonly EvaluationTask[]): Promise<EvaluationMetrics[]> {
    return tasks.map((task) => this.evaluateOne(task));
  }

  evaluateOne(task: EvaluationTask): EvaluationMetrics {
    const { setup } = this;
    const { candidate } = task;
    const closed = 'concurrency' in task ? task.concurrency : undefined;
    // One copy of the deployment serves 1/share of the traffic; in closed loop, concurrency/share
    // clients, so where that is not whole the whole deployment is simulated.
    const copies = replicaShare(candidate);
    const share = closed === undefined || closed % copies === 0 ? copies : 1;
    // Open loop: the sample at the rate, repeated to span MIN_ARRIVAL_SPAN_SECONDS, one copy's share of it
    // (every share-th request), at most MAX_SIMULATED_REQUESTS of them.
    const scaled = 'rate' in task ? scaleToRate(setup.workload, task.rate) : undefined;
    const requests = scaled
      ? repeatToSpan(scaled, MIN_ARRIVAL_SPAN_SECONDS, {
          every: share,
          maxRequests: Math.max(MAX_SIMULATED_REQUESTS, Math.ceil(scaled.requests.length / share)),
        })
      : thin(setup.workload, share);
    const summary = simulate(simulationConfigFor(setup, candidate, share), requests, {
      measuredTables: this.measuredTables,
      ...(closed === undefined ? {} : { closedLoop: { concurrency: closed / share } }),
    });
    const rate = 'rate' in task ? task.rate : summary.throughput.requestsPerSecond * share;
    const metrics = metricsFromSummary(summary, rate, candidateGpus(candidate) / share);
    // The simulated copy served 1/share of the traffic: cluster rates are share times its own.
    metrics.requestThroughput *= share;
    metrics.goodput *= share;
    if (closed !== undefined) metrics.concurrency = closed;
    return metrics;
  }

  /**
   * A deployment as a config file writes it (`simulationConfigOf`: its own schedulers and engine), run
   * whole on the same requests as the candidates at `rate`, with the same op database. `gpus`: every
   * GPU of the deployment, for throughput per GPU.
   */
  evaluateConfig(config: SimulationConfigInput, rate: number, gpus: number): EvaluationMetrics {
    const scaled = scaleToRate(this.setup.workload, rate);
    const requests = repeatToSpan(scaled, MIN_ARRIVAL_SPAN_SECONDS, {
      every: 1,
      maxRequests: Math.max(MAX_SIMULATED_REQUESTS, scaled.requests.length),
    });
    const summary = simulate(
      { calibration: this.setup.calibration, seed: this.setup.seed, timeSeriesPoints: 1, ...config },
      requests,
      { measuredTables: this.measuredTables },
    );
    return metricsFromSummary(summary, rate, gpus);
  }
}

/**
 * What `simulate` runs for a candidate: its pools (cut to 1/`share` of their replicas, `share` dividing
 * them; 1: the whole deployment) under the engine's scheduler, judged by the search's SLO.
 */
export function simulationConfigFor(
  setup: SimulationEvaluatorSetup,
  candidate: Candidate,
  share = 1,
): SimulationConfigInput {
  const pool = (p: Pool): PoolConfig => ({
    plan: { ...p.plan, dp: p.plan.dp / share },
    scheduler: schedulerFor(setup.engine, p.knobs, setup.maxModelLen),
    ...(p.speculation ? { speculation: p.speculation } : {}),
  });
  return {
    model: setup.model,
    hardware: setup.hardware,
    deployment:
      candidate.kind === 'colocated'
        ? { kind: 'colocated', pool: pool(candidate.pool) }
        : { kind: 'disaggregated', prefill: pool(candidate.prefill), decode: pool(candidate.decode) },
    router: 'round-robin',
    calibration: setup.calibration,
    engine: setup.servingEngine ?? servingEngineFor({ id: setup.engine }),
    // The search's SLO as it is: goodput and attainment count the requests meeting it as `simulate` does.
    slo: setup.slo,
    seed: setup.seed,
    timeSeriesPoints: 1,
  };
}

/** An evaluator for `setup` with its op database read (a ServeTuneError naming a bad folder or file). */
export async function simulationEvaluatorFor(setup: SimulationEvaluatorSetup): Promise<SimulationEvaluator> {
  const database =
    setup.perfDb === undefined
      ? undefined
      : await readUserPerfDb({ dir: setup.perfDb, hardware: setup.hardware.id, engine: setup.engine });
  return new SimulationEvaluator(setup, database?.tables);
}
