import type { EngineId } from '../config/engines/index.js';
import type { HardwareSpec } from '../hardware/spec.js';
import { memoryReport } from '../memory/model.js';
import type { ModelSpec } from '../model/spec.js';
import type { MoeBackend } from '../perf/moe-backend.js';
import { dominates, paretoFront2d, type Sense } from '../util/pareto.js';
import { singleNodeShapes, wideExpertParallelShapes } from './expert-parallel-space.js';
import { DEFAULT_RATE_SEARCH, maxRatesUnderSlo } from './rate.js';
import type {
  Candidate,
  CandidateBody,
  EvaluatedConfiguration,
  EvaluationMetrics,
  Pool,
  PrunedConfiguration,
  Slo,
} from './schema.js';
import { meetsSlo, sloMargin } from './slo.js';
import {
  candidateGpus,
  candidateId,
  colocatedCandidates,
  disaggregatedCandidates,
  dtypeChoices,
  feasibleReplicaShapes,
  neighbourKnobs,
  searchExpertLayout,
} from './space.js';
import { speculationNeighbours, speculativeCandidates } from './speculation-space.js';

/** Runs configurations at request rates: the simulator behind it, possibly on several threads. */
export interface Evaluator {
  evaluate(tasks: readonly EvaluationTask[], signal?: AbortSignal): Promise<EvaluationMetrics[]>;
}

/** Open loop at `rate` requests per second, or closed loop with `concurrency` requests in flight. */
export type EvaluationTask =
  | { candidate: Candidate; rate: number }
  | { candidate: Candidate; concurrency: number };

export interface SearchRequest {
  model: ModelSpec;
  hardware: HardwareSpec;
  gpus: number;
  engine: EngineId;
  /** The MoE kernel the launch selects (its layout of mxfp4 experts in memory); absent: the engine's default. */
  moeBackend?: MoeBackend;
  /** Requests per second the configurations are compared at (open loop; the start of the max-rate search). */
  rate: number;
  /**
   * Compare closed loop instead, with this many requests in flight: each configuration is simulated
   * once at it, judged by its SLOs there and ranked by the requests per second it serves (its
   * `maxRateUnderSlo` where it meets them); no rate is bisected and `rate` is not used.
   */
  concurrency?: number;
  slo: Slo;
  maxSequenceTokens: number;
  allowQuantization: boolean;
  disaggregation: boolean;
  /** Speculative decoding as a dimension: on/off and k (`speculation-space.ts`). */
  allowSpeculation?: boolean;
  /**
   * Leaders whose knob neighbours are tried in each refinement round, and the most rounds; refinement
   * stops earlier once a round finds nothing at least as good as the best so far.
   */
  refineLeaders?: number;
  refineRounds?: number;
  /** Skip the max-rate search of configurations dominated at the search rate (the default). */
  pruneDominated?: boolean;
}

export interface SearchProgress {
  stage: 'coarse' | 'refine' | 'max-rate';
  done: number;
  total: number;
}

export interface SearchOutcome {
  configurations: EvaluatedConfiguration[];
  pruned: PrunedConfiguration[];
  best: string | null;
  frontLatency: string[];
  frontThroughput: string[];
  simulations: number;
}

interface Scored {
  candidate: Candidate;
  metrics: EvaluationMetrics;
  stage: 'coarse' | 'refine';
}

function kvCapacity(request: SearchRequest, pool: Pool): number {
  const report = memoryReport(request.model, request.hardware, pool.plan, {
    gpuMemoryUtilization: pool.knobs.gpuMemoryUtilization,
    blockSize: pool.knobs.blockSize,
    maxNumBatchedTokens: pool.knobs.maxNumBatchedTokens,
    maxNumSeqs: pool.knobs.maxNumSeqs,
    contextLength: request.maxSequenceTokens,
    expertLayout: searchExpertLayout(request, pool.plan),
  });
  return report.fits ? report.cluster.kvCapacityTokens : 0;
}

/** A knob variant is only worth simulating if its memory still fits the longest sequence. */
function fits(request: SearchRequest, candidate: Candidate): boolean {
  if (candidate.kind === 'colocated') return kvCapacity(request, candidate.pool) > 0;
  return kvCapacity(request, candidate.prefill) > 0 && kvCapacity(request, candidate.decode) > 0;
}

/** The pool whose batch limits cap throughput at high rates: the only one, or the decode pool. */
function servingPool(candidate: Candidate): Pool {
  return candidate.kind === 'colocated' ? candidate.pool : candidate.decode;
}

