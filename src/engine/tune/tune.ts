import { createTwoFilesPatch } from 'diff';
import { loadCalibration } from '../calibrate/load.js';
import { applyEdits, planEdits } from '../config/apply.js';
import type { ServingBlock } from '../config/block.js';
import {
  engineBehaviourOf,
  engineBehaviourSettings,
  mergeEngineBehaviour,
} from '../config/engines/engine-behaviour.js';
import { engineMemoryUtilizationOf } from '../config/memory-share.js';
import {
  DEPLOYMENT_KEYS,
  type PartialServingSettings,
  SETTING_LABELS,
  type SettingKey,
} from '../config/serving-settings.js';
import type { TextEdit } from '../config/source.js';
import { memoryReport } from '../memory/model.js';
import { planProblems } from '../memory/plan.js';
import { engineExpertLayout } from '../perf/expert-weight-layout.js';
import type { MoeBackend } from '../perf/moe-backend.js';
import { type ServingEngine, servingEngineBehaviour, servingEngineFor } from '../perf/serving-engine.js';
import { DEFAULT_RATE_SEARCH, maxRatesUnderSlo } from '../search/rate.js';
import {
  loadSearchSample,
  type SearchConfiguration,
  type SearchResult,
  searchServing,
} from '../search/run.js';
import type { Candidate, EvaluationMetrics, Pool, Slo } from '../search/schema.js';
import type { SearchProgress } from '../search/search.js';
import { type SimulationEvaluator, simulationEvaluatorFor } from '../search/simulation-evaluator.js';
import { meetsSlo } from '../search/slo.js';
import { candidateId } from '../search/space.js';
import { readConfigIfFile } from '../util/files.js';
import { sloInWords } from '../workload/slo-verdict.js';
import { type DisaggregationSide, disaggregationSides, pickConfigBlock } from './config-simulation.js';
import { configPairOf, evaluatePair, pairWithPool, predictPair } from './predict-pair.js';
import { readBlock, refuseBlockErrors, refuseOtherEngine } from './read-block.js';
import {
  type BlockPrediction,
  type BlockTarget,
  PredictBlockInput,
  type PredictBlockResult,
  type SettingChange,
  TuneBlockInput,
  type TuneBlockResult,
} from './schema.js';
import { engineTakes, holdsGpuCount, memoryLimitsOf, type ResolvedBlock, resolveBlock } from './target.js';

/** The simulation setup shared by the prediction of the file and the search: same requests, rate, length. */
interface Bench {
  evaluator: SimulationEvaluator;
  rate: number;
  slo: Slo;
  workload: { source: string; requests: number; rate: number };
  maxModelLen: number;
  /** The engine that times the steps (undefined: roofline). */
  servingEngine: ServingEngine | undefined;
}

/**
 * The engine whose measured tables time the block's steps: the block's, at the version asked, with the
 * behaviours its file sets (NCCL all-reduce, eager, overlap scheduling) and those the CLI adds.
 */
function servingEngineOf(resolved: ResolvedBlock, input: EngineInput): ServingEngine | undefined {
  const engine = resolved.target.engine;
  refuseOtherEngine(engine, input.engine);
  return servingEngineFor(
    // The command line's version over the one the file's image names (as simulate --config does).
    { id: engine, version: input.engine?.version ?? resolved.engineVersion },
    mergeEngineBehaviour(resolved.behaviour, input),
  );
}

interface EngineInput {
  engine?: { id: string; version?: string };
  disableCustomAllReduce?: boolean;
  enforceEager?: boolean;
  disableOverlapScheduling?: boolean;
  moeBackend?: MoeBackend;
  nvfp4Dispatch?: boolean;
  fp8QBProj?: boolean;
}

/** The target with the engine behaviours that time its steps, in words. */
function targetOf(resolved: ResolvedBlock, bench: Bench): BlockTarget {
  const behaviour = bench.servingEngine ? servingEngineBehaviour(bench.servingEngine) : [];
  return behaviour.length > 0 ? { ...resolved.target, engineBehaviour: behaviour } : resolved.target;
}

