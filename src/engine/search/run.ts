import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { loadCalibration } from '../calibrate/load.js';
import { EngineId } from '../config/engines/index.js';
import { getHardware } from '../hardware/catalog.js';
import { resolveModelAsync } from '../model/resolve.js';
import { resolveMeasuredOps } from '../perf/measured-ops.js';
import { type ServingEngine, servingEngineBehaviour, servingEngineFor } from '../perf/serving-engine.js';
import { describeSpeculation } from '../perf/speculation.js';
import { ServeTuneError } from '../util/errors.js';
import { loadNonEmptyWorkload } from '../workload/load.js';
import { arrivalRate } from '../workload/transform.js';
import type { Workload } from '../workload/types.js';
import { SearchAsked } from './asked.js';
import { Cost, costOf, PriceUsed, priceFor } from './cost.js';
import { bestSplit, explainDisaggregation } from './disaggregation-verdict.js';
import { Energy, energyOf } from './energy.js';
import { EngineSettings, engineSettingsFor } from './engine-commands.js';
import { EvaluatedConfiguration, type Pool, PrunedConfiguration, Slo } from './schema.js';
import { type Evaluator, runSearch, type SearchOutcome, type SearchProgress } from './search.js';
import { type SimulationEvaluatorSetup, simulationEvaluatorFor } from './simulation-evaluator.js';
import { explainSpeculation } from './speculation-space.js';
import { ThreadedEvaluator } from './threaded-evaluator.js';

/** What a user asks a search for (CLI flags, the worker protocol). */
export const SearchInput = SearchAsked.extend({
  hardware: z.string().min(1),
  gpus: z.number().int().positive(),
  /**
   * Compare closed loop instead, with this many requests in flight (not with `rate`): each configuration
   * is simulated once at it and ranked by the requests per second it serves within the SLOs.
   */
  concurrency: z.number().int().positive().optional(),
  /** Speculative decoding on/off and its k as search dimensions. */
  allowSpeculation: z.boolean().default(false),
});
export type SearchInput = z.input<typeof SearchInput>;

export const SearchConfiguration = EvaluatedConfiguration.extend({
  /** A one-line description, e.g. "TP4 × DP2, 256 seqs, 8192-token chunks". */
  label: z.string(),
  /** Engine flags, for the Pareto members and the best (null for the rest). */
  settings: EngineSettings.nullable(),
  /** What it costs at its highest rate within the SLO (null: no price, or it never meets the SLO). */
  cost: Cost.nullable().default(null),
  /** The GPUs' energy per token at `maxRateUnderSlo`, an estimate at TDP (`energyOf`). Optional, added later. */
  energy: Energy.nullable().default(null),
});
export type SearchConfiguration = z.infer<typeof SearchConfiguration>;

export const SearchResult = z.object({
  schemaVersion: z.literal(1),
  model: z.string(),
  modelName: z.string(),
  hardware: z.string(),
  gpus: z.number().int(),
  engine: EngineId,
  /** What timed the steps: the engine's measured tables (version used), or the roofline. Optional, added later. */
  timedWith: z.string().optional(),
  /**
   * The engine behaviours away from the defaults that timed the steps and that the emitted commands
   * carry, in words (`eager`, `NCCL all-reduce`, `MoE marlin`…); absent: none.
   */
  engineBehaviour: z.array(z.string()).optional(),
  workload: z.object({
    source: z.string(),
    requests: z.number().int(),
    /** The rate compared at (open loop); closed loop: the workload's own rate, its arrival times unused. */
    rate: z.number(),
    /** Closed loop: the requests kept in flight. Optional, added later. */
    concurrency: z.number().int().positive().optional(),
    maxSequenceTokens: z.number().int(),
  }),
  slo: Slo,
  maxModelLen: z.number().int(),
  calibrated: z.boolean(),
  configurations: z.array(SearchConfiguration),
  best: z.string().nullable(),
  fronts: z.object({ latency: z.array(z.string()), throughput: z.array(z.string()) }),
  pruned: z.array(PrunedConfiguration),
  configurationsEvaluated: z.number().int(),
  configurationsPruned: z.number().int(),
  simulations: z.number().int(),
  /** With speculation searched: why it was or was not chosen. Optional, added later. */
  speculation: z.string().optional(),
  /** With disaggregation searched: the best split against the best colocated. Optional, added later. */
  disaggregation: z.string().optional(),
  wallSeconds: z.number(),
  /** The GPU-hour price the costs use (null: the catalog lists none and none was given). */
  price: PriceUsed.nullable().default(null),
});
export type SearchResult = z.infer<typeof SearchResult>;

