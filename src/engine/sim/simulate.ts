import { getHardware } from '../hardware/catalog.js';
import { describePlan, planGpus } from '../memory/plan.js';
import { resolveModel } from '../model/resolve.js';
import { groupLink } from '../perf/comm.js';
import type { MeasuredOpTables } from '../perf/op-tables.js';
import { ENGINE_FRONTEND_SECONDS } from '../perf/serving-engine.js';
import type { StepModelOptions } from '../perf/step-model.js';
import { policySwaps, type SchedulerConfig } from '../sched/config.js';
import { ServeTuneError } from '../util/errors.js';
import { checkSimulationFits } from '../workload/request-memory.js';
import type { Workload } from '../workload/types.js';
import { arrivalOrder } from './arrival-order.js';
import type { ClientModel } from './client-model.js';
import { type ClosedLoopOptions, closedLoopClient } from './closed-loop.js';
import { SimulationConfig, type SimulationConfigInput } from './config.js';
import { buildPools, type Pool, poolConfigsOf } from './pools.js';
import { type MaxTokens, simRequests } from './requests.js';
import { hasSessions, linkTurns, sessionOrder } from './sessions.js';
import { Simulation } from './simulation.js';
import { StepFactors } from './step-factors.js';
import { infeasibleSummary, type RunBase } from './summarize-run.js';
import type { RunLoad, RunSummary } from './summary.js';

export interface SimulateOptions {
  /** Measured op tables (imported): where they cover an op, they replace the roofline. */
  opTables?: MeasuredOpTables;
  /** The engine's measured op tables from the user's database (`--perf-db`); default: the shipped ones. */
  measuredTables?: StepModelOptions['measuredTables'];
  /** Label for the summary (default: model, hardware and plan). */
  label?: string;
  /**
   * The client of the run where it is not an ideal one, as when a measured run is replayed (`servetune
   * validate` supplies one: validate/served-client.ts). Default: each request is sent at its workload
   * time and its tokens are seen as the engine emits them.
   */
  client?: ClientModel;
  /**
   * Replay the workload closed loop (`closedLoopClient`): this many requests in flight, the next sent
   * as one settles; the workload's arrival times are ignored. Not with `client`.
   */
  closedLoop?: ClosedLoopOptions;
  /**
   * Leave the first this many completions out of the metrics: latencies, throughput and goodput count
   * from the last of them (`RunLoad.warmUpRequests`). Default 0.
   */
  warmUpRequests?: number;
  /**
   * The `max_tokens` every request asks for, which schedulers plan with (Orca and static batching
   * reserve it, SGLang and LightLLM predict from it). Default: none, so the rest of max-model-len after
   * the prompt, as an OpenAI server fills in. A request whose trace produced more keeps its own length.
   * `'output'`: each request asks for exactly the tokens it produces, as benchmark clients send the
   * output length they drew with `ignore_eos` (requests.ts `MaxTokens`).
   */
  maxTokens?: MaxTokens;
  /** The file `config.calibration` was read from (`--calibration`), named by the summary's report. */
  calibrationFile?: string;
}

/** The step-time factors come from a stream of their own, apart from any other seeded draws. */
const STEP_FACTOR_SEED_MIX = 0x5bd1e995;

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
  const run = startSimulation(configInput, workload, options);
  if ('summary' in run) return run.summary;
  run.simulation.run();
  return run.finish();
}

/** A simulation set up to run (`finish` summarizes it once run), or the summary of an infeasible plan. */
export type StartedSimulation = { summary: RunSummary } | { simulation: Simulation; finish(): RunSummary };

/** Everything `simulate` does before its event loop; callers that run the loop in slices start here. */
export function startSimulation(
  configInput: SimulationConfigInput,
  workload: Workload,
  options: SimulateOptions = {},
): StartedSimulation {
  const wallStart = performance.now();
  const config = SimulationConfig.parse(configInput);
  const model = typeof config.model === 'string' ? resolveModel(config.model) : config.model;
  const hardware = typeof config.hardware === 'string' ? getHardware(config.hardware) : config.hardware;
  const poolConfigs = poolConfigsOf(config.deployment);
  for (const [, pool] of poolConfigs) refuseSwapWithoutEngineSupport(pool.scheduler);
  const gpus = poolConfigs.reduce((sum, [, p]) => sum + planGpus(p.plan), 0);
  const label =
    options.label ??
    `${model.id} on ${hardware.id}: ${poolConfigs.map(([role, p]) => `${role === 'mixed' ? '' : `${role} `}${describePlan(p.plan)} ${p.scheduler.policy}`).join(' + ')}`;
  const base: RunBase = {
    schemaVersion: 1,
    kind: 'simulated',
    label,
    model: model.id,
    hardware: hardware.id,
    gpus,
    config,
    seed: config.seed,
  };
  const load = loadOf(options);
  if (load) base.load = load;
  if (options.calibrationFile !== undefined && config.calibration)
    base.calibrationFile = options.calibrationFile;

  const { pools, resolvedSchedulers, problems } = buildPools(config, model, hardware, workload, options);
  if (problems.length > 0) {
    return {
      summary: infeasibleSummary({ base, resolvedSchedulers, wallStart }, problems, workload.requests.length),
    };
  }

  const deployment = config.deployment;
  const client = options.closedLoop
    ? closedLoopClient(closedLoopOf(config, options.closedLoop))
    : options.client;
  const source = workload.requests;
  checkSimulationFits(source.length);
  let order = client ? client.arrivalOrder(source) : arrivalOrder(source);
  let streamLength = source.length;
  const sessions = hasSessions(source);
  if (sessions) {
    if (client) throw sessionsWithClient();
    const split = sessionOrder(source, order ?? source.map((_, i) => i));
    order = split.order;
    streamLength = split.streamLength;
  }
  const requests = simRequests(
    source,
    order,
    deployment.kind === 'disaggregated',
    longestSequence(pools),
    options.maxTokens,
  );
  if (sessions) linkTurns(source, order ?? [], requests);
  const simulation = new Simulation({
    pools,
    requests,
    streamLength,
    kvLink:
      deployment.kind === 'disaggregated' ? (deployment.kvLink ?? groupLink(hardware, gpus)) : undefined,
    stepFactors: stepFactorsOf(config),
    client: client ? client.startRun(config.seed, source.length) : null,
    timeSeriesPoints: config.timeSeriesPoints,
    warmUpRequests: options.warmUpRequests ?? 0,
    slidingWindow: model.slidingWindow,
    verifiesAsDecodes: model.mla !== undefined,
    tbtTarget: config.slo.tbt ?? Number.POSITIVE_INFINITY,
  });
  return {
    simulation,
    finish: () =>
      simulation.summary({
        base,
        resolvedSchedulers,
        gpus,
        slo: config.slo,
        classSlos: workload.classSlos,
        wallStart,
        frontEndSeconds: config.calibration?.frontEndSeconds,
      }),
  };
}