async function benchFor(
  resolved: ResolvedBlock,
  input: EngineInput & {
    workload: string;
    rate?: number;
    slo: Slo;
    sampleRequests: number;
    seed: number;
    profile?: string;
    perfDb?: string;
  },
): Promise<Bench> {
  const { workload, rate, maxModelLen } = loadSearchSample(input, resolved.model);
  const calibration = loadCalibration({ profile: input.profile }, resolved.hardware);
  const servingEngine = servingEngineOf(resolved, input);
  const evaluator = await simulationEvaluatorFor({
    model: resolved.model,
    hardware: resolved.hardware,
    engine: resolved.target.engine,
    servingEngine,
    workload,
    slo: input.slo,
    maxModelLen,
    calibration,
    seed: input.seed,
    ...(input.perfDb !== undefined ? { perfDb: input.perfDb } : {}),
  });
  return {
    evaluator,
    rate,
    slo: input.slo,
    workload: { source: workload.source, requests: workload.requests.length, rate },
    maxModelLen,
    servingEngine,
  };
}

function poolLabel(pool: Pool): string {
  const { plan, knobs } = pool;
  const parts = [`TP${plan.tp}`];
  if (plan.pp > 1) parts.push(`PP${plan.pp}`);
  if (plan.dp > 1) parts.push(`DP${plan.dp}`);
  if (plan.ep > 1) parts.push(`EP${plan.ep}`);
  const chunks = knobs.chunkedPrefill ? `${knobs.maxNumBatchedTokens}-token chunks` : 'whole prompts';
  // The share of the whole GPU, derived from the engine's own setting (SGLang's leaves the activations
  // out), so not a round number: three decimals say it.
  const memory = Number(knobs.gpuMemoryUtilization.toFixed(3));
  return `${parts.join('×')}, ${knobs.maxNumSeqs} seqs, ${chunks}, mem ${memory}`;
}

/** Simulates a block as written (the same way the search simulates its configurations). */
async function predict(
  resolved: ResolvedBlock,
  bench: Bench,
  withMaxRate: boolean,
): Promise<BlockPrediction> {
  const { pool, model, hardware } = resolved;
  const problems = [...resolved.problems, ...planProblems(model, pool.plan)];
  if (problems.length === 0) {
    const memory = memoryReport(model, hardware, pool.plan, {
      gpuMemoryUtilization: pool.knobs.gpuMemoryUtilization,
      blockSize: pool.knobs.blockSize,
      maxNumBatchedTokens: pool.knobs.maxNumBatchedTokens,
      maxNumSeqs: pool.knobs.maxNumSeqs,
      contextLength: bench.maxModelLen,
      expertLayout: engineExpertLayout(
        bench.servingEngine ?? { id: resolved.target.engine },
        hardware,
        model,
        pool.plan.weightDtype,
      ),
    });
    if (!memory.fits) problems.push(...memory.problems);
  }
  const { tp, pp, dp } = pool.plan;
  const base = { label: poolLabel(pool), settings: resolved.effective, gpus: tp * pp * dp, problems };
  if (problems.length > 0) return { ...base, metrics: null, meetsSlo: false, maxRateUnderSlo: null };
  const candidate: Candidate = {
    kind: 'colocated',
    id: candidateId({ kind: 'colocated', pool }),
    pool,
  };
  const metrics = bench.evaluator.evaluateOne({ candidate, rate: bench.rate });
  let maxRateUnderSlo: number | null = null;
  if (withMaxRate) {
    const [found] = await maxRatesUnderSlo(
      1,
      async (round) =>
        round.map(({ rate }) => {
          const m = bench.evaluator.evaluateOne({ candidate, rate });
          return { holds: meetsSlo(m, bench.slo), payload: m };
        }),
      { ...DEFAULT_RATE_SEARCH, start: bench.rate },
    );
    maxRateUnderSlo = found.rate;
  }
  return { ...base, metrics, meetsSlo: meetsSlo(metrics, bench.slo), maxRateUnderSlo };
}

/**
 * What one block of a config file predicts as written: its settings (the engine's defaults for the
 * rest), simulated once at the workload's rate. Cheap enough to run on every edit.
 */
export async function predictBlock(rawInput: PredictBlockInput): Promise<PredictBlockResult> {
  const input = PredictBlockInput.parse(rawInput);
  const { block, report } = readBlock(input.path, input.text, input.block);
  // One side of a disaggregated deployment is predicted as the pair, as `simulate --config --side` runs it.
  const side = disaggregationSides(report)[input.block];
  const resolved = resolveBlock(block, input.block, {
    hardware: input.hardware,
    hardwareFallback: input.hardwareFallback,
    ...(side ? { side } : {}),
  });
  const bench = await benchFor(resolved, input);
  return {
    target: targetOf(resolved, bench),
    workload: bench.workload,
    slo: bench.slo,
    current: side
      ? await predictPair(input, side, bench.evaluator, bench.rate, bench.slo)
      : await predict(resolved, bench, false),
  };
}

