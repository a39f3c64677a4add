import { z } from 'zod';
import { loadCalibrationAndNote } from '../calibrate/load.js';
import { EngineId } from '../config/engines/index.js';
import { getHardware } from '../hardware/catalog.js';
import type { HardwareSpec } from '../hardware/spec.js';
import { resolveModelAsync } from '../model/resolve.js';
import type { ModelSpec } from '../model/spec.js';
import { type ServingEngineInput, servingEngineFor } from '../perf/serving-engine.js';
import { ServeTuneError } from '../util/errors.js';
import { paretoFront2d } from '../util/pareto.js';
import { SearchAsked } from './asked.js';
import { Cost, costOf, PriceUsed, priceFor } from './cost.js';
import { Energy, energyOf } from './energy.js';
import { EngineSettings, engineSettingsFor } from './engine-commands.js';
import { loadSearchSample } from './run.js';
import { Candidate, type CandidateBody, EvaluationMetrics, type Pool, Slo } from './schema.js';
import type { Evaluator } from './search.js';
import { simulationEvaluatorFor } from './simulation-evaluator.js';
import { meetsSlo } from './slo.js';
import {
  candidateGpus,
  candidateId,
  colocatedCandidates,
  disaggregatedCandidates,
  feasibleReplicaShapes,
  neighbourKnobs,
  type ReplicaShape,
} from './space.js';
import { ThreadedEvaluator } from './threaded-evaluator.js';

// Capacity planning: for each GPU type, the fewest GPUs (and so the cheapest deployment) that serves a
// target rate within the SLO. Replicas are identical and, routed round-robin, each sees rate/replicas:
// one replica's highest rate within the SLO, found once per replica configuration, answers every GPU
// count (replicas = ⌈rate / that rate⌉), so the GPU count costs no simulations of its own.

export const CapacityInput = SearchAsked.extend({
  /** GPU types to compare (catalog ids). */
  hardware: z.array(z.string().min(1)).min(1),
  /** The GPU counts a deployment may use, inclusive. */
  minGpus: z.number().int().positive().default(1),
  maxGpus: z.number().int().positive(),
});
export type CapacityInput = z.input<typeof CapacityInput>;

/** One deployment of one GPU type sized to the target rate. */
export const CapacityOption = z.object({
  hardware: z.string(),
  candidate: Candidate,
  label: z.string(),
  gpus: z.number().int().positive(),
  replicas: z.number().int().positive(),
  /** The rate each replica serves: rate / replicas (round-robin). */
  ratePerReplica: z.number().positive(),
  /** At the target rate (each replica at rate / replicas). */
  metrics: EvaluationMetrics,
  cost: Cost.nullable(),
  /** The GPUs' energy per token at the target rate, an estimate at TDP (`energyOf`); null without a TDP. Optional, added later. */
  energy: Energy.nullable().default(null),
});
export type CapacityOption = z.infer<typeof CapacityOption>;

export const CapacityRow = z.object({
  hardware: z.string(),
  hardwareName: z.string(),
  price: PriceUsed.nullable(),
  /** The cheapest deployment meeting the SLO at the rate (the fewest GPUs); null when none does. */
  plan: CapacityOption.nullable(),
  /** Why there is no plan. */
  reason: z.string().nullable(),
  configurationsEvaluated: z.number().int(),
  cheapest: z.boolean(),
  /** Where a measured profile of another device calibrated this type: what carries over and what not. */
  calibrationNote: z.string().optional(),
  /**
   * The plan's engine commands, as `search` prints them for that configuration (`engineSettingsFor`);
   * null without a plan. Optional, added later.
   */
  commands: EngineSettings.nullable().default(null),
  /** Why the plan has no commands (an engine that cannot start a server that size). */
  commandsUnavailable: z.string().optional(),
});
export type CapacityRow = z.infer<typeof CapacityRow>;

