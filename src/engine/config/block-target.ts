// What a serving block runs, as far as its file and the catalogs tell: the model, GPU, formats and the
// parallel degrees as the engine counts them, with the engine's defaults under the file's settings.
import { findHardware } from '../hardware/catalog.js';
import type { HardwareSpec } from '../hardware/spec.js';
import { MODEL_CATALOG } from '../model/catalog.js';
import { defaultWeightDtype } from '../model/checkpoint.js';
import type { KvDtype, WeightDtype } from '../model/dtypes.js';
import { lookupModel } from '../model/resolve.js';
import type { ModelSpec } from '../model/spec.js';
import { blockSettings, type ServingBlock } from './block.js';
import type { DiagnoseContext } from './diagnostic.js';
import { ENGINES, type EngineId } from './engines/index.js';
import { knobTable } from './knobs/index.js';
import type { PartialServingSettings } from './serving-settings.js';

/**
 * A model as configs name it: a config.json path, catalog id, Hugging Face repository (in the catalog or
 * the local Hugging Face cache; never the network), or a local folder named like a catalog repository.
 */
export function modelForReference(reference: string): ModelSpec | undefined {
  const direct = lookupModel(reference);
  if (direct) return direct;
  const tail = reference.replace(/\/+$/, '').split('/').pop()?.toLowerCase();
  return tail ? MODEL_CATALOG.find((m) => m.source.split('/').pop()?.toLowerCase() === tail) : undefined;
}

/**
 * The weight format a block's settings load the model in (undefined: a method ServeTune does not model).
 * Without a quantization setting the engine loads the checkpoint as published: a quantized checkpoint
 * (DeepSeek-R1's fp8, gpt-oss's mxfp4 experts) stays quantized, a 16-bit one takes `dtype`.
 */
export function weightDtypeOf(settings: PartialServingSettings, model?: ModelSpec): WeightDtype | undefined {
  const q = settings.quantization?.toLowerCase();
  if (q) {
    if (q.startsWith('fp8')) return 'fp8';
    if (q === 'mxfp4') return 'mxfp4';
    if (/nvfp4|modelopt_fp4/.test(q)) return 'nvfp4';
    if (/awq|gptq|marlin|nf4|exl2|int4|w4a16/.test(q)) return 'int4';
    if (/int8|w8a8|eetq|smoothquant|bitsandbytes/.test(q)) return 'int8';
    return undefined;
  }
  const published = model ? defaultWeightDtype(model) : 'bf16';
  if (published !== 'bf16') return published;
  return settings.dtype === 'fp16' ? 'fp16' : 'bf16';
}

/** The KV cache format the settings store: fp8 or fp4 where --kv-cache-dtype says so, else the model's dtype. */
export function kvDtypeOf(settings: PartialServingSettings): KvDtype {
  if (settings.kvCacheDtype?.startsWith('fp8')) return 'fp8';
  if (settings.kvCacheDtype === 'fp4') return 'fp4';
  return settings.dtype === 'fp16' ? 'fp16' : 'bf16';
}

/** What a block runs, as far as the file and the catalogs tell. */
export interface BlockTarget {
  engine: EngineId;
  /** The settings the file writes. */
  settings: PartialServingSettings;
  /** The file's settings over the engine's defaults: what the server runs with. */
  resolved: PartialServingSettings;
  model: ModelSpec | undefined;
  hardware: HardwareSpec | undefined;
  tp: number;
  pp: number;
  dp: number;
}

/**
 * Attention-DP ranks in one server: the file's DP, or, for an engine with no DP setting whose attention
 * DP spans every GPU of its TP (TensorRT-LLM's enable_attention_dp with --tp_size), that TP.
 */
export function serverDataParallel(engine: EngineId, settings: PartialServingSettings): number {
  if (settings.dp !== undefined) return settings.dp;
  const takesDp = knobTable(engine).knobs.some((k) => k.settings.includes('dp'));
  const everyGpu = ENGINES[engine].dataParallelAttention === 'tp-counts-every-gpu';
  return settings.dpAttention === true && everyGpu && !takesDp ? (settings.tp ?? 1) : 1;
}

/**
 * The attention TP of a plan as the file writes it: SGLang and TensorRT-LLM count every GPU of an
 * attention-DP server in --tp, so attention TP is tp / dp there; otherwise the file's TP.
 */
export function attentionTensorParallel(engine: EngineId, settings: PartialServingSettings): number {
  const tp = settings.tp ?? 1;
  const dp = serverDataParallel(engine, settings);
  const countsEveryGpu =
    settings.dpAttention === true &&
    ENGINES[engine].dataParallelAttention === 'tp-counts-every-gpu' &&
    tp % dp === 0;
  return countsEveryGpu ? tp / dp : tp;
}

/** The block's target: the file's settings over the engine's defaults for the GPU and model it names. */
export function resolveTarget(block: ServingBlock, engine: EngineId, context: DiagnoseContext): BlockTarget {
  const settings = blockSettings(block);
  const model = settings.model ? modelForReference(settings.model) : undefined;
  // The GPU the file names (a node selector) wins; the context's is assumed only where it names none.
  const hardwareId = block.hardware?.id ?? context.hardware;
  const hardware = hardwareId ? findHardware(hardwareId) : undefined;
  const defaults = knobTable(engine).defaults({
    ...(hardware ? { gpuMemoryBytes: hardware.memoryBytes, gpuName: hardware.id } : {}),
    ...(model ? { modelMaxLen: model.maxContextLength } : {}),
  });
  const resolved: PartialServingSettings = { ...defaults, ...settings };
  return {
    engine,
    settings,
    resolved,
    model,
    hardware,
    tp: resolved.tp ?? 1,
    pp: resolved.pp ?? 1,
    dp: serverDataParallel(engine, resolved),
  };
}
