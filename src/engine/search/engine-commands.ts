import { z } from 'zod';
import { type DisaggregationRouter, pairingRouter } from '../config/deploy/routers.js';
import { disaggregatedFlags } from '../config/disaggregated-flags.js';
import { type EngineFlags, engineFlags } from '../config/emit.js';
import { allToAllSettings } from '../config/engines/all-to-all.js';
import { engineBehaviourSettings } from '../config/engines/engine-behaviour.js';
import { ENGINES, type EngineId } from '../config/engines/index.js';
import { kvCacheSettingsFor } from '../config/engines/kv-cache.js';
import { kvTransferOf } from '../config/engines/kv-transfer.js';
import { mpiWorldCommands, nodeLaunchWords } from '../config/engines/multi-node.js';
import { engineMemorySettingsOf } from '../config/memory-share.js';
import type { PartialServingSettings } from '../config/serving-settings.js';
import type { HardwareSpec } from '../hardware/spec.js';
import { findModel } from '../model/catalog.js';
import { defaultWeightDtype } from '../model/checkpoint.js';
import type { ModelSpec } from '../model/spec.js';
import { epGroupBatches } from '../perf/expert-parallel.js';
import type { ServingEngineInput } from '../perf/serving-engine.js';
import { draftCheckpointOf, type SpeculationConfig, treeTokensOf } from '../perf/speculation.js';
import { SGLANG_MAX_PREFILL_TOKENS } from '../sched/config.js';
import { ServeTuneError } from '../util/errors.js';
import type { Candidate, Pool } from './schema.js';

const EmittedServer = z.object({
  role: z.enum(['server', 'prefill', 'decode']),
  commandLine: z.string(),
  argv: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  configYaml: z.string().optional(),
  yamlFileName: z.string().optional(),
  /** Copies of this server to run, and GPUs each. */
  replicas: z.number().int().positive(),
  gpusPerServer: z.number().int().positive(),
  dropped: z.array(z.object({ setting: z.string(), reason: z.string() })),
  /**
   * A server spanning several nodes: how many, and each node's command (node 0 first), with the engine's
   * multi-node flags (`nodeLaunchWords`; `$HEAD_NODE_IP` is node 0's address). Absent: one node.
   */
  nodes: z.number().int().positive().optional(),
  nodeCommandLines: z.array(z.string()).optional(),
  /**
   * A server spanning nodes that starts as one MPI world (TensorRT-LLM): the one command that starts
   * every rank, with mpirun (`$HOSTFILE` names the nodes) or with Slurm's srun. Absent: not such a server.
   */
  mpiWorld: z.object({ mpirun: z.string(), srun: z.string() }).optional(),
  /** The settings, in ServeTune's terms, that the flags express (what reading them back gives). */
  expressed: z.record(z.string(), z.unknown()),
});

/** The process pairing prefill and decode servers: its command, what to install, the file it reads. */
const EmittedRouter = z.object({
  commandLine: z.string(),
  install: z.string().optional(),
  file: z.object({ path: z.string(), text: z.string() }).optional(),
});

export const EngineSettings = z.object({
  engine: z.string(),
  servers: z.array(EmittedServer),
  /** A disaggregated configuration's router (the deployment files' own, its pools at $PREFILL_HOST and $DECODE_HOST). */
  router: EmittedRouter.optional(),
});
export type EngineSettings = z.infer<typeof EngineSettings>;

/**
 * How a plan's weight format is asked of an engine. A checkpoint already in that format needs no flag
 * (the engine reads its quantization config); fp8 of a 16-bit checkpoint is quantized at load time
 * (`--quantization fp8`); int8 and int4 need a checkpoint quantized that way, which cannot be conjured
 * with a flag on a 16-bit one: then no flag, and a note that such a checkpoint is needed.
 */