export const CapacityPlan = z.object({
  schemaVersion: z.literal(1),
  model: z.string(),
  modelName: z.string(),
  engine: EngineId,
  workload: z.object({ source: z.string(), requests: z.number().int(), rate: z.number() }),
  slo: Slo,
  gpus: z.object({ min: z.number().int(), max: z.number().int() }),
  rows: z.array(CapacityRow),
  /** Cost (lowest $/hour) against latency (lowest TTFT at the SLO's percentile) over every sized deployment. */
  front: z.array(CapacityOption),
  /** Step times calibrated with a measured profile or a saved calibration. Optional, added later. */
  calibrated: z.boolean().default(false),
  simulations: z.number().int(),
  wallSeconds: z.number(),
});
export type CapacityPlan = z.infer<typeof CapacityPlan>;

/** What one GPU type is planned with. */
export interface TypeContext {
  model: ModelSpec;
  hardware: HardwareSpec;
  input: z.infer<typeof CapacityInput>;
  rate: number;
  maxSequenceTokens: number;
}

/** Disaggregated units hold at most this many times the GPUs of the smallest replica that fits. */
const MOST_UNIT_SIZE = 4;

/**
 * One-replica candidates (dp 1, the coarse scheduler settings) of every replica shape that fits in memory
 * and in the GPU range. Shapes more than 8× the smallest fitting one are left out: they only buy latency
 * a smaller replica sharded less would also reach, at many times the GPUs per replica. With
 * disaggregation, also the xPyD units (single-stage shapes) of up to MOST_UNIT_SIZE× the smallest.
 */