/**
 * The vector compared for dominance: latencies (lower is better), throughput, speed and goodput at the
 * search rate, and what bounds a configuration as the rate grows: its KV capacity and how many
 * sequences it admits (higher is better). A configuration that is worse on all of them at the search
 * rate has no head-room left to win at a higher one.
 */
function objectiveVector(request: SearchRequest, s: Scored): number[] {
  const p = request.slo.percentile;
  const pool = servingPool(s.candidate);
  return [
    s.metrics.ttft[p],
    s.metrics.tbt[p],
    s.metrics.throughputPerGpu,
    s.metrics.speedPerUser,
    s.metrics.goodput,
    kvCapacity(request, pool),
    pool.knobs.maxNumSeqs * pool.plan.dp,
  ];
}
const OBJECTIVE_SENSES: Sense[] = ['min', 'min', 'max', 'max', 'max', 'max', 'max'];

function refinedVariants(candidate: Candidate): Candidate[] {
  const make = (body: CandidateBody): Candidate => ({ ...body, id: candidateId(body) });
  if (candidate.kind === 'colocated') {
    return neighbourKnobs(candidate.pool.knobs).map((knobs) =>
      make({ kind: 'colocated', pool: { ...candidate.pool, knobs } }),
    );
  }
  return [
    ...neighbourKnobs(candidate.decode.knobs).map((knobs) =>
      make({ kind: 'disaggregated', prefill: candidate.prefill, decode: { ...candidate.decode, knobs } }),
    ),
    ...neighbourKnobs(candidate.prefill.knobs).map((knobs) =>
      make({ kind: 'disaggregated', prefill: { ...candidate.prefill, knobs }, decode: candidate.decode }),
    ),
  ];
}

/**
 * The plan search: prune the space by divisibility and memory, evaluate a coarse knob grid for every
 * feasible plan at the search rate, refine the knobs around the leaders, find the highest SLO-meeting
 * rate of every configuration that no other configuration beats on all metrics, and mark the fronts and
 * the best (highest rate under the SLOs, then throughput per GPU). Closed loop (`concurrency`): each
 * configuration runs once at the concurrency, and the rate it serves there, where it meets the SLOs,
 * stands for its highest rate (it ranks the leaders and the best alike); nothing is pruned as dominated,
 * since no rate search is saved by it.
 */
export async function runSearch(
  request: SearchRequest,
  evaluator: Evaluator,
  options: {
    signal?: AbortSignal;
    onProgress?: (p: SearchProgress) => void;
    /** The outcome so far, after the coarse stage and after each refinement round. */
    onPartial?: (outcome: SearchOutcome) => void;
  } = {},
): Promise<SearchOutcome> {
  const { signal, onProgress, onPartial } = options;
  const spaceInput = { ...request };
  const { shapes, pruned } = replicaShapes(spaceInput, request.gpus);
  const run: SearchRun = {
    request,
    evaluator,
    signal,
    onProgress,
    scored: new Map(),
    maxRateById: new Map(),
    atMaxRateById: new Map(),
    pruned,
    simulations: 0,
    maxRateRuns: 0,
  };

  const coarse = colocatedCandidates(spaceInput, shapes);
  if (request.disaggregation) coarse.push(...disaggregatedCandidates(spaceInput, shapes));
  if (request.allowSpeculation) coarse.push(...speculativeCandidates(coarse, request.model));
  await scoreAndRate(run, coarse, 'coarse');
  const reportPartial = () => onPartial?.(outcomeSoFar(run));
  reportPartial();

  const leaders = request.refineLeaders ?? 3;
  for (let round = 0; round < (request.refineRounds ?? 8); round++) {
    const variants = refinementVariants(run, leadersOf(run, leaders));
    if (variants.size === 0) break;
    const before = bestRate(run);
    const fresh = await scoreAndRate(run, [...variants.values()], 'refine');
    reportPartial();
    const improvedOrTied = fresh.some(
      (s) => (run.maxRateById.get(s.candidate.id) ?? 0) >= before && before > 0,
    );
    if (!improvedOrTied) break;
  }

  return outcomeSoFar(run);
}

/** A search as it goes: what it evaluated, each configuration's rate under the SLOs, what it pruned. */
interface SearchRun {
  readonly request: SearchRequest;
  readonly evaluator: Evaluator;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: SearchProgress) => void;
  readonly scored: Map<string, Scored>;
  /** The highest rate under the SLOs (closed loop: the rate served where the SLOs hold); null: none. */
  readonly maxRateById: Map<string, number | null>;
  readonly atMaxRateById: Map<string, EvaluationMetrics>;
  readonly pruned: PrunedConfiguration[];
  simulations: number;
  maxRateRuns: number;
}

