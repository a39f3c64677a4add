import { blockSettings, type ServingBlock } from '../config/block.js';
import type { EngineBehaviour } from '../config/engines/engine-behaviour.js';
import type { EngineId } from '../config/engines/index.js';
import { versionOfImage } from '../config/engines/versions.js';
import { formatLocation } from '../config/source.js';
import type { Plan } from '../memory/plan.js';
import { servingEngineFor } from '../perf/serving-engine.js';
import type { SchedulerConfig } from '../sched/config.js';
import { schedulerFor } from '../search/simulation-evaluator.js';
import type { SimulationConfigInput } from '../sim/config.js';
import { ServeTuneError } from '../util/errors.js';
import { readConfigIfFile } from '../util/files.js';
import { readBlock } from './read-block.js';
import { resolveBlock } from './target.js';

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
}

/**
 * Reads `path` (with the files it refers to) and takes block `index` as a simulation's settings. An
 * unreadable file, a file whose text cannot be read (malformed YAML, a bad value) or a block that does
 * not say what it serves is a ServeTuneError naming the file and the line.
 */
export function simulationFromConfig(
  path: string,
  options: {
    block?: number;
    hardware?: string;
    hardwareFallback?: string;
    readFile?: (path: string) => string | undefined;
  } = {},
): ConfigSimulation {
  const readFile = options.readFile ?? readConfigIfFile;
  const index = options.block ?? 0;
  const block = readServingBlock(path, index, readFile);
  refuseDisaggregatedSide(block);
  const resolved = resolveBlock(block, index, options);
  if (resolved.problems.length > 0) {
    const where = formatLocation(block.range);
    throw new ServeTuneError(
      `${where}: ${block.label} cannot run as written: ${resolved.problems.join('; ')}`,
      'invalid-config',
      where,
    );
  }
  const maxModelLen = resolved.effective.maxModelLen ?? resolved.model.maxContextLength;
  // resolveBlock refuses a block without an engine, so `block.engine` is known here.
  const engineId = block.engine as EngineId;
  const prefixCaching = resolved.effective.enablePrefixCaching;
  return {
    source: `${formatLocation(block.range)} ${block.label}`,
    model: resolved.model.id,
    hardware: resolved.hardware.id,
    plan: resolved.pool.plan,
    // The pool's knobs carry the file's TensorRT-LLM batch waiting, as tune's predictions take them.
    scheduler: {
      ...schedulerFor(engineId, resolved.pool.knobs, maxModelLen),
      ...(prefixCaching !== undefined ? { enablePrefixCaching: prefixCaching } : {}),
    },
    engine: { id: engineId, ...versionOf(block) },
    behaviour: resolved.behaviour,
  };
}

/**
 * The simulation a config block asks for, as `simulate` and the worker take one: one colocated pool
 * with the block's plan and scheduler, timed by its engine (version and behaviours) where the database
 * measured it.
 */
export function simulationConfigOf(
  config: ConfigSimulation,
  slo?: SimulationConfigInput['slo'],
): SimulationConfigInput {
  const engine = servingEngineFor(config.engine, config.behaviour);
  return {
    model: config.model,
    hardware: config.hardware,
    ...(engine ? { engine } : {}),
    ...(slo ? { slo } : {}),
    deployment: { kind: 'colocated', pool: { plan: config.plan, scheduler: config.scheduler } },
  };
}

/**
 * A prefill or decode side of a disaggregated deployment is not one server to simulate on its own: the
 * error says how to simulate the pair (the simulator's disaggregated pools take their plans from flags).
 */
function refuseDisaggregatedSide(block: ServingBlock): void {
  const mode = blockSettings(block).disaggregationMode;
  if (mode !== 'prefill' && mode !== 'decode') return;
  const where = formatLocation(block.range);
  throw new ServeTuneError(
    `${where}: ${block.label} is the ${mode} side of a disaggregated deployment; --config takes one colocated server: simulate the pair with --model, --hardware, --prefill-tp/--decode-tp (and -pp, -dp) instead`,
    'invalid-config',
    where,
  );
}

/** The engine version the block's image tag names (`v0.4.9-cu126` → 0.4.9), as `--engine` takes one. */
function versionOf(block: ServingBlock): { version?: string } {
  const version = block.engineVersion ? versionOfImage(block.engineVersion.image) : undefined;
  return version ? { version: `${version.major}.${version.minor}.${version.patch}` } : {};
}

/** The block, refusing a file that cannot be read or that holds errors (each named by file and line). */
function readServingBlock(
  path: string,
  index: number,
  readFile: (path: string) => string | undefined,
): ServingBlock {
  const { report, block } = readBlock(path, undefined, index, readFile, 'simulate');
  const errors = [...report.problems, ...block.problems].filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    const where = formatLocation(errors[0].range);
    const more =
      errors.length > 1 ? ` (and ${errors.length - 1} more: servetune check ${path} lists them)` : '';
    throw new ServeTuneError(`${where}: ${errors[0].message}${more}`, 'invalid-config', where);
  }
  return block;
}
