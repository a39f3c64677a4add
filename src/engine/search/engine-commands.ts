import { z } from 'zod';
import { type EngineFlags, engineFlags } from '../config/emit.js';
import { ENGINES, type EngineId } from '../config/engines/index.js';
import type { PartialServingSettings } from '../config/serving-settings.js';
import type { HardwareSpec } from '../hardware/spec.js';
import { defaultWeightDtype } from '../model/checkpoint.js';
import type { ModelSpec } from '../model/spec.js';
import { freeMemoryFraction } from './kv-budget.js';
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
  /** The settings, in ServeTune's terms, that the flags express (what reading them back gives). */
  expressed: z.record(z.string(), z.unknown()),
});

export const EngineSettings = z.object({ engine: z.string(), servers: z.array(EmittedServer) });
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
  if (plan.ep > 1) {
    settings.ep = plan.ep;
    settings.expertParallel = true;
  }
  const { quantization } = quantizationOf(model, pool);
  if (quantization) settings.quantization = quantization;
  if (plan.kvDtype === 'fp8') settings.kvCacheDtype = 'fp8';
  if (role) settings.disaggregationMode = role;
  return settings;
}

function server(
  engine: EngineId,
  model: ModelSpec,
  pool: Pool,
  settings: PartialServingSettings,
  role: 'server' | 'prefill' | 'decode',
): z.infer<typeof EmittedServer> {
  const { needsCheckpoint } = quantizationOf(model, pool);
  const flags: EngineFlags = engineFlags(engine, settings, {
    yamlFileName: `${role === 'server' ? 'serve' : role}.yaml`,
  });
  return {
    role,
    commandLine: flags.commandLine,
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
 * A pool's settings as the engine takes its memory budget: TensorRT-LLM budgets the KV cache as a share
 * of the memory left after weights (`free_gpu_memory_fraction`), not of the whole GPU.
 */
function budgeted(
  engine: EngineId,
  settings: PartialServingSettings,
  context: { model: ModelSpec; pool: Pool; maxModelLen: number; hardware?: HardwareSpec },
): PartialServingSettings {
  if (ENGINES[engine].checks.kvBudget !== 'share-of-free-memory' || !context.hardware) return settings;
  const fraction = freeMemoryFraction(context.model, context.hardware, context.pool, context.maxModelLen);
  if (fraction === undefined) return settings;
  const { gpuMemoryUtilization: _share, ...rest } = settings;
  return { ...rest, kvCacheFreeMemoryFraction: fraction };
}

/** Ready-to-use engine commands for a configuration: one server kind, or prefill and decode workers. */
export function engineSettingsFor(
  engine: EngineId,
  model: ModelSpec,
  candidate: Candidate,
  maxModelLen: number,
  hardware?: HardwareSpec,
): EngineSettings {
  const settingsOf = (pool: Pool, role?: 'prefill' | 'decode') =>
    budgeted(engine, poolSettings(model, pool, maxModelLen, role), { model, pool, maxModelLen, hardware });
  if (candidate.kind === 'colocated') {
    return {
      engine,
      servers: [server(engine, model, candidate.pool, settingsOf(candidate.pool), 'server')],
    };
  }
  return {
    engine,
    servers: [
      server(engine, model, candidate.prefill, settingsOf(candidate.prefill, 'prefill'), 'prefill'),
      server(engine, model, candidate.decode, settingsOf(candidate.decode, 'decode'), 'decode'),
    ],
  };
}