/** The replica shapes to search (plain, wide expert parallel, then those a single node holds) and what was pruned. */
function replicaShapes(
  spaceInput: SearchRequest,
  gpus: number,
): { shapes: ReturnType<typeof feasibleReplicaShapes>['shapes']; pruned: PrunedConfiguration[] } {
  const { shapes, pruned } = feasibleReplicaShapes(spaceInput, gpus);
  const wide = wideExpertParallelShapes(spaceInput, dtypeChoices(spaceInput));
  shapes.push(...wide.shapes);
  pruned.push(...wide.pruned);
  const oneNode = singleNodeShapes(spaceInput, shapes);
  shapes.splice(0, shapes.length, ...oneNode.shapes);
  pruned.push(...oneNode.pruned);
  return { shapes, pruned };
}

/** The outcome over what has been evaluated so far. */
function outcomeSoFar(run: SearchRun): SearchOutcome {
  return outcomeOf(
    run.request,
    [...run.scored.values()],
    run.maxRateById,
    run.atMaxRateById,
    run.pruned,
    run.simulations,
  );
}

/** Evaluates `candidates` at the search's rate or concurrency, records them, then their rates under the SLOs. */
async function scoreAndRate(
  run: SearchRun,
  candidates: Candidate[],
  stage: Scored['stage'],
): Promise<Scored[]> {
  const { request, signal, onProgress } = run;
  signal?.throwIfAborted();
  onProgress?.({ stage, done: 0, total: candidates.length });
  const concurrency = request.concurrency;
  const metrics = await run.evaluator.evaluate(
    candidates.map((candidate) =>
      concurrency === undefined ? { candidate, rate: request.rate } : { candidate, concurrency },
    ),
    signal,
  );
  run.simulations += candidates.length;
  onProgress?.({ stage, done: candidates.length, total: candidates.length });
  const fresh = candidates.map((candidate, i): Scored => ({ candidate, metrics: metrics[i], stage }));
  for (const s of fresh) run.scored.set(s.candidate.id, s);
  if (request.concurrency === undefined) await searchMaxRates(run, fresh);
  else recordServedRates(fresh, request.slo, run.maxRateById, run.atMaxRateById);
  return fresh;
}

/** Max-rate search for the new configurations that no evaluated configuration beats on every metric. */
async function searchMaxRates(run: SearchRun, fresh: readonly Scored[]): Promise<void> {
  const { request, signal } = run;
  const survivors = undominated(run, fresh);
  const rates = await maxRatesUnderSlo(
    survivors.length,
    async (round) => {
      signal?.throwIfAborted();
      const metrics = await run.evaluator.evaluate(
        round.map(({ index, rate }) => ({ candidate: survivors[index].candidate, rate })),
        signal,
      );
      run.simulations += round.length;
      run.maxRateRuns += round.length;
      run.onProgress?.({
        stage: 'max-rate',
        done: run.maxRateRuns,
        total: run.maxRateRuns + survivors.length,
      });
      return metrics.map((m) => ({ holds: meetsSlo(m, request.slo), payload: m }));
    },
    { ...DEFAULT_RATE_SEARCH, start: request.rate },
  );
  for (let i = 0; i < survivors.length; i++) {
    run.maxRateById.set(survivors[i].candidate.id, rates[i].rate);
    if (rates[i].payload) run.atMaxRateById.set(survivors[i].candidate.id, rates[i].payload!);
  }
}

/**
 * The new configurations that no evaluated one using at most as many GPUs beats on every metric; the
 * others are pruned as dominated (unless the request keeps them).
 */
function undominated(run: SearchRun, fresh: readonly Scored[]): Scored[] {
  const request = run.request;
  const everyone = [...run.scored.values()];
  const vectors = new Map(everyone.map((s) => [s.candidate.id, objectiveVector(request, s)]));
  const survivors: Scored[] = [];
  for (const s of fresh) {
    const mine = vectors.get(s.candidate.id)!;
    const gpus = candidateGpus(s.candidate);
    const dominator =
      request.pruneDominated === false
        ? undefined
        : everyone.find(
            (other) =>
              other !== s &&
              candidateGpus(other.candidate) <= gpus &&
              dominates(vectors.get(other.candidate.id)!, mine, OBJECTIVE_SENSES),
          );
    if (dominator) {
      run.pruned.push({
        what: s.candidate.id,
        reason: 'dominated',
        detail: `worse on every metric than ${dominator.candidate.id}`,
      });
    } else {
      survivors.push(s);
    }
  }
  return survivors;
}

/** The highest rate under the SLOs found so far (0: none). */
function bestRate(run: SearchRun): number {
  return Math.max(0, ...[...run.maxRateById.values()].map((r) => r ?? 0));
}

