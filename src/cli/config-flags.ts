import { dirname } from 'node:path';
import { type Command, Option } from 'commander';
import type { EngineBehaviour } from '../engine/config/engines/engine-behaviour.js';
import type { EngineSpec } from '../engine/perf/serving-engine.js';
import type { PolicyName, SchedulerConfig } from '../engine/sched/config.js';
import {
  type ConfigSimulation,
  DISAGGREGATION_SIDES,
  type DisaggregationSide,
  simulationFromConfig,
} from '../engine/tune/config-simulation.js';
import { findWorkspaceConfig, workloadFromWorkspace } from '../engine/tune/inputs.js';
import { refuseOtherEngine } from '../engine/tune/read-block.js';
import { ServeTuneError } from '../engine/util/errors.js';
import { nonNegativeInt } from './options.js';
import type { ExpertFlags, PlanFlags, PoolPairFlags } from './plan-options.js';

/** `simulate --config <file>` and `--block <n>`: a serving config file as the simulation's settings. */
export const configFileOptions = () => [
  new Option(
    '--config <file>',
    'take the model, GPU, plan, engine and version, scheduler settings and engine behaviours (eager, NCCL all-reduce, overlap scheduling, …) from a serving config: a vLLM/SGLang/TensorRT-LLM launch command or script, engine YAML, Kubernetes manifest, compose file, Helm values or Dynamo recipe; flags given on the command line override it',
  ),
  new Option(
    '--block <n>',
    'with --config: which serving block of the file (0-based, as `servetune check` lists them; default 0)',
  ).argParser(nonNegativeInt),
  new Option(
    '--side <side>',
    "with --config: simulate that side of a disaggregated deployment (a prefill or decode worker): its block's plan and scheduler for that pool, the file's block of the other side for the other pool (a copy of this side where the file has none; --prefill-tp/--decode-tp … override either); default: the first block of that side",
  ).choices(DISAGGREGATION_SIDES),
];

/** The simulate flags a config file can set, in the CLI's names. */
export interface ConfigFlagValues
  extends Partial<PlanFlags>,
    Pick<ExpertFlags, 'eplbRedundant' | 'allToAll'>,
    PoolPairFlags,
    EngineBehaviour {
  workload?: string;
  rate?: number;
  scheduler?: PolicyName;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  chunkedPrefillSize?: number;
  maxPrefillTokens?: number;
  mixedChunk?: boolean;
  schedulerRecvInterval?: number;
  blockSize?: number;
  gpuMemoryUtilization?: number;
  maxModelLen?: number;
  prefixCaching?: boolean;
  batchWaitIters?: number;
  batchWaitTokensRatio?: number;
  engine?: EngineSpec;
  /** The other side's own overlap setting (a pair's sides each set theirs); absent: its engine default. */
  pairedOverlapScheduling?: boolean;
  /** The other side's scheduler as its block sets it (the scheduler flags set the picked side's). */
  pairedScheduler?: SchedulerConfig;
}

const defined = <T extends object>(values: T): T =>
  Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as T;

/** A config file's settings as simulate flags (only what the file or its engine's defaults say). */
export function flagValuesOf(config: ConfigSimulation): ConfigFlagValues {
  const { plan, scheduler: s, behaviour } = config;
  return defined({
    model: config.model,
    hardware: config.hardware,
    tp: plan.tp,
    pp: plan.pp,
    dp: plan.dp,
    ep: plan.ep,
    eplbRedundant: plan.redundantExperts,
    allToAll: plan.allToAll,
    weightDtype: plan.weightDtype,
    kvDtype: plan.kvDtype,
    scheduler: s.policy,
    maxNumSeqs: s.maxNumSeqs,
    maxNumBatchedTokens: s.maxNumBatchedTokens,
    chunkedPrefillSize: s.chunkedPrefillSize,
    maxPrefillTokens: s.maxPrefillTokens,
    mixedChunk: s.mixedChunk,
    schedulerRecvInterval: s.schedulerRecvInterval,
    blockSize: s.blockSize,
    gpuMemoryUtilization: s.gpuMemoryUtilization,
    maxModelLen: s.maxModelLen,
    prefixCaching: s.enablePrefixCaching,
    batchWaitIters: s.batchWaitIters,
    batchWaitTokensRatio: s.batchWaitTokensRatio,
    engine: config.engine,
    disableCustomAllReduce: behaviour.disableCustomAllReduce,
    enforceEager: behaviour.enforceEager,
    overlapScheduling: behaviour.overlapScheduling,
    moeBackend: behaviour.moeBackend,
    nvfp4Dispatch: behaviour.nvfp4Dispatch,
    fp8QBProj: behaviour.fp8QBProj,
    ...pairFlags(config),
  });
}