export function quantizationOf(
  model: ModelSpec,
  pool: Pool,
): { quantization?: string; needsCheckpoint?: string } {
  const wanted = pool.plan.weightDtype;
  const stored = defaultWeightDtype(model);
  if (wanted === stored) return {};
  if (wanted === 'fp8' && (stored === 'bf16' || stored === 'fp16')) return { quantization: 'fp8' };
  const kind = wanted === 'int4' ? 'int4 (AWQ or GPTQ)' : wanted;
  return {
    needsCheckpoint: `the plan's ${kind} weights need a checkpoint quantized that way; ${model.source} stores ${stored}: serve such a build of it instead`,
  };
}

/** A pool's configuration as serving settings, one server per replica. */
function poolSettings(
  engine: EngineId,
  model: ModelSpec,
  pool: Pool,
  maxModelLen: number,
  role?: 'prefill' | 'decode',
): PartialServingSettings {
  const { plan, knobs } = pool;
  const settings: PartialServingSettings = {
    model: model.source,
    tp: plan.tp,
    pp: plan.pp,
    maxNumSeqs: knobs.maxNumSeqs,
    maxNumBatchedTokens: knobs.maxNumBatchedTokens,
    enableChunkedPrefill: knobs.chunkedPrefill,
    blockSize: knobs.blockSize,
    gpuMemoryUtilization: knobs.gpuMemoryUtilization,
    maxModelLen,
    replicas: plan.dp,
    gpus: plan.tp * plan.pp,
  };
  // MoE TP over the ranks (Plan.moeTensorParallel) is what the engine runs with expert parallelism off.
  if (plan.ep > 1 && !plan.moeTensorParallel) {
    settings.ep = plan.ep;
    settings.expertParallel = true;
    if (plan.redundantExperts) {
      settings.eplb = true;
      settings.redundantExperts = plan.redundantExperts;
    }
    if (plan.allToAll) Object.assign(settings, allToAllSettings(plan.allToAll));
  }
  const { quantization } = quantizationOf(model, pool);
  if (quantization) settings.quantization = quantization;
  Object.assign(settings, kvCacheSettingsFor(engine, plan.kvDtype));
  if (role) settings.disaggregationMode = role;
  if (plan.ep > plan.tp) Object.assign(settings, dataParallelAttentionSettings(engine, plan));
  if (pool.speculation) Object.assign(settings, speculationSettings(model, pool.speculation));
  Object.assign(settings, prefillBatchSettings(pool.knobs));
  return settings;
}

/**
 * SGLang's prefill-batch knobs and TensorRT-LLM's batch waiting, only where they differ from the engine's
 * defaults (absent means default).
 */
function prefillBatchSettings(knobs: Pool['knobs']): PartialServingSettings {
  const settings: PartialServingSettings = {};
  if (knobs.maxPrefillTokens !== undefined && knobs.maxPrefillTokens !== SGLANG_MAX_PREFILL_TOKENS)
    settings.maxPrefillTokens = knobs.maxPrefillTokens;
  if (knobs.mixedChunk) settings.mixedChunk = true;
  if (knobs.schedulerRecvInterval !== undefined && knobs.schedulerRecvInterval > 1)
    settings.schedulerRecvInterval = knobs.schedulerRecvInterval;
  // TensorRT-LLM batch waiting, where the configuration carries it (a config file's, kept by tune).
  if (knobs.batchWaitIters) settings.batchWaitIters = knobs.batchWaitIters;
  if (knobs.batchWaitTokensRatio !== undefined) settings.batchWaitTokensRatio = knobs.batchWaitTokensRatio;
  return settings;
}

/**
 * EP wider than one replica's TP group: one server spans the EP group's ep / tp attention-DP ranks
 * (`plan.dp` / that many servers), asked for in the engine's own form (`dataParallelAttention`), with
 * expert parallelism on unless the ranks shard every expert (Plan.moeTensorParallel: vLLM's
 * --data-parallel-size without --enable-expert-parallel, TensorRT-LLM's attention DP without
 * moe_expert_parallel_size; engines/data-parallel-experts.ts).
 */
