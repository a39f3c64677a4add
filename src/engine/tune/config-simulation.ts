import { blockSettings, type ConfigFileReport, type ServingBlock } from '../config/block.js';
import type { EngineBehaviour } from '../config/engines/engine-behaviour.js';
import type { EngineId } from '../config/engines/index.js';
import { formatLocation } from '../config/source.js';
import type { Plan } from '../memory/plan.js';
import { servingEngineFor } from '../perf/serving-engine.js';
import type { SchedulerConfig } from '../sched/config.js';
import { schedulerFor } from '../search/simulation-evaluator.js';
import { poolOverlap, type SimulationConfigInput } from '../sim/config.js';
import { ServeTuneError } from '../util/errors.js';
import { readConfigIfFile } from '../util/files.js';
import { readBlock, refuseBlockErrors } from './read-block.js';
import { type ResolvedBlock, resolveBlock, versionOf } from './target.js';

/** A side of a disaggregated deployment, as `--side` names it. */
export const DISAGGREGATION_SIDES = ['prefill', 'decode'] as const;
export type DisaggregationSide = (typeof DISAGGREGATION_SIDES)[number];

/** One pool as a block of the file runs it: its plan and the scheduler its engine applies. */
export interface ConfigPool {
  /** `file:line:column label`, for people. */
  source: string;
  plan: Plan;
  scheduler: SchedulerConfig;
  /**
   * The overlap scheduler on or off as this block's own servers set it (TensorRT-LLM
   * disable_overlap_scheduler, SGLang --disable-overlap-schedule, vLLM --[no-]async-scheduling); absent:
   * the engine version's default. Each side of a disaggregated deployment sets its own.
   */
  overlapScheduling?: boolean;
}

/**
 * What one serving block of a config file says a simulation should run: its model, GPU, plan, engine
 * (with the version its image tag names), scheduler settings (the engine's defaults where the file is
 * silent) and the engine behaviours it sets away from their defaults.
 */
export interface ConfigSimulation {
  /** `file:line:column label`, for people. */
  source: string;
  model: string;
  hardware: string;
  plan: Plan;
  scheduler: SchedulerConfig;
  engine: { id: EngineId; version?: string };
  behaviour: EngineBehaviour;
  /**
   * Where the block is one side of a disaggregated deployment (`side`): the pair to simulate, the picked
   * side's pool being `plan` and `scheduler`, the other the file's block of the other side, else (a file
   * holding one side) a copy of the picked one.
   */
  disaggregated?: { side: DisaggregationSide; other: ConfigPool | null };
}

interface ConfigOptions {
  block?: number;
  /** The side of a disaggregated deployment to simulate: that side's block, paired with the other's. */
  side?: DisaggregationSide;
  hardware?: string;
  hardwareFallback?: string;
  readFile?: (path: string) => string | undefined;
}

/**
 * Reads `path` (with the files it refers to) and takes block `index` as a simulation's settings. An
 * unreadable file, a file whose text cannot be read (malformed YAML, a bad value) or a block that does
 * not say what it serves is a ServeTuneError naming the file and the line. One side of a disaggregated
 * deployment is simulated only where `side` asks for it; the error names the sides the file has.
 */
export function simulationFromConfig(path: string, options: ConfigOptions = {}): ConfigSimulation {
  const readFile = options.readFile ?? readConfigIfFile;
  const report = readBlock(path, undefined, options.block ?? 0, readFile, 'simulate').report;
  const index = pickConfigBlock(path, report, options.block, options.side);
  const block = servingBlockOf(path, report, index);
  const picked = resolvedPool(block, index, { ...options, side: options.side });
  // resolveBlock refuses a block without an engine, so `block.engine` is known here.
  const engineId = block.engine as EngineId;
  const other = options.side ? otherSide(path, report, options.side, picked) : undefined;
  return {
    source: options.side ? pairSource(picked.source, options.side, other ?? null) : picked.source,
    model: picked.resolved.model.id,
    hardware: picked.resolved.hardware.id,
    plan: picked.plan,
    scheduler: picked.scheduler,
    engine: { id: engineId, ...versionOf(block) },
    behaviour: picked.resolved.behaviour,
    ...(options.side ? { disaggregated: { side: options.side, other: other ?? null } } : {}),
  };
}

/**
 * The simulation a config block asks for, as `simulate` and the worker take one: one colocated pool
 * with the block's plan and scheduler (or, for a disaggregated side, its pool and the other side's),
 * timed by its engine (version and behaviours) where the database measured it.
 */
export function simulationConfigOf(
  config: ConfigSimulation,
  slo?: SimulationConfigInput['slo'],
): SimulationConfigInput {
  const pair = config.disaggregated;
  // A pair's sides each run their own servers' overlap setting (a TensorRT-LLM recipe's context servers
  // without the overlap scheduler, its generation servers with it): set per pool, not engine-wide.
  const { overlapScheduling: ownOverlap, ...shared } = config.behaviour;
  const engine = servingEngineFor(config.engine, pair ? shared : config.behaviour);
  const pool = {
    plan: config.plan,
    scheduler: config.scheduler,
    ...poolOverlap(pair ? ownOverlap : undefined),
  };
  const other = pair?.other
    ? {
        plan: pair.other.plan,
        scheduler: pair.other.scheduler,
        ...poolOverlap(pair.other.overlapScheduling),
      }
    : pool;
  return {
    model: config.model,
    hardware: config.hardware,
    ...(engine ? { engine } : {}),
    ...(slo ? { slo } : {}),
    deployment: pair
      ? {
          kind: 'disaggregated',
          prefill: pair.side === 'prefill' ? pool : other,
          decode: pair.side === 'decode' ? pool : other,
        }
      : { kind: 'colocated', pool },
  };
}