/** The settings a search configuration means for this block, in the block's own terms. */
function settingsFor(resolved: ResolvedBlock, block: ServingBlock, pool: Pool): PartialServingSettings {
  const { plan, knobs } = pool;
  const { holdsReplicas } = resolved.target;
  const dpInServer = holdsReplicas ? 1 : plan.dp;
  const settings: PartialServingSettings = {
    tp: plan.tp,
    pp: plan.pp,
    dp: dpInServer,
    maxNumSeqs: knobs.maxNumSeqs,
    maxNumBatchedTokens: knobs.maxNumBatchedTokens,
    enableChunkedPrefill: knobs.chunkedPrefill,
    blockSize: knobs.blockSize,
    gpuMemoryUtilization: memorySettingFor(resolved, pool),
  };
  if (holdsReplicas) settings.replicas = plan.dp;
  if (holdsGpuCount(block)) settings.gpus = plan.tp * plan.pp * dpInServer;
  if (plan.ep > 1) {
    settings.ep = plan.ep;
    settings.expertParallel = true;
  }
  return settings;
}

/**
 * The block's `gpuMemoryUtilization` setting for the pool's share of the whole GPU, in the engine's terms
 * (SGLang's `--mem-fraction-static` leaves the activations out): the block's own where the share is the
 * one it runs with now, undefined where the engine has no such setting.
 */
function memorySettingFor(resolved: ResolvedBlock, pool: Pool): number | undefined {
  const share = pool.knobs.gpuMemoryUtilization;
  if (Math.abs(share - resolved.pool.knobs.gpuMemoryUtilization) < 1e-9)
    return resolved.effective.gpuMemoryUtilization;
  const target = {
    engine: resolved.target.engine,
    model: resolved.model,
    hardware: resolved.hardware,
    plan: pool.plan,
  };
  const limits = memoryLimitsOf({ ...resolved.effective, ...pool.knobs }, resolved.model);
  return engineMemoryUtilizationOf(target, share, limits);
}

/** Only what differs from what the block runs now, and only what this engine and file can say. */
function changedSettings(
  resolved: ResolvedBlock,
  block: ServingBlock,
  wanted: PartialServingSettings,
): PartialServingSettings {
  const now: PartialServingSettings = {
    dp: 1,
    replicas: 1,
    gpus: resolved.target.gpusPerServer,
    ...resolved.effective,
  };
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(wanted) as SettingKey[]) {
    if (wanted[key] === now[key]) continue;
    if (!DEPLOYMENT_KEYS.includes(key) && !engineTakes(block, key)) continue;
    changes[key] = wanted[key];
  }
  return changes as PartialServingSettings;
}

/** At most this many configurations the search did not rate are rated for a block (see `bestFor`). */
const EXTRA_MAX_RATE_SEARCHES = 24;

/** How a pool the search found is rated for this block: as a whole server, or as its side's pool of the pair. */
interface Rating {
  evaluate: (candidate: Candidate & { kind: 'colocated' }, rate: number) => EvaluationMetrics;
  /** The search rated whole servers; a side's pool is rated again within its pair. */
  pair: boolean;
}

/**
 * Among the search's configurations, the best one this block can become: same weight and KV formats,
 * data parallelism only where the file or the engine can say it, meeting the SLOs; ranked like the
 * search ranks (highest rate under the SLOs, then throughput per GPU). The search skips the max-rate
 * search of configurations beaten on every metric by another one, possibly one of another format;
 * those that qualify here are rated now, on the same bench. A side's pool is judged within its pair:
 * the search's best pools by throughput per GPU, simulated in the pair at the bench's rate and rated.
 */