const NO_SWAP_REASON: Record<string, string> = {
  'vllm-v1': 'vLLM v1 removed swap preemption and only recomputes',
  sglang: 'SGLang retracts preempted requests and recomputes them',
  lightllm: 'LightLLM pauses preempted requests and recomputes them',
};

/** Swap only where the engine a policy mimics has it: elsewhere the requests would never come back. */
function refuseSwapWithoutEngineSupport(scheduler: SchedulerConfig): void {
  if (scheduler.preemption !== 'swap' || policySwaps(scheduler.policy)) return;
  throw new ServeTuneError(
    `simulate: ${scheduler.policy} has no swap preemption (${NO_SWAP_REASON[scheduler.policy] ?? 'its engine has none'}); use --preemption recompute, or vllm-v0 or sarathi for swap`,
    'invalid-config',
    'preemption',
  );
}

/** The longest sequence every pool's replicas can hold: max-model-len, or their whole KV cache if less. */
function longestSequence(pools: readonly Pool[]): number {
  let longest = Number.POSITIVE_INFINITY;
  for (const pool of pools) {
    const replica = pool.replicas[0];
    const kv = replica.kv;
    let tokens = Math.min(replica.config.maxModelLen, kv.totalBlocks * kv.blockSize);
    while (tokens > 1 && kv.blocksFor(tokens) > kv.totalBlocks) tokens -= kv.blockSize;
    longest = Math.min(longest, tokens);
  }
  return longest;
}

function sessionsWithClient(): ServeTuneError {
  return new ServeTuneError(
    'simulate: a workload of multi-turn sessions sends each turn as the one before it is answered, a client of its own; it cannot be replayed closed loop or by another client',
    'invalid-argument',
    'closedLoop',
  );
}

/** The summary's record of how the requests were sent; undefined for open loop with no warm-up. */
function loadOf(options: SimulateOptions): RunLoad | undefined {
  const { closedLoop, warmUpRequests } = options;
  if (closedLoop && options.client) {
    throw new ServeTuneError(
      'simulate: a closed loop is a client of its own; give `closedLoop` or `client`, not both',
      'invalid-argument',
      'closedLoop',
    );
  }
  const { maxTokens } = options;
  if (maxTokens !== undefined && maxTokens !== 'output' && !(Number.isInteger(maxTokens) && maxTokens > 0)) {
    throw new ServeTuneError(
      `simulate: max_tokens must be a positive whole number or 'output', got ${maxTokens}`,
      'invalid-argument',
      'maxTokens',
    );
  }
  if (warmUpRequests !== undefined && !(Number.isInteger(warmUpRequests) && warmUpRequests >= 0)) {
    throw new ServeTuneError(
      `simulate: the warm-up must be a whole number of requests, got ${warmUpRequests}`,
      'invalid-argument',
      'warmUpRequests',
    );
  }
  const warmUp = warmUpRequests ? { warmUpRequests } : {};
  if (closedLoop) {
    return {
      mode: 'closed',
      concurrency: closedLoop.concurrency,
      thinkSeconds: closedLoop.thinkSeconds ?? 0,
      ...warmUp,
      ...(closedLoop.warmUpPhase ? { warmUpPhase: true as const } : {}),
    };
  }
  return warmUpRequests ? { mode: 'open', ...warmUp } : undefined;
}

/**
 * A closed loop's front-end latency: the one given, else that of the serving engine named (its API
 * server between the benchmark client and the scheduler), else none.
 */
function closedLoopOf(config: SimulationConfig, closedLoop: ClosedLoopOptions): ClosedLoopOptions {
  if (closedLoop.frontendSeconds !== undefined || !config.engine) return closedLoop;
  return { ...closedLoop, frontendSeconds: ENGINE_FRONTEND_SECONDS[config.engine.id] };
}

/** Step-time variation (single-stage replicas), drawn from its own seeded stream; null: none. */
function stepFactorsOf(config: SimulationConfig): StepFactors | null {
  const spread = config.calibration?.stepTimeSpread;
  if (!spread) return null;
  return new StepFactors(
    {
      spread,
      persistence: config.calibration?.stepTimeSpreadPersistence ?? 0,
      heldShare: config.calibration?.stepTimeSpreadHeldShare ?? 1,
    },
    (config.seed ^ STEP_FACTOR_SEED_MIX) >>> 0,
  );
}
