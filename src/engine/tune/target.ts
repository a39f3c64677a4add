import { blockSettings, type ServingBlock } from '../config/block.js';
import {
  attentionTensorParallel,
  kvDtypeOf,
  modelForReference,
  serverDataParallel,
  weightDtypeOf,
} from '../config/diagnostics.js';
import { allToAllOfSettings } from '../config/engines/all-to-all.js';
import { serverShardsExpertsOverDp } from '../config/engines/data-parallel-experts.js';
import { type EngineBehaviour, engineBehaviourOf } from '../config/engines/engine-behaviour.js';
import type { EngineId } from '../config/engines/index.js';
import { versionOfImage } from '../config/engines/versions.js';
import { knobsFor, knobTable } from '../config/knobs/index.js';
import { type MemoryLimits, wholeGpuShareOf } from '../config/memory-share.js';
import type { PartialServingSettings } from '../config/serving-settings.js';
import { formatLocation } from '../config/source.js';
import { getHardware } from '../hardware/catalog.js';
import type { HardwareSpec } from '../hardware/spec.js';
import type { Plan } from '../memory/plan.js';
import { MODEL_CATALOG } from '../model/catalog.js';
import type { ModelSpec } from '../model/spec.js';
import type { Pool } from '../search/schema.js';
import { DEFAULT_BLOCK_SIZE, DEFAULT_MEMORY_UTILIZATION } from '../search/space.js';
import { speculationFromSettings } from '../search/speculation-space.js';
import { ServeTuneError } from '../util/errors.js';
import { nearestNames } from '../util/nearest.js';
import type { BlockTarget } from './schema.js';

export interface ResolvedBlock {
  target: BlockTarget;
  model: ModelSpec;
  hardware: HardwareSpec;
  /** The file's settings with the engine's defaults for the rest: what the server runs with. */
  effective: PartialServingSettings;
  /** The block as one pool of the search's space (dp = every copy of the model). */
  pool: Pool;
  /** Why the block as written cannot run (not simulated then). */
  problems: string[];
  /** The engine behaviours the file sets (NCCL all-reduce, eager, overlap scheduling): they time the steps. */
  behaviour: EngineBehaviour;
  /** The engine version the block's image tag names (versionOf), when it names one. */
  engineVersion?: string;
}

/**
 * The engine version the block's image tag names (`v0.4.9-cu126` → 0.4.9), as `--engine` takes one:
 * `simulate --config`, the lenses and `tune` time the block with that version's measured tables.
 */
export function versionOf(block: ServingBlock): { version?: string } {
  const version = block.engineVersion ? versionOfImage(block.engineVersion.image) : undefined;
  return version ? { version: `${version.major}.${version.minor}.${version.patch}` } : {};
}

/** Whether the file states how many copies of the server run (so DP becomes copies rather than a flag). */
export function holdsReplicas(block: ServingBlock): boolean {
  return (
    block.settings.replicas !== undefined ||
    block.insertions.some((i) => i.kind === 'deployment-key' && i.setting === 'replicas')
  );
}

/** Whether the file states the GPUs given to one server (pod limits, compose reservations, `--gpus`). */
export function holdsGpuCount(block: ServingBlock): boolean {
  return (
    block.settings.gpus !== undefined ||
    block.insertions.some((i) => i.kind === 'deployment-key' && i.setting === 'gpus')
  );
}

export function engineTakes(block: ServingBlock, setting: string): boolean {
  return block.engine !== null && knobsFor(block.engine, setting).length > 0;
}

/**
 * What a serving block runs: its engine, model, GPU, GPUs per server and copies, and its settings as the
 * engine will apply them. Errors say what is missing and where.
 */