async function bestFor(
  resolved: ResolvedBlock,
  block: ServingBlock,
  search: SearchResult,
  bench: Bench,
  rating: Rating,
): Promise<{ configuration: SearchConfiguration; pool: Pool } | undefined> {
  const current = resolved.pool.plan;
  const dpAllowed = resolved.target.holdsReplicas || engineTakes(block, 'dp');
  // The suggestion never changes max-model-len; without chunked prefill a step must hold a whole prompt
  // of that length, or the engine refuses to start.
  const maxModelLen = resolved.effective.maxModelLen ?? resolved.model.maxContextLength;
  const schedulable = (pool: Pool) =>
    pool.knobs.chunkedPrefill || pool.knobs.maxNumBatchedTokens >= maxModelLen;
  const byThroughput = (
    a: { configuration: SearchConfiguration },
    b: { configuration: SearchConfiguration },
  ) => b.configuration.metrics.throughputPerGpu - a.configuration.metrics.throughputPerGpu;
  const formats = search.configurations.flatMap((c) =>
    c.candidate.kind === 'colocated' &&
    c.candidate.pool.plan.weightDtype === current.weightDtype &&
    c.candidate.pool.plan.kvDtype === current.kvDtype &&
    (dpAllowed || c.candidate.pool.plan.dp === 1) &&
    schedulable(c.candidate.pool)
      ? [{ configuration: c, pool: c.candidate.pool, candidate: c.candidate }]
      : [],
  );
  const eligible = rating.pair
    ? formats
        .sort(byThroughput)
        .slice(0, EXTRA_MAX_RATE_SEARCHES)
        .filter((e) => meetsSlo(rating.evaluate(e.candidate, bench.rate), bench.slo))
    : formats.filter((e) => e.configuration.meetsSlo);
  const rates = new Map(
    eligible.map((e) => [e.configuration.id, rating.pair ? null : e.configuration.maxRateUnderSlo]),
  );
  const unrated = eligible
    .filter((e) => rating.pair || !e.configuration.maxRateSearched)
    .sort(byThroughput)
    .slice(0, EXTRA_MAX_RATE_SEARCHES);
  const found = await maxRatesUnderSlo(
    unrated.length,
    async (round) =>
      round.map(({ index, rate }) => {
        const m = rating.evaluate(unrated[index].candidate, rate);
        return { holds: meetsSlo(m, bench.slo), payload: m };
      }),
    { ...DEFAULT_RATE_SEARCH, start: bench.rate },
  );
  for (let i = 0; i < unrated.length; i++) rates.set(unrated[i].configuration.id, found[i].rate);
  const rated = eligible.filter((e) => rates.get(e.configuration.id) != null);
  rated.sort(
    (a, b) =>
      rates.get(b.configuration.id)! - rates.get(a.configuration.id)! ||
      b.configuration.metrics.throughputPerGpu - a.configuration.metrics.throughputPerGpu,
  );
  return rated[0];
}

const plainNumber = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

function changeList(now: PartialServingSettings, changes: PartialServingSettings): SettingChange[] {
  return (Object.keys(changes) as SettingKey[]).map((key) => ({
    setting: key,
    label: SETTING_LABELS[key],
    from: (now[key] as string | number | boolean | undefined) ?? null,
    to: changes[key] as string | number | boolean,
  }));
}

/** "TP 8→4 ×2 replicas, max-num-batched-tokens 2048→8192". */
function describeChanges(list: readonly SettingChange[]): string {
  const short: Partial<Record<string, string>> = {
    tp: 'TP',
    pp: 'PP',
    dp: 'DP',
    replicas: 'replicas',
    gpus: 'GPUs per server',
  };
  return list.map((c) => `${short[c.setting] ?? c.label} ${c.from ?? 'default'}→${c.to}`).join(', ');
}

/** A workload source short enough for a CodeLens. */
export function shortWorkloadName(source: string): string {
  const file = source.split(/[\\/]/).pop() ?? source;
  if (file !== source) return file;
  return source.length > 40 ? `${source.slice(0, 39)}…` : source;
}

function relativeGain(now: number, then: number): string {
  if (now <= 0) return then > 0 ? `from 0 to ${plainNumber(then)} req/s` : 'no change';
  const gain = (then - now) / now;
  return `${gain >= 0 ? '+' : ''}${Math.round(gain * 100)}%`;
}

function effectSummary(current: BlockPrediction, suggested: BlockPrediction): string {
  const parts: string[] = [];
  const before = current.metrics?.goodput ?? 0;
  const after = suggested.metrics?.goodput ?? 0;
  if (suggested.maxRateUnderSlo !== null) {
    parts.push(
      `max ${plainNumber(suggested.maxRateUnderSlo)} req/s under SLO (was ${current.maxRateUnderSlo === null ? 'none' : plainNumber(current.maxRateUnderSlo)})`,
    );
  }
  // Goodput counts the requests that meet every target themselves (their own largest token gap
  // included), stricter than the percentile the search ranks by: shown whenever it moves.
  if (Math.abs(after - before) > 0.01 * Math.max(before, after))
    parts.push(`${relativeGain(before, after)} goodput`);
  return parts.join(', ');
}