/** The `count` configurations with the highest rate under the SLOs, then the most throughput per GPU. */
function leadersOf(run: SearchRun, count: number): Scored[] {
  const { scored, maxRateById } = run;
  return [...scored.values()]
    .filter((s) => maxRateById.get(s.candidate.id) != null)
    .sort(
      (a, b) =>
        maxRateById.get(b.candidate.id)! - maxRateById.get(a.candidate.id)! ||
        b.metrics.throughputPerGpu - a.metrics.throughputPerGpu,
    )
    .slice(0, count);
}

/** The leaders' unevaluated neighbours (knobs refined, speculation varied) that fit in memory. */
function refinementVariants(run: SearchRun, top: readonly Scored[]): Map<string, Candidate> {
  const request = run.request;
  const variants = new Map<string, Candidate>();
  for (const leader of top) {
    const speculation = request.allowSpeculation
      ? speculationNeighbours(leader.candidate, request.model)
      : [];
    for (const variant of [...refinedVariants(leader.candidate), ...speculation]) {
      if (run.scored.has(variant.id) || variants.has(variant.id)) continue;
      if (!fits(request, variant)) {
        run.pruned.push({
          what: variant.id,
          reason: 'memory',
          detail: 'the longest sequence does not fit in the KV cache',
        });
        continue;
      }
      variants.set(variant.id, variant);
    }
  }
  return variants;
}

/** Closed loop: the rate each new configuration served at the concurrency, where it met the SLOs. */
function recordServedRates(
  fresh: readonly Scored[],
  slo: Slo,
  maxRateById: Map<string, number | null>,
  atMaxRateById: Map<string, EvaluationMetrics>,
): void {
  for (const s of fresh) {
    const meets = meetsSlo(s.metrics, slo);
    maxRateById.set(s.candidate.id, meets ? s.metrics.rate : null);
    if (meets) atMaxRateById.set(s.candidate.id, s.metrics);
  }
}

/** Fronts, best and per-configuration flags over what has been evaluated so far (final or partial). */
function outcomeOf(
  request: SearchRequest,
  all: readonly Scored[],
  maxRateById: ReadonlyMap<string, number | null>,
  atMaxRateById: ReadonlyMap<string, EvaluationMetrics>,
  pruned: readonly PrunedConfiguration[],
  simulations: number,
): SearchOutcome {
  const p = request.slo.percentile;
  // A configuration that cannot serve the workload (its KV cannot hold a sequence, say) has no latency:
  // its zeros would beat every real point, so it has no point on this front.
  const latencyFront = new Set(
    paretoFront2d(
      all.map((s) =>
        s.metrics.stable
          ? ([s.metrics.ttft[p], s.metrics.tbt[p]] as const)
          : ([Number.NaN, Number.NaN] as const),
      ),
      ['min', 'min'],
    ),
  );
  // Throughput against speed per user at each configuration's highest rate under the SLOs: what it
  // delivers while meeting them. Configurations that never meet them have no point on this front.
  const throughputFront = new Set(
    paretoFront2d(
      all.map((s) => {
        const m = atMaxRateById.get(s.candidate.id);
        return m ? ([m.throughputPerGpu, m.speedPerUser] as const) : ([Number.NaN, Number.NaN] as const);
      }),
      ['max', 'max'],
    ),
  );

  const configurations: EvaluatedConfiguration[] = all.map((s, i) => ({
    id: s.candidate.id,
    candidate: s.candidate,
    gpus: candidateGpus(s.candidate),
    metrics: s.metrics,
    metricsAtMaxRate: atMaxRateById.get(s.candidate.id) ?? null,
    meetsSlo: meetsSlo(s.metrics, request.slo),
    sloMargin: Math.max(-1e9, sloMargin(s.metrics, request.slo)),
    maxRateUnderSlo: maxRateById.get(s.candidate.id) ?? null,
    maxRateSearched: maxRateById.has(s.candidate.id),
    paretoLatency: latencyFront.has(i),
    paretoThroughput: throughputFront.has(i),
    best: false,
    stage: s.stage,
  }));

  const best = configurations
    .filter((c) => c.meetsSlo && c.maxRateUnderSlo !== null)
    .sort(
      (a, b) =>
        b.maxRateUnderSlo! - a.maxRateUnderSlo! || b.metrics.throughputPerGpu - a.metrics.throughputPerGpu,
    )[0];
  if (best) best.best = true;

  return {
    configurations,
    pruned: [...pruned],
    best: best?.id ?? null,
    frontLatency: configurations.filter((c) => c.paretoLatency).map((c) => c.id),
    frontThroughput: configurations.filter((c) => c.paretoThroughput).map((c) => c.id),
    simulations,
  };
}