export function resolveBlock(
  block: ServingBlock,
  index: number,
  options: {
    hardware?: string;
    hardwareFallback?: string;
    /** Set by a caller that simulates one side of a disaggregated pair: such a block is not refused. */
    side?: 'prefill' | 'decode';
  },
): ResolvedBlock {
  const where = formatLocation(block.range);
  const engine = tunableEngine(block, where);
  const written = blockSettings(block);
  checkSide(block, written, options.side, where);
  const model = blockModel(block, written, where);
  const hardware = blockHardware(block, options, where);
  const defaults = knobTable(engine).defaults({
    gpuMemoryBytes: hardware.memoryBytes,
    gpuName: hardware.id,
    modelMaxLen: model.maxContextLength,
  });
  const effective: PartialServingSettings = { ...defaults, ...written };
  const tp = attentionTensorParallel(engine, effective);
  const pp = effective.pp ?? 1;
  const dp = serverDataParallel(engine, effective);
  const replicas = effective.replicas ?? 1;
  const gpusPerServer = effective.gpus ?? tp * pp * dp;
  const problems: string[] = [];
  if (gpusPerServer < tp * pp * dp) {
    problems.push(
      `TP ${tp} × PP ${pp} × DP ${dp} needs ${tp * pp * dp} GPUs per server; the file gives ${gpusPerServer}`,
    );
  }
  const weightDtype = weightDtypeOf(effective, model);
  if (!weightDtype) problems.push(`quantization '${effective.quantization}' is not modelled`);
  const plan = blockPlan(effective, { tp, pp, dp, replicas }, weightDtype, {
    id: engine,
    moe: model.moe !== undefined,
  });
  const limits = memoryLimitsOf(effective, model);
  const share = wholeGpuShareOf({ engine, model, hardware, plan }, effective, limits, {
    startupDefault: true,
  });
  const pool: Pool = { plan, knobs: poolKnobs(written, effective, limits, share) };
  const speculation = speculationFromSettings(effective);
  if (speculation) pool.speculation = speculation;
  return {
    target: {
      file: block.file,
      block: index,
      label: block.label,
      engine,
      model: model.id,
      modelName: model.name,
      hardware: hardware.id,
      gpusPerServer,
      replicas,
      holdsReplicas: holdsReplicas(block),
    },
    model,
    hardware,
    effective,
    pool,
    problems,
    behaviour: engineBehaviourOf(written),
    ...(versionOf(block).version ? { engineVersion: versionOf(block).version } : {}),
  };
}

/**
 * The plan the block runs: `dp` attention-DP ranks per server over `replicas` copies, expert
 * parallelism (over a server's TP × DP where the engine's flag turns it on), MoE TP over the GPUs of an
 * attention-DP server whose experts are not split by expert (vLLM's --data-parallel-size without
 * --enable-expert-parallel, TensorRT-LLM's enable_attention_dp with moe_expert_parallel_size 1:
 * engines/data-parallel-experts.ts) and dtypes.
 */
function blockPlan(
  effective: PartialServingSettings,
  server: { tp: number; pp: number; dp: number; replicas: number },
  weightDtype: ReturnType<typeof weightDtypeOf>,
  engine: { id: EngineId; moe: boolean },
): Plan {
  const { tp, pp, dp, replicas } = server;
  const ep = effective.ep ?? (effective.expertParallel ? tp * dp : 1);
  // Every expert sharded over the server's TP × DP GPUs, the ranks stepping together.
  const moeTensorParallel = serverShardsExpertsOverDp(engine.id, { moe: engine.moe, dp, ep });
  return {
    tp,
    pp,
    dp: dp * replicas,
    ep: moeTensorParallel ? tp * dp : ep,
    ...(moeTensorParallel ? { moeTensorParallel } : {}),
    // EPLB's redundant slots: experts + slots divide over EP, and their copies take memory.
    ...(effective.redundantExperts ? { redundantExperts: effective.redundantExperts } : {}),
    // The ranks' all-gather and reduce-scatter, not an all-to-all, carry MoE TP's tokens.
    ...(allToAllOfSettings(effective) && !moeTensorParallel
      ? { allToAll: allToAllOfSettings(effective) }
      : {}),
    weightDtype: weightDtype === 'fp16' || !weightDtype ? 'bf16' : weightDtype,
    kvDtype: kvDtypeOf(effective) === 'fp16' ? 'bf16' : kvDtypeOf(effective),
  };
}

/** The block's engine; a block whose engine is not known has nothing to tune. */
function tunableEngine(block: ServingBlock, where: string): NonNullable<ServingBlock['engine']> {
  if (!block.engine) {
    throw new ServeTuneError(
      `${where}: ${block.label}: the serving engine is not known, so there is nothing to tune`,
      'invalid-config',
      where,
    );
  }
  return block.engine;
}