/** A configuration as the report names it: each pool's plan, kernels, formats and knobs. */
export function labelOf(c: Pick<EvaluatedConfiguration, 'candidate'>): string {
  const pool = (p: Pool) => {
    const parts = [`TP${p.plan.tp}`];
    if (p.plan.pp > 1) parts.push(`PP${p.plan.pp}`);
    if (p.plan.dp > 1) parts.push(`DP${p.plan.dp}`);
    if (p.plan.ep > 1)
      parts.push(`EP${p.plan.ep}${p.plan.redundantExperts ? `+${p.plan.redundantExperts}` : ''}`);
    // DeepEP kernels, where the plan runs them (NCCL, the default, goes unsaid).
    const kernels = p.plan.allToAll?.startsWith('deepep')
      ? ` ${p.plan.allToAll.replace('deepep-', 'DeepEP ')}`
      : '';
    const dtypes =
      p.plan.weightDtype !== 'bf16' || p.plan.kvDtype !== 'bf16'
        ? ` ${p.plan.weightDtype}/${p.plan.kvDtype}`
        : '';
    const chunks = p.knobs.chunkedPrefill ? `${p.knobs.maxNumBatchedTokens}-token chunks` : 'whole prompts';
    const spec = p.speculation ? `, spec ${describeSpeculation(p.speculation)}` : '';
    return `${parts.join('×')}${kernels}${dtypes}, ${p.knobs.maxNumSeqs} seqs, ${chunks}, mem ${p.knobs.gpuMemoryUtilization}${spec}`;
  };
  const candidate = c.candidate;
  return candidate.kind === 'colocated'
    ? pool(candidate.pool)
    : `prefill ${pool(candidate.prefill)} | decode ${pool(candidate.decode)}`;
}

/** The max-model-len every configuration of a search runs with: the workload's longest request, rounded up. */
function searchMaxModelLen(model: { maxContextLength: number }, maxSequenceTokens: number): number {
  return Math.min(model.maxContextLength, 2 ** Math.ceil(Math.log2(Math.max(maxSequenceTokens, 2048))));
}

/**
 * The requests every configuration is simulated on (the first `sampleRequests` of the workload), their
 * arrival rate (`rate`, else the workload's own), the longest request's tokens and the context the
 * engines are set to; a workload with no requests, no rate (open loop: closed loop, with a
 * `concurrency`, needs none and its rate may be 0), or a request longer than the model's context is an
 * error that names the flag.
 */
export function loadSearchSample(
  input: { workload: string; sampleRequests: number; seed: number; rate?: number; concurrency?: number },
  model: { name: string; maxContextLength: number },
): { workload: Workload; rate: number; maxSequenceTokens: number; maxModelLen: number } {
  const options = { count: input.sampleRequests, seed: input.seed };
  const workload = loadNonEmptyWorkload(input.workload, options, () => ({
    message: `the workload '${input.workload}' has no requests`,
    flag: '--workload',
  }));
  if (input.rate !== undefined && input.concurrency !== undefined) {
    throw new ServeTuneError(
      'a closed loop (--concurrency) ignores arrival times: give --concurrency or --rate, not both',
      'invalid-argument',
      '--concurrency',
    );
  }
  const rate = input.rate ?? arrivalRate(workload);
  if (!(rate > 0) && input.concurrency === undefined) {
    throw new ServeTuneError(
      'the workload has no arrival rate (all at once): pass --rate',
      'invalid-argument',
      '--rate',
    );
  }
  const maxSequenceTokens = Math.max(...workload.requests.map((r) => r.promptTokens + r.outputTokens));
  if (maxSequenceTokens > model.maxContextLength) {
    throw new ServeTuneError(
      `the workload has a request of ${maxSequenceTokens} tokens, longer than ${model.name}'s context of ${model.maxContextLength}`,
      'invalid-argument',
      '--workload',
    );
  }
  return { workload, rate, maxSequenceTokens, maxModelLen: searchMaxModelLen(model, maxSequenceTokens) };
}

/**
 * The whole search as users run it: resolve the model, GPU and workload, simulate every configuration
 * worth simulating (on worker threads), and return every configuration with its metrics, the fronts,
 * the best under the SLOs and ready-to-use engine settings.
 */