/**
 * What a tuning changes and what that gains ("max-num-seqs 512→256 — max 9.10 req/s under SLO (was 4.50)"):
 * the end of its summary, after the workload and the SLO, and the editor's tune lens on its own.
 */
export function tuneChangeText(
  list: readonly SettingChange[],
  current: BlockPrediction,
  suggested: BlockPrediction,
): string {
  return `${describeChanges(list)} — ${effectSummary(current, suggested)}`;
}

/** The unified diff of every file the edits touch. */
function editsDiff(
  mainPath: string,
  mainText: string,
  edits: readonly TextEdit[],
  readFile: (path: string) => string | undefined = readConfigIfFile,
): string {
  const files = [...new Set(edits.map((e) => e.range.file))].sort((a, b) =>
    a === mainPath ? -1 : b === mainPath ? 1 : a.localeCompare(b),
  );
  return files
    .map((file) => {
      const before = file === mainPath ? mainText : (readFile(file) ?? '');
      const after = applyEdits(before, edits, file);
      // Relative paths get git's a/ b/ prefixes; absolute ones stand as they are.
      const [from, to] = file.startsWith('/') ? [file, file] : [`a/${file}`, `b/${file}`];
      return (
        createTwoFilesPatch(from, to, before, after, undefined, undefined, { context: 3 })
          .split('\n')
          // jsdiff's Index and separator lines are not part of the unified format
          .filter((line, i) => !(i < 2 && (/^=+$/.test(line) || line.startsWith('Index: '))))
          .join('\n')
      );
    })
    .join('');
}

type Reader = (path: string) => string | undefined;

/** How a block is predicted and its search's pools rated: as a whole server, or as a side of its pair. */
interface Judge {
  /** The block as `text` writes it (the files it refers to read through `read`), rated. */
  predict: (resolved: ResolvedBlock, text: string, read: Reader) => Promise<BlockPrediction>;
  rating: (text: string, read: Reader) => Rating;
}

/**
 * A whole server is simulated alone; a side of a disaggregated deployment within the pair
 * `simulate --config --side` runs (`configPairOf` over `pairInput`), each pool the search found taking
 * the side's place.
 */
function judgeFor(
  resolved: ResolvedBlock,
  bench: Bench,
  side: DisaggregationSide | undefined,
  pairInput: (text: string, read: Reader) => Parameters<typeof configPairOf>[0],
): Judge {
  const { evaluator, rate, slo } = bench;
  if (!side) {
    return {
      predict: (block) => predict(block, bench, true),
      rating: () => ({
        pair: false,
        evaluate: (candidate, at) => evaluator.evaluateOne({ candidate, rate: at }),
      }),
    };
  }
  const maxModelLen = resolved.effective.maxModelLen ?? resolved.model.maxContextLength;
  return {
    predict: (_block, text, read) => predictPair(pairInput(text, read), side, evaluator, rate, slo, true),
    rating(text, read) {
      const pair = configPairOf(pairInput(text, read), side);
      return {
        pair: true,
        evaluate: (candidate, at) =>
          evaluatePair(pairWithPool(pair, candidate.pool, maxModelLen), evaluator, at, slo).metrics,
      };
    },
  };
}

/**
 * Tunes one block of a config file: searches plans and scheduler settings for its model and GPUs on the
 * workload, takes the best configuration the block can become (same engine, same weight and KV formats;
 * data parallelism as copies where the file holds replicas), and plans the edits that make exactly that
 * change. The current settings and the edited file are simulated the same way, so the comparison is like
 * for like. A side of a disaggregated deployment (`side`) is picked as `simulate --config --side` picks
 * it and tuned within its pair: each pool the search found takes the side's place (`judgeFor`).
 */
