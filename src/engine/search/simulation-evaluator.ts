import { ENGINES, type EngineId } from '../config/engines/index.js';
import type { HardwareSpec } from '../hardware/spec.js';
import type { ModelSpec } from '../model/spec.js';
import type { Calibration } from '../perf/calibration.js';
import type { SchedulerConfig } from '../sched/config.js';
import type { PoolConfig, SimulationConfigInput } from '../sim/config.js';
import { simulate } from '../sim/simulate.js';
import type { MetricSummary, RunSummary } from '../sim/summary.js';
import { repeatToSpan, scaleToRate } from '../workload/transform.js';
import type { Workload } from '../workload/types.js';
import type { EvaluationMetrics, Percentiles, Pool, SchedulerKnobs, Slo } from './schema.js';
import type { EvaluationTask, Evaluator } from './search.js';
import { candidateGpus } from './space.js';

/** Which simulator policy runs a serving engine's scheduler with these knobs (the engine's description says). */
function schedulerFor(engine: EngineId, knobs: SchedulerKnobs, maxModelLen: number): SchedulerConfig {
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

/** The search's view of a simulated run. TBT is the inter-token latency over all token gaps. */
function metricsFromSummary(summary: RunSummary, rate: number, gpus: number): EvaluationMetrics {
  const tpot = percentiles(summary.tpot);
  return {
    rate,
    ttft: percentiles(summary.ttft),
    tbt: percentiles(summary.itl),
    tpot,
    e2e: percentiles(summary.e2e),
    throughputPerGpu: summary.throughput.outputTokensPerSecond / gpus,
    speedPerUser: tpot.mean > 0 ? 1 / tpot.mean : 0,
    requestThroughput: summary.throughput.requestsPerSecond,
    goodput: summary.goodput?.requestsPerSecond ?? 0,
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

export interface SimulationEvaluatorSetup {
  model: ModelSpec;
  hardware: HardwareSpec;
  engine: EngineId;
  /** The requests every configuration is compared on (already cut to the search's sample). */
  workload: Workload;
  slo: Slo;
  maxModelLen: number;
  calibration?: Calibration;
  seed: number;
}

/**
 * Evaluates configurations by simulating them. Replicas of a pool are identical and, under round-robin
 * routing, each sees every dp-th request: one replica is simulated on its share and scaled back up,
 * which makes a DP8 plan cost what a DP1 plan costs. A disaggregated xPyD deployment is likewise
 * simulated as one of its gcd(x, y) identical (x/g)P(y/g)D parts.
 */
export class SimulationEvaluator implements Evaluator {
  constructor(private readonly setup: SimulationEvaluatorSetup) {}

  async evaluate(tasks: readonly EvaluationTask[]): Promise<EvaluationMetrics[]> {
    return tasks.map((task) => this.evaluateOne(task));
  }

  evaluateOne({ candidate, rate }: EvaluationTask): EvaluationMetrics {
    const { setup } = this;
    const scaled = scaleToRate(setup.workload, rate);
    // One replica's share under round-robin routing: every share-th request of the repeated arrivals.
    const share = (step: number): Workload =>
      repeatToSpan(scaled, MIN_ARRIVAL_SPAN_SECONDS, {
        every: step,
        maxRequests: Math.max(MAX_SIMULATED_REQUESTS, Math.ceil(scaled.requests.length / step)),
      });
    const pool = (p: Pool, replicas: number): PoolConfig => ({
      plan: { ...p.plan, dp: replicas },
      scheduler: schedulerFor(setup.engine, p.knobs, setup.maxModelLen),
    });
    let config: SimulationConfigInput;
    let workload: Workload;
    let gpus: number;
    if (candidate.kind === 'colocated') {
      const { plan } = candidate.pool;
      config = this.config({ kind: 'colocated', pool: pool(candidate.pool, 1) });
      workload = share(plan.dp);
      gpus = plan.tp * plan.pp;
    } else {
      // xPyD with g = gcd(x, y) is g copies of (x/g)P(y/g)D, each seeing every g-th request.
      const g = gcd(candidate.prefill.plan.dp, candidate.decode.plan.dp);
      config = this.config({
        kind: 'disaggregated',
        prefill: pool(candidate.prefill, candidate.prefill.plan.dp / g),
        decode: pool(candidate.decode, candidate.decode.plan.dp / g),
      });
      workload = share(g);
      gpus = candidateGpus(candidate) / g;
    }
    const summary = simulate(config, workload);
    const replicaShare =
      candidate.kind === 'colocated'
        ? candidate.pool.plan.dp
        : gcd(candidate.prefill.plan.dp, candidate.decode.plan.dp);
    const metrics = metricsFromSummary(summary, rate, gpus);
    // The simulated copy served 1/share of the traffic: cluster rates are share times its own.
    metrics.requestThroughput *= replicaShare;
    metrics.goodput *= replicaShare;
    return metrics;
  }

  private config(deployment: SimulationConfigInput['deployment']): SimulationConfigInput {
    const { setup } = this;
    return {
      model: setup.model,
      hardware: setup.hardware,
      deployment,
      router: 'round-robin',
      calibration: setup.calibration,
      // Goodput counts a request as meeting the TBT target when its own time per output token is within
      // it (vLLM's benchmark goodput: per-request TTFT and TPOT); the run's TBT percentile is checked
      // separately. A request's single largest gap would fail nearly every request whose decode shared
      // one step with a long prefill, however rare such steps are.
      slo: {
        ttft: setup.slo.ttft,
        tpot: Math.min(setup.slo.tpot ?? Number.POSITIVE_INFINITY, setup.slo.tbt),
      },
      seed: setup.seed,
      timeSeriesPoints: 1,
    };
  }
}