function dataParallelAttentionSettings(engine: EngineId, plan: Pool['plan']): PartialServingSettings {
  const ranks = epGroupBatches(plan);
  const form = ENGINES[engine].dataParallelAttention;
  const settings: PartialServingSettings = {
    dp: ranks,
    ...(plan.moeTensorParallel ? {} : { ep: plan.ep, expertParallel: true }),
    replicas: plan.dp / ranks,
    gpus: plan.tp * plan.pp * ranks,
  };
  if (form === 'tp-counts-every-gpu') {
    settings.tp = plan.tp * ranks;
    settings.dpAttention = true;
  }
  return settings;
}

/** A pool's speculation in serving settings: the method, its k and the drafter's checkpoint where known. */
function speculationSettings(model: ModelSpec, speculation: SpeculationConfig): PartialServingSettings {
  const checkpoint = draftCheckpointOf(speculation, model, (id) => findModel(id)?.source);
  return {
    speculativeMethod: speculation.method,
    speculativeTokens: speculation.k,
    ...((speculation.topk ?? 1) > 1
      ? { speculativeTopK: speculation.topk, speculativeDraftTokens: treeTokensOf(speculation) }
      : {}),
    ...(checkpoint ? { speculativeDraftModel: checkpoint } : {}),
  };
}

function server(
  engine: EngineId,
  model: ModelSpec,
  pool: Pool,
  settings: PartialServingSettings,
  role: 'server' | 'prefill' | 'decode',
  gpusPerNode: number | undefined,
): z.infer<typeof EmittedServer> {
  const { needsCheckpoint } = quantizationOf(model, pool);
  const yamlFileName = `${role === 'server' ? 'serve' : role}.yaml`;
  // A prefill or decode server carries its engine's KV transfer, as the deployment files' do.
  const flags: EngineFlags =
    role === 'server'
      ? engineFlags(engine, settings, { yamlFileName })
      : disaggregatedFlags(engine, settings, role, { yamlFileName });
  const gpus = flags.deployment.gpus ?? 1;
  const nodes = gpusPerNode !== undefined ? Math.ceil(gpus / gpusPerNode) : 1;
  // A prefill server names the address decode servers reach it at, where its engine needs that said.
  const addressEnv = role === 'prefill' ? kvTransferOf(engine).prefillAddressEnv : undefined;
  return {
    ...(nodes > 1 ? multiNode(engine, flags, { nodes, gpus, gpusPerNode }, settings.dp ?? 1) : {}),
    role,
    // Unquoted, so the shell gives the address (the router's PREFILL_HOST).
    commandLine: addressEnv ? `${addressEnv}=$PREFILL_HOST ${flags.commandLine}` : flags.commandLine,
    argv: flags.argv,
    env: flags.env,
    configYaml: flags.configYaml,
    yamlFileName: flags.yamlFileName,
    replicas: flags.deployment.replicas ?? 1,
    gpusPerServer: flags.deployment.gpus ?? 1,
    dropped: needsCheckpoint
      ? [...flags.dropped, { setting: 'quantization', reason: needsCheckpoint }]
      : flags.dropped,
    expressed: flags.expressed,
  };
}

/**
 * How a server over several nodes starts, in the engine's own form (its description's `multiNode`):
 * each node's command with the engine's flags, or one MPI world's command. An engine that serves from
 * one node only (TGI) cannot run such a server: an error says so.
 */
function multiNode(
  engine: EngineId,
  flags: EngineFlags,
  span: { nodes: number; gpus: number; gpusPerNode?: number },
  dataParallel: number,
): { nodes: number; nodeCommandLines?: string[]; mpiWorld?: { mpirun: string; srun: string } } {
  const { nodes } = span;
  const form = ENGINES[engine].multiNode;
  if (form === 'none') {
    throw new ServeTuneError(
      `${ENGINES[engine].displayName} has no multi-node serving: a server of ${span.gpus} GPUs needs ${nodes} nodes of ${span.gpusPerNode} GPUs; choose a plan within one node, or vLLM, SGLang or TensorRT-LLM`,
      'invalid-plan',
    );
  }
  if (form === 'mpi-world') {
    return { nodes, mpiWorld: mpiWorldCommands(flags.argv, flags.env, span.gpus, nodes) };
  }
  const lines: string[] = [];
  for (let rank = 0; rank < nodes; rank++) {
    const words = nodeLaunchWords(engine, nodes, rank, dataParallel);
    if (!words) return { nodes };
    // The head address stays a shell variable: quoting would keep it from expanding.
    lines.push(`${flags.commandLine} ${words.join(' ')}`);
  }
  return { nodes, nodeCommandLines: lines };
}