export async function tuneBlock(
  rawInput: TuneBlockInput,
  options: {
    workerFile?: URL;
    signal?: AbortSignal;
    onProgress?: (p: SearchProgress) => void;
    /**
     * Reads the config and the files it refers to (default: from disk, bounded). `tune --write` passes
     * one that keeps what it read, to write the edits only over the very text they were planned on.
     */
    readFile?: (path: string) => string | undefined;
  } = {},
): Promise<TuneBlockResult> {
  const input = TuneBlockInput.parse(rawInput);
  const readFile = options.readFile ?? readConfigIfFile;
  const { text, report } = readBlock(input.path, input.text, input.block, readFile);
  // A side of a disaggregated deployment is tuned only where `side` asks, as `simulate --config --side`.
  const { side } = input;
  const index = pickConfigBlock(input.path, report, rawInput.block, side, 'tune');
  const block = report.blocks[index]!;
  // A value the engine would reject is not tuned around: the search would start from its default.
  refuseBlockErrors(input.path, report, block);
  const resolved = resolveBlock(block, index, {
    hardware: input.hardware,
    hardwareFallback: input.hardwareFallback,
    ...(side ? { side } : {}),
  });
  const bench = await benchFor(resolved, input);
  const judge = judgeFor(resolved, bench, side, (pathText, read) => ({
    ...input,
    block: index,
    text: pathText,
    readFile: read,
  }));
  const target = targetOf(resolved, bench);
  const search = await searchServing(
    {
      model: target.model,
      hardware: target.hardware,
      gpus: target.gpusPerServer * target.replicas,
      workload: input.workload,
      rate: bench.rate,
      slo: input.slo,
      engine: target.engine,
      engineVersion: input.engine?.version ?? resolved.engineVersion,
      ...engineBehaviourOf(engineBehaviourSettings(bench.servingEngine)),
      allowQuantization: resolved.pool.plan.weightDtype !== 'bf16' || resolved.pool.plan.kvDtype !== 'bf16',
      sampleRequests: input.sampleRequests,
      seed: input.seed,
      profile: input.profile,
      ...(input.perfDb !== undefined ? { perfDb: input.perfDb } : {}),
      threads: input.threads,
    },
    options,
  );
  const current = await judge.predict(resolved, text, readFile);
  const common = { target, workload: bench.workload, slo: bench.slo, current, search };
  const nothing = (reason: string): TuneBlockResult => ({
    ...common,
    suggested: null,
    suggestedId: null,
    changes: {},
    changeList: [],
    edits: [],
    editProblems: [],
    diff: '',
    summary: reason,
    reason,
  });
  const best = await bestFor(resolved, block, search, bench, judge.rating(text, readFile));
  const sloText = `the SLO (${sloInWords(bench.slo)})`;
  if (!best) {
    return nothing(
      `no configuration of ${target.gpusPerServer * target.replicas} GPUs that this block can take meets ${sloText} at ${plainNumber(bench.rate)} req/s`,
    );
  }
  const changes = changedSettings(resolved, block, settingsFor(resolved, block, best.pool));
  if (Object.keys(changes).length === 0) {
    return {
      ...nothing('the settings are already the best the search found'),
      suggestedId: best.configuration.id,
    };
  }
  const planned = planEdits(block, changes);
  // The suggestion as the edited file says it: read back and simulated like the current one.
  const editedFiles = new Map<string, string>();
  for (const file of new Set(planned.edits.map((e) => e.range.file))) {
    const before = file === input.path ? text : (readFile(file) ?? '');
    editedFiles.set(file, applyEdits(before, planned.edits, file));
  }
  const readEdited = (path: string) => editedFiles.get(path) ?? readFile(path);
  const editedText = editedFiles.get(input.path) ?? text;
  const edited = readBlock(input.path, editedText, index, readEdited);
  const editedResolved = resolveBlock(edited.block, index, {
    hardware: target.hardware,
    ...(side ? { side } : {}),
  });
  const suggested = await judge.predict(editedResolved, editedText, readEdited);
  if (
    current.maxRateUnderSlo !== null &&
    (suggested.maxRateUnderSlo ?? 0) <= current.maxRateUnderSlo &&
    (suggested.metrics?.goodput ?? 0) <= (current.metrics?.goodput ?? 0)
  ) {
    return nothing(
      `the current settings sustain ${plainNumber(current.maxRateUnderSlo)} req/s under the SLOs, no less than the best found (${plainNumber(suggested.maxRateUnderSlo ?? 0)})`,
    );
  }
  const list = changeList({ dp: 1, replicas: 1, gpus: target.gpusPerServer, ...resolved.effective }, changes);
  const summary = `Tuned for ${shortWorkloadName(bench.workload.source)} @ ${plainNumber(bench.rate)} req/s, ${sloText}: ${tuneChangeText(list, current, suggested)}`;
  return {
    ...common,
    suggested,
    suggestedId: best.configuration.id,
    changes,
    changeList: list,
    edits: planned.edits,
    editProblems: planned.problems,
    diff: editsDiff(input.path, text, planned.edits, readFile),
    summary,
  };
}