/** One side of a disaggregated deployment is tuned only as that side (`side`). */
function checkSide(
  block: ServingBlock,
  written: PartialServingSettings,
  side: 'prefill' | 'decode' | undefined,
  where: string,
): void {
  const mode = written.disaggregationMode;
  if ((mode === 'prefill' || mode === 'decode') && side !== mode) {
    throw new ServeTuneError(
      `${where}: ${block.label} is the ${written.disaggregationMode} side of a disaggregated deployment: pick its side with --side ${written.disaggregationMode}, or search both pools with servetune search --disaggregation`,
      'invalid-config',
      where,
    );
  }
}

/** The catalog model the block names; a missing or unknown one is an error (with the nearest names). */
function blockModel(block: ServingBlock, written: PartialServingSettings, where: string): ModelSpec {
  if (!written.model) {
    throw new ServeTuneError(`${where}: ${block.label} does not name its model`, 'invalid-config', where);
  }
  const model = modelForReference(written.model);
  if (!model) {
    const near = nearestNames(
      written.model,
      MODEL_CATALOG.flatMap((m) => [m.id, m.source]),
    );
    const at = block.settings.model?.range ? formatLocation(block.settings.model.range) : where;
    throw new ServeTuneError(
      `${at}: unknown model '${written.model}': not in ServeTune's catalog${near.length > 0 ? ` (nearest: ${near.join(', ')})` : ''}`,
      'unknown-model',
      at,
    );
  }
  return model;
}

/**
 * The block's GPU: the file's (a node selector), else `hardware` (--hardware, servetune.json), else the
 * editor's default; none is an error. The file's wins, as for check's diagnostics: a manifest pinned to
 * H100s is predicted on H100s whatever the workspace assumes for files that name no GPU.
 */
function blockHardware(
  block: ServingBlock,
  options: { hardware?: string; hardwareFallback?: string },
  where: string,
): HardwareSpec {
  const hardwareId = block.hardware?.id ?? options.hardware ?? options.hardwareFallback;
  if (!hardwareId) {
    throw new ServeTuneError(
      `${where}: ${block.label} does not name its GPU: pass --hardware or set "hardware" in servetune.json`,
      'invalid-argument',
      '--hardware',
    );
  }
  return getHardware(hardwareId);
}

/** The scheduler knobs the block runs with: its memory limits and share, and what the file writes. */
function poolKnobs(
  written: PartialServingSettings,
  effective: PartialServingSettings,
  limits: ReturnType<typeof memoryLimitsOf>,
  share: number | undefined,
): Pool['knobs'] {
  return {
    maxNumSeqs: limits.maxNumSeqs,
    maxNumBatchedTokens: limits.maxNumBatchedTokens,
    chunkedPrefill: effective.enableChunkedPrefill ?? true,
    blockSize: limits.blockSize,
    // The engine's memory settings as the share of the whole GPU the memory model takes.
    gpuMemoryUtilization: share ?? DEFAULT_MEMORY_UTILIZATION,
    // Only what the file writes: the engine's defaults stand for the rest.
    ...(written.maxPrefillTokens !== undefined ? { maxPrefillTokens: written.maxPrefillTokens } : {}),
    ...(written.mixedChunk !== undefined ? { mixedChunk: written.mixedChunk } : {}),
    ...(written.schedulerRecvInterval !== undefined
      ? { schedulerRecvInterval: written.schedulerRecvInterval }
      : {}),
    // TensorRT-LLM batch waiting holds prompts back, so it changes TTFT and batch sizes: simulated as written.
    ...(written.batchWaitIters ? { batchWaitIters: written.batchWaitIters } : {}),
    ...(written.batchWaitTokensRatio !== undefined
      ? { batchWaitTokensRatio: written.batchWaitTokensRatio }
      : {}),
  };
}

/** The memory model's settings of a block other than its share: what the activations depend on. */
export function memoryLimitsOf(
  effective: PartialServingSettings,
  model: ModelSpec,
): Required<Pick<MemoryLimits, 'maxNumSeqs' | 'maxNumBatchedTokens' | 'blockSize' | 'contextLength'>> {
  return {
    maxNumSeqs: effective.maxNumSeqs ?? 256,
    maxNumBatchedTokens: effective.maxNumBatchedTokens ?? 2048,
    blockSize: effective.blockSize ?? DEFAULT_BLOCK_SIZE,
    contextLength: effective.maxModelLen ?? model.maxContextLength,
  };
}
