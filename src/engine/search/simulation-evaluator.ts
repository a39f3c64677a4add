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
const MIN_ARRIVAL_SPAN_SECONDS = 60;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
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
    const scaled = repeatToSpan(scaleToRate(setup.workload, rate), MIN_ARRIVAL_SPAN_SECONDS);
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
      workload = thin(scaled, plan.dp);
      gpus = plan.tp * plan.pp;
    } else {
      // xPyD with g = gcd(x, y) is g copies of (x/g)P(y/g)D, each seeing every g-th request.
      const g = gcd(candidate.prefill.plan.dp, candidate.decode.plan.dp);
      config = this.config({
        kind: 'disaggregated',
        prefill: pool(candidate.prefill, candidate.prefill.plan.dp / g),
        decode: pool(candidate.decode, candidate.decode.plan.dp / g),
      });
      workload = thin(scaled, g);
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