export function replicaCandidates(ctx: TypeContext): Candidate[] {
  const space = {
    model: ctx.model,
    hardware: ctx.hardware,
    gpus: ctx.input.maxGpus,
    engine: ctx.input.engine,
    ...(ctx.input.moeBackend ? { moeBackend: ctx.input.moeBackend } : {}),
    maxSequenceTokens: ctx.maxSequenceTokens,
    allowQuantization: ctx.input.allowQuantization,
    disaggregation: ctx.input.disaggregation,
  };
  const { shapes } = feasibleReplicaShapes(space, ctx.input.maxGpus);
  const size = (s: ReplicaShape) => s.tp * s.pp;
  const smallest = Math.min(...shapes.map(size));
  const colocated = shapes
    .filter((s) => size(s) <= 8 * smallest && s.pp <= 4)
    .flatMap((s) => colocatedCandidates({ ...space, gpus: size(s) }, [s]));
  if (!ctx.input.disaggregation || shapes.length === 0) return colocated;
  const unitShapes = shapes.filter((s) => s.pp === 1 && size(s) <= 2 * smallest);
  const units: Candidate[] = [];
  for (let gpus = 2; gpus <= Math.min(ctx.input.maxGpus, MOST_UNIT_SIZE * smallest); gpus++) {
    for (const c of disaggregatedCandidates({ ...space, gpus }, unitShapes)) {
      // n copies of a smaller unit are that unit replicated: sized there.
      if (c.kind === 'disaggregated' && gcd(c.prefill.plan.dp, c.decode.plan.dp) === 1) units.push(c);
    }
  }
  return [...colocated, ...units];
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** GPUs of one replica (or disaggregated unit) of a dp-1 (or primitive xPyD) candidate. */
function replicaGpus(c: Candidate): number {
  return candidateGpus(c);
}

/** `candidate` (one replica, or one xPyD unit) with `replicas` copies: each pool's dp times `replicas`. */
export function replicated(candidate: Candidate, replicas: number): Candidate {
  const times = (pool: Pool): Pool => ({ ...pool, plan: { ...pool.plan, dp: pool.plan.dp * replicas } });
  const body: CandidateBody =
    candidate.kind === 'colocated'
      ? { kind: 'colocated', pool: times(candidate.pool) }
      : { kind: 'disaggregated', prefill: times(candidate.prefill), decode: times(candidate.decode) };
  return { ...body, id: candidateId(body) } as Candidate;
}

interface Sizing {
  candidate: Candidate;
  /** Most replicas known to miss the SLO (0: none tried), fewest known to meet it (null: none yet). */
  fail: number;
  hold: number | null;
  atHold: EvaluationMetrics | null;
  most: number;
}

/**
 * The fewest replicas of each candidate that meet the SLO at `rate`, by bisection on the replica count:
 * the most replicas the GPU range allows first (missing there: the candidate cannot serve the rate), then
 * halving the interval. Each try simulates one replica on its share of the traffic; rounds run every
 * candidate's next try at once so threads stay busy.
 */
async function fewestReplicas(
  candidates: readonly Candidate[],
  ctx: TypeContext,
  evaluator: Evaluator,
  /** The most replicas worth trying per candidate (default: what the GPU range allows). */
  mostReplicas: (c: Candidate) => number = (c) => Math.floor(ctx.input.maxGpus / replicaGpus(c)),
): Promise<{ sizings: Sizing[]; simulations: number }> {
  const sizings: Sizing[] = candidates.map((candidate) => {
    const g = replicaGpus(candidate);
    return {
      candidate,
      fail: Math.max(0, Math.ceil(ctx.input.minGpus / g) - 1),
      hold: null,
      atHold: null,
      most: mostReplicas(candidate),
    };
  });
  let simulations = 0;
  // Untried: the most replicas allowed; then halve the interval between a miss and a hold.
  const next = (s: Sizing): number | null => {
    if (s.most <= s.fail) return null;
    if (s.hold === null) return s.most;
    return s.hold - s.fail > 1 ? Math.floor((s.fail + s.hold) / 2) : null;
  };
  for (;;) {
    const round = sizings.flatMap((s) => {
      const n = next(s);
      return n === null ? [] : [{ s, n }];
    });
    if (round.length === 0) break;
    const metrics = await evaluator.evaluate(
      round.map(({ s, n }) => ({ candidate: replicated(s.candidate, n), rate: ctx.rate })),
    );
    simulations += round.length;
    round.forEach(({ s, n }, i) => {
      if (meetsSlo(metrics[i], ctx.input.slo)) {
        s.hold = n;
        s.atHold = metrics[i];
      } else {
        s.fail = n;
      }
    });
  }
  return { sizings, simulations };
}

function labelOf(c: Candidate, replicas: number): string {
  if (c.kind === 'disaggregated') {
    const pool = (p: Pool, role: string) =>
      `${p.plan.dp}${role}(TP${p.plan.tp}${p.plan.ep > 1 ? `×EP${p.plan.ep}` : ''})`;
    return `${pool(c.prefill, 'P')} + ${pool(c.decode, 'D')}, ${c.decode.knobs.maxNumSeqs} decode seqs`;
  }
  const { plan, knobs } = c.pool;
  const parts = [`TP${plan.tp}`];
  if (plan.pp > 1) parts.push(`PP${plan.pp}`);
  if (replicas > 1) parts.push(`DP${replicas}`);
  if (plan.ep > 1) parts.push(`EP${plan.ep}${plan.redundantExperts ? `+${plan.redundantExperts}` : ''}`);
  const dtypes =
    plan.weightDtype !== 'bf16' || plan.kvDtype !== 'bf16' ? ` ${plan.weightDtype}/${plan.kvDtype}` : '';
  const chunks = knobs.chunkedPrefill ? `${knobs.maxNumBatchedTokens}-token chunks` : 'whole prompts';
  return `${parts.join('×')}${dtypes}, ${knobs.maxNumSeqs} seqs, ${chunks}`;
}

/** Cheaper first: $/hour where priced, else fewer GPUs; then lower TTFT at the SLO's percentile. */
function cheaper(slo: Slo) {
  return (a: CapacityOption, b: CapacityOption) =>
    (a.cost?.usdPerHour ?? a.gpus) - (b.cost?.usdPerHour ?? b.gpus) ||
    a.gpus - b.gpus ||
    a.metrics.ttft[slo.percentile] - b.metrics.ttft[slo.percentile];
}

/** Leaders whose scheduler-setting neighbours are sized in each refinement round, and the most rounds. */
const REFINE_LEADERS = 3;
const REFINE_ROUNDS = 2;

/**
 * Sizes the coarse candidates, then the scheduler-setting neighbours (`neighbourKnobs`) of the cheapest
 * few, as the single-type search refines around its leaders. A neighbour is only tried up to its
 * leader's replica count: with more it could not be cheaper.
 */
async function refinedSizings(
  candidates: readonly Candidate[],
  ctx: TypeContext,
  evaluator: Evaluator,
): Promise<{ sizings: Sizing[]; simulations: number }> {
  const first = await fewestReplicas(candidates, ctx, evaluator);
  const sizings = [...first.sizings];
  let simulations = first.simulations;
  const seen = new Set(candidates.map((c) => c.id));
  for (let round = 0; round < REFINE_ROUNDS; round++) {
    const gpusOf = (s: Sizing) => s.hold! * replicaGpus(s.candidate);
    // Colocated leaders only (units have no scheduler-setting neighbours here): the colocated sizings
    // stay what they are without disaggregation, so adding units never finds more GPUs.
    const leaders = sizings
      .filter((s) => s.hold !== null && s.candidate.kind === 'colocated')
      .sort((a, b) => gpusOf(a) - gpusOf(b))
      .slice(0, REFINE_LEADERS);
    const variants: Candidate[] = [];
    const ceiling = new Map<string, number>();
    for (const leader of leaders) {
      if (leader.candidate.kind !== 'colocated') continue;
      for (const knobs of neighbourKnobs(leader.candidate.pool.knobs)) {
        const body = { kind: 'colocated' as const, pool: { ...leader.candidate.pool, knobs } };
        const id = candidateId(body);
        if (seen.has(id)) continue;
        seen.add(id);
        variants.push({ ...body, id });
        ceiling.set(id, leader.hold!);
      }
    }
    if (variants.length === 0) break;
    const best = Math.min(...leaders.map(gpusOf));
    const more = await fewestReplicas(variants, ctx, evaluator, (c) => ceiling.get(c.id)!);
    sizings.push(...more.sizings);
    simulations += more.simulations;
    // Stop once a round finds nothing needing fewer GPUs than the best so far.
    if (!more.sizings.some((s) => s.hold !== null && gpusOf(s) < best)) break;
  }
  return { sizings, simulations };
}

/** Every sized deployment of one GPU type, and its row. */
async function planType(
  ctx: TypeContext,
  evaluator: Evaluator,
): Promise<{ row: CapacityRow; options: CapacityOption[]; simulations: number }> {
  const price = priceFor(ctx.hardware, ctx.input.prices, ctx.input.pricesGivenIn);
  const candidates = replicaCandidates(ctx);
  const { sizings, simulations } = await refinedSizings(candidates, ctx, evaluator);
  const options: CapacityOption[] = sizings.flatMap((s) => {
    if (s.hold === null || !s.atHold) return [];
    const gpus = s.hold * replicaGpus(s.candidate);
    const candidate = replicated(s.candidate, s.hold);
    return [
      {
        hardware: ctx.hardware.id,
        candidate,
        label: labelOf(candidate, s.hold),
        gpus,
        replicas: s.hold,
        ratePerReplica: ctx.rate / s.hold,
        metrics: s.atHold,
        cost: price ? costOf(s.atHold, gpus, price) : null,
        energy: energyOf(s.atHold, ctx.hardware),
      },
    ];
  });
  options.sort(cheaper(ctx.input.slo));
  const plan = options[0] ?? null;
  const reason = plan
    ? null
    : candidates.length === 0
      ? `no replica of ${ctx.model.name} fits in ${ctx.input.maxGpus} ${ctx.hardware.id} GPUs' memory`
      : `no configuration of at most ${ctx.input.maxGpus} GPUs meets the SLO at ${ctx.rate.toFixed(2)} req/s`;
  const row: CapacityRow = {
    hardware: ctx.hardware.id,
    hardwareName: ctx.hardware.name,
    price,
    plan,
    reason,
    configurationsEvaluated: sizings.length,
    cheapest: false,
    commands: null,
  };
  return { row, options, simulations };
}

/**
 * Capacity planning over GPU types: per type, the cheapest deployment (the fewest GPUs) meeting the SLO at
 * the rate; the overall cheapest marked (by $/hour, among the priced types); the front of $/hour against
 * TTFT over every sized deployment.
 */
export async function planCapacity(
  rawInput: CapacityInput,
  options: {
    workerFile?: URL;
    signal?: AbortSignal;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<CapacityPlan> {
  const started = performance.now();
  const input = CapacityInput.parse(rawInput);
  if (input.minGpus > input.maxGpus) {
    throw new ServeTuneError(
      `--gpus: ${input.minGpus}..${input.maxGpus} is an empty range`,
      'invalid-argument',
      '--gpus',
    );
  }
  const model = await resolveModelAsync(input.model);
  const hardwareList = input.hardware.map((id) => getHardware(id));
  const { workload, rate, maxSequenceTokens, maxModelLen } = loadSearchSample(input, model);
  const rows: CapacityRow[] = [];
  const all: CapacityOption[] = [];
  let simulations = 0;
  for (const [i, hardware] of hardwareList.entries()) {
    options.signal?.throwIfAborted();
    options.onProgress?.(i, hardwareList.length);
    const { calibration, note } = loadCalibrationAndNote(input, hardware);
    const setup = {
      model,
      hardware,
      engine: input.engine,
      servingEngine: servingEngineFor({ id: input.engine, version: input.engineVersion }, input),
      workload,
      slo: input.slo,
      maxModelLen,
      calibration,
      seed: input.seed,
      ...(input.perfDb !== undefined ? { perfDb: input.perfDb } : {}),
    };
    // Read here first: a bad --perf-db folder fails before any thread starts.
    const local = await simulationEvaluatorFor(setup);
    const threaded =
      input.threads !== 0 && options.workerFile
        ? new ThreadedEvaluator(options.workerFile, setup, input.threads)
        : undefined;
    try {
      const ctx = { model, hardware, input, rate, maxSequenceTokens };
      const typed = await planType(ctx, threaded ?? local);
      const commands = commandsOf(typed.row.plan, { model, hardware, maxModelLen, setup });
      rows.push({ ...typed.row, ...commands, ...(note ? { calibrationNote: note } : {}) });
      all.push(...typed.options);
      simulations += typed.simulations;
    } finally {
      await threaded?.close();
    }
  }
  options.onProgress?.(hardwareList.length, hardwareList.length);
  const priced = rows.filter((r) => r.plan?.cost);
  priced.sort((a, b) => a.plan!.cost!.usdPerHour - b.plan!.cost!.usdPerHour);
  if (priced[0]) priced[0].cheapest = true;
  const costed = all.filter((o) => o.cost);
  const front = paretoFront2d(
    costed.map((o) => [o.cost!.usdPerHour, o.metrics.ttft[input.slo.percentile]] as const),
    ['min', 'min'],
  )
    .map((i) => costed[i])
    // Scheduler settings that behave alike give the same point: keep one of each.
    .filter((o, i, all) => all.findIndex((x) => sameCostAndLatency(x, o, input.slo)) === i)
    .sort((a, b) => a.cost!.usdPerHour - b.cost!.usdPerHour);
  return CapacityPlan.parse({
    schemaVersion: 1,
    model: model.id,
    modelName: model.name,
    engine: input.engine,
    workload: { source: workload.source, requests: workload.requests.length, rate },
    slo: input.slo,
    gpus: { min: input.minGpus, max: input.maxGpus },
    rows,
    front,
    calibrated: input.calibration !== undefined || input.profile !== undefined,
    simulations,
    wallSeconds: (performance.now() - started) / 1000,
  });
}

/**
 * A sized deployment's engine commands, from the function `search` prints its own with, so a capacity
 * plan's row can be started as it stands.
 */
function commandsOf(
  plan: CapacityOption | null,
  context: {
    model: ModelSpec;
    hardware: HardwareSpec;
    maxModelLen: number;
    setup: { engine: EngineId; servingEngine?: ServingEngineInput };
  },
): Pick<CapacityRow, 'commands' | 'commandsUnavailable'> {
  if (!plan) return { commands: null };
  const { model, hardware, maxModelLen, setup } = context;
  try {
    const target = { hardware, servingEngine: setup.servingEngine };
    return { commands: engineSettingsFor(setup.engine, model, plan.candidate, maxModelLen, target) };
  } catch (error) {
    if (!(error instanceof ServeTuneError)) throw error;
    return { commands: null, commandsUnavailable: error.message };
  }
}

function sameCostAndLatency(a: CapacityOption, b: CapacityOption, slo: Slo): boolean {
  return (
    a.cost?.usdPerHour === b.cost?.usdPerHour &&
    a.metrics.ttft[slo.percentile] === b.metrics.ttft[slo.percentile]
  );
}