/**
 * A pool's settings as the engine takes its memory budget (config/memory-share.ts
 * `engineMemorySettingsOf`): TensorRT-LLM budgets the KV cache as a share of the memory left after
 * weights (`free_gpu_memory_fraction`), not of the whole GPU; SGLang's `--mem-fraction-static` leaves the
 * activations outside it.
 */
function budgeted(
  engine: EngineId,
  settings: PartialServingSettings,
  context: { model: ModelSpec; pool: Pool; maxModelLen: number; hardware?: HardwareSpec },
): PartialServingSettings {
  const { model, pool, maxModelLen, hardware } = context;
  if (!hardware || ENGINES[engine].checks.kvBudget === 'share-of-gpu') return settings;
  const { blockSize, maxNumBatchedTokens, maxNumSeqs, gpuMemoryUtilization } = pool.knobs;
  const limits = { blockSize, maxNumBatchedTokens, maxNumSeqs, contextLength: maxModelLen };
  const target = { engine, model, hardware, plan: pool.plan };
  const { gpuMemoryUtilization: _share, ...rest } = settings;
  return { ...rest, ...engineMemorySettingsOf(target, gpuMemoryUtilization, limits) };
}

/**
 * Ready-to-use engine commands for a configuration: one server kind, or prefill and decode workers.
 * `gpusPerNode`: servers larger than a node get each node's command.
 */
export function engineSettingsFor(
  engine: EngineId,
  model: ModelSpec,
  candidate: Candidate,
  maxModelLen: number,
  /**
   * The GPU (TensorRT-LLM's free-memory share), GPUs per node (servers larger than a node get each node's
   * command; default: the GPU's), and the engine that timed the configuration: its behaviours away from
   * the defaults (NCCL all-reduce, eager, overlap scheduling) are written with it.
   */
  target: { hardware?: HardwareSpec; gpusPerNode?: number; servingEngine?: ServingEngineInput } = {},
): EngineSettings {
  const { hardware } = target;
  const behaviour = engineBehaviourSettings(target.servingEngine);
  const gpusPerNode = target.gpusPerNode ?? hardware?.gpusPerNode;
  const serverOf = (pool: Pool, role: 'server' | 'prefill' | 'decode') =>
    server(
      engine,
      model,
      pool,
      budgeted(
        engine,
        {
          ...poolSettings(engine, model, pool, maxModelLen, role === 'server' ? undefined : role),
          ...behaviour,
        },
        { model, pool, maxModelLen, hardware },
      ),
      role,
      gpusPerNode,
    );
  if (candidate.kind === 'colocated') return { engine, servers: [serverOf(candidate.pool, 'server')] };
  // The prefill servers load the decode servers' drafter too: they prefill it and hand its state over.
  const { speculation } = candidate.decode;
  const prefill = speculation ? { ...candidate.prefill, speculation } : candidate.prefill;
  const servers = [serverOf(prefill, 'prefill'), serverOf(candidate.decode, 'decode')];
  const router = pairingRouter(engine, (role) => (role === 'prefill' ? '$PREFILL_HOST' : '$DECODE_HOST'));
  return { engine, servers, ...(router ? { router: routerOf(router) } : {}) };
}

/** The router as a person starts it: the pool addresses stay shell variables, so they are not quoted. */
function routerOf(router: DisaggregationRouter): z.infer<typeof EmittedRouter> {
  return {
    commandLine: router.run.join(' '),
    ...(router.install ? { install: router.install } : {}),
    ...(router.file ? { file: router.file } : {}),
  };
}