/** The side each serving block of a file serves (`prefill`, `decode`), or undefined for a whole server. */
export function disaggregationSides(report: ConfigFileReport): (DisaggregationSide | undefined)[] {
  return report.blocks.map((block) => {
    const mode = blockSettings(block).disaggregationMode;
    return mode === 'prefill' || mode === 'decode' ? mode : undefined;
  });
}

/** `prefill (block 1), decode (block 0)`, or `none` where every block is a whole server. */
function sidesText(report: ConfigFileReport): string {
  const sides = disaggregationSides(report)
    .map((side, index) => (side ? `${side} (block ${index})` : undefined))
    .filter((text) => text !== undefined);
  return sides.length > 0 ? sides.join(', ') : 'none';
}

/**
 * The block to simulate (or tune, `purpose`): `block` (default 0) where no side is asked for, refused
 * when it is one side of a disaggregated deployment; else the file's block of `side` (`block` must then
 * be one), refused where the file has none. Each error names the file and the sides it has.
 */
export function pickConfigBlock(
  path: string,
  report: ConfigFileReport,
  block: number | undefined,
  side: DisaggregationSide | undefined,
  purpose: 'simulate' | 'tune' = 'simulate',
): number {
  const sides = disaggregationSides(report);
  const has = `${path} has these sides: ${sidesText(report)}`;
  if (!side) {
    const index = block ?? 0;
    const mode = sides[index];
    if (!mode) return index;
    const where = formatLocation(report.blocks[index]!.range);
    const done = purpose === 'simulate' ? 'simulated' : 'tuned';
    throw new ServeTuneError(
      `${where}: ${report.blocks[index]!.label} is the ${mode} side of a disaggregated deployment: pick the side to ${purpose} with --side prefill|decode (${has}); it is ${done} with the other side's pool`,
      'invalid-argument',
      '--side',
    );
  }
  if (block !== undefined) {
    if (sides[block] === side) return block;
    throw new ServeTuneError(
      `--side ${side}: block ${block} of ${path} is ${sides[block] ? `the ${sides[block]} side` : 'a whole server'} (${has})`,
      'invalid-argument',
      '--side',
    );
  }
  const index = sides.indexOf(side);
  if (index >= 0) return index;
  throw new ServeTuneError(
    `--side ${side}: ${path} has no ${side} side (${has})`,
    'invalid-argument',
    '--side',
  );
}

/** A block resolved as one pool: refused (naming where) when it cannot run as written. */
function resolvedPool(
  block: ServingBlock,
  index: number,
  options: ConfigOptions,
): ConfigPool & { resolved: ResolvedBlock } {
  const resolved = resolveBlock(block, index, options);
  const where = formatLocation(block.range);
  if (resolved.problems.length > 0) {
    throw new ServeTuneError(
      `${where}: ${block.label} cannot run as written: ${resolved.problems.join('; ')}`,
      'invalid-config',
      where,
    );
  }
  const maxModelLen = resolved.effective.maxModelLen ?? resolved.model.maxContextLength;
  const prefixCaching = resolved.effective.enablePrefixCaching;
  return {
    source: `${where} ${block.label}`,
    plan: resolved.pool.plan,
    // The pool's knobs carry the file's TensorRT-LLM batch waiting, as tune's predictions take them.
    scheduler: {
      ...schedulerFor(block.engine as EngineId, resolved.pool.knobs, maxModelLen),
      ...(prefixCaching !== undefined ? { enablePrefixCaching: prefixCaching } : {}),
    },
    resolved,
  };
}

/** `<prefill block> (prefill side; decode pool: <decode block>)`, saying where the other pool comes from. */
function pairSource(source: string, side: DisaggregationSide, other: ConfigPool | null): string {
  const otherName = side === 'prefill' ? 'decode' : 'prefill';
  const pool = other ? other.source : `as the ${side} side (the file has no ${otherName} side)`;
  return `${source} (${side} side; ${otherName} pool: ${pool})`;
}

/** The file's block of the side other than `side`, on the picked block's GPU; null where it has none. */
function otherSide(
  path: string,
  report: ConfigFileReport,
  side: DisaggregationSide,
  picked: { resolved: ResolvedBlock },
): ConfigPool | null {
  const wanted: DisaggregationSide = side === 'prefill' ? 'decode' : 'prefill';
  const index = disaggregationSides(report).indexOf(wanted);
  if (index < 0) return null;
  const block = servingBlockOf(path, report, index);
  const { source, plan, scheduler, resolved } = resolvedPool(block, index, {
    hardware: picked.resolved.hardware.id,
    side: wanted,
  });
  return { source, plan, scheduler, ...poolOverlap(resolved.behaviour.overlapScheduling) };
}

/** Block `index` of the file, refusing a file or block that holds errors (each named by file and line). */
function servingBlockOf(path: string, report: ConfigFileReport, index: number): ServingBlock {
  const block = report.blocks[index]!;
  refuseBlockErrors(path, report, block);
  return block;
}