/** A disaggregated side and its pair as the pool flags (`--prefill-tp` …); nothing for a whole server. */
function pairFlags(config: ConfigSimulation): ConfigFlagValues {
  const pair = config.disaggregated;
  if (!pair) return {};
  const other = pair.other ?? { plan: config.plan, scheduler: config.scheduler };
  const pools =
    pair.side === 'prefill' ? { prefill: config, decode: other } : { prefill: other, decode: config };
  return {
    prefillTp: pools.prefill.plan.tp,
    prefillPp: pools.prefill.plan.pp,
    prefillDp: pools.prefill.plan.dp,
    decodeTp: pools.decode.plan.tp,
    decodePp: pools.decode.plan.pp,
    decodeDp: pools.decode.plan.dp,
    ...(pair.other ? { pairedScheduler: pair.other.scheduler } : {}),
    ...(pair.other?.overlapScheduling !== undefined
      ? { pairedOverlapScheduling: pair.other.overlapScheduling }
      : {}),
  };
}

/** The command line's engine over the file's: the same engine, its version where the command line gives one. */
function mergedEngine(file: EngineSpec | undefined, cli: EngineSpec | undefined): EngineSpec | undefined {
  if (!cli || !file) return cli ?? file;
  refuseOtherEngine(file.id, cli);
  return cli.version !== undefined ? cli : file;
}

/**
 * `flags` with `--config`'s settings wherever the command line did not give the flag itself (a
 * commander default does not count as given); without `--config`, `flags` unchanged. The workload
 * and the GPU fall back to the servetune.json at or above the config, as `tune` does.
 */
export function withConfigFile<
  F extends ConfigFlagValues & {
    config?: string;
    block?: number;
    side?: DisaggregationSide;
    configSource?: string;
  },
>(flags: F, command: Command): F {
  if (flags.config === undefined) {
    if (flags.block !== undefined)
      throw new ServeTuneError('--block goes with --config', 'invalid-argument', '--block');
    if (flags.side !== undefined)
      throw new ServeTuneError('--side goes with --config', 'invalid-argument', '--side');
    return flags;
  }
  const given = (key: string) => command.getOptionValueSource(key) === 'cli';
  const workspace = findWorkspaceConfig(dirname(flags.config));
  const config = simulationFromConfig(flags.config, {
    block: flags.block,
    ...(flags.side ? { side: flags.side } : {}),
    ...(given('hardware') ? { hardware: flags.hardware } : {}),
    ...(workspace?.config.hardware ? { hardwareFallback: workspace.config.hardware } : {}),
  });
  const fromFile: ConfigFlagValues = flagValuesOf(config);
  const fromWorkspace = workspace ? workloadFromWorkspace(workspace.config, workspace.path) : undefined;
  if (fromWorkspace && !given('workload')) Object.assign(fromFile, fromWorkspace);
  // `--marlin-moe` is `--moe-backend marlin`: given, it replaces the file's MoE backend too.
  if (given('marlinMoe')) delete fromFile.moeBackend;
  const merged: Record<string, unknown> = { ...(flags as object) };
  for (const [key, value] of Object.entries(fromFile)) if (!given(key)) merged[key] = value;
  merged.engine = mergedEngine(fromFile.engine, given('engine') ? flags.engine : undefined);
  merged.configSource = config.source;
  return merged as F;
}