export async function searchServing(
  rawInput: SearchInput,
  options: {
    workerFile?: URL;
    signal?: AbortSignal;
    onProgress?: (p: SearchProgress) => void;
    /** The result so far (without engine settings), as the search's stages complete. */
    onPartial?: (partial: SearchResult) => void;
  } = {},
): Promise<SearchResult> {
  const started = performance.now();
  const input = SearchInput.parse(rawInput);
  const model = await resolveModelAsync(input.model);
  const hardware = getHardware(input.hardware);
  const { workload, rate, maxSequenceTokens, maxModelLen } = loadSearchSample(input, model);
  const calibration = loadCalibration(input, hardware);
  const servingEngine = servingEngineFor({ id: input.engine, version: input.engineVersion }, input);
  const price = priceFor(hardware, input.prices, input.pricesGivenIn);
  const setup: SimulationEvaluatorSetup = {
    model,
    hardware,
    engine: input.engine,
    servingEngine,
    workload,
    slo: input.slo,
    maxModelLen,
    calibration,
    seed: input.seed,
    ...(input.perfDb !== undefined ? { perfDb: input.perfDb } : {}),
  };

  const threads = input.threads ?? undefined;
  let evaluator: Evaluator;
  let threaded: ThreadedEvaluator | undefined;
  // Read here first, on every path: a bad folder or file fails the search before any thread starts.
  const local = await simulationEvaluatorFor(setup);
  if (threads === 0 || !options.workerFile) evaluator = local;
  else evaluator = threaded = new ThreadedEvaluator(options.workerFile, setup, threads);
  try {
    // Partial results carry no engine settings: those are for the configurations the final fronts keep.
    const resultOf = (outcome: SearchOutcome, withSettings: boolean): SearchResult => {
      // The split the disaggregation verdict reports gets its commands too, chosen or not.
      const split = input.disaggregation ? bestSplit(outcome.configurations) : undefined;
      const configurations = outcome.configurations.map((c) => ({
        ...c,
        label: labelOf(c),
        cost: price && c.metricsAtMaxRate ? costOf(c.metricsAtMaxRate, c.gpus, price) : null,
        energy: c.metricsAtMaxRate ? energyOf(c.metricsAtMaxRate, hardware) : null,
        settings:
          withSettings && (c.best || c.paretoLatency || c.paretoThroughput || c.id === split?.id)
            ? engineSettingsFor(input.engine, model, c.candidate, maxModelLen, {
                hardware,
                servingEngine,
              })
            : null,
      }));
      return SearchResult.parse({
        schemaVersion: 1,
        model: model.id,
        modelName: model.name,
        hardware: hardware.id,
        gpus: input.gpus,
        engine: input.engine,
        timedWith: servingEngine
          ? (resolveMeasuredOps(hardware, servingEngine)?.describe() ??
            `${input.engine}: roofline (no measured tables)`)
          : 'roofline × default efficiencies',
        ...behaviourOf(servingEngine),
        workload: {
          source: workload.source,
          requests: workload.requests.length,
          rate,
          ...(input.concurrency !== undefined ? { concurrency: input.concurrency } : {}),
          maxSequenceTokens,
        },
        slo: input.slo,
        maxModelLen,
        calibrated: calibration !== undefined,
        configurations,
        best: outcome.best,
        fronts: { latency: outcome.frontLatency, throughput: outcome.frontThroughput },
        pruned: outcome.pruned,
        configurationsEvaluated: configurations.length,
        configurationsPruned: outcome.pruned.length,
        simulations: outcome.simulations,
        ...(input.allowSpeculation ? { speculation: explainSpeculation(outcome.configurations) } : {}),
        ...(input.disaggregation
          ? { disaggregation: explainDisaggregation(configurations, input.slo.percentile) }
          : {}),
        wallSeconds: (performance.now() - started) / 1000,
        price,
      });
    };
    const outcome = await runSearch(
      {
        model,
        hardware,
        gpus: input.gpus,
        engine: input.engine,
        ...(servingEngine?.moeBackend ? { moeBackend: servingEngine.moeBackend } : {}),
        rate,
        concurrency: input.concurrency,
        slo: input.slo,
        maxSequenceTokens,
        allowQuantization: input.allowQuantization,
        disaggregation: input.disaggregation,
        allowSpeculation: input.allowSpeculation,
      },
      evaluator,
      {
        signal: options.signal,
        onProgress: options.onProgress,
        onPartial: options.onPartial && ((partial) => options.onPartial!(resultOf(partial, false))),
      },
    );
    return resultOf(outcome, true);
  } finally {
    await threaded?.close();
  }
}

/** The engine behaviours away from the defaults, as SearchResult carries them (absent: none). */
function behaviourOf(engine: ServingEngine | undefined): { engineBehaviour?: string[] } {
  const behaviour = engine ? servingEngineBehaviour(engine) : [];
  return behaviour.length > 0 ? { engineBehaviour: behaviour } : {};
}
