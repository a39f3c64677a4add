// An engine's memory settings, in its own terms, as the share of the whole GPU the memory model takes
// (`gpuMemoryUtilization`), and back: one reading for tune, `simulate --config`, the config checks and
// the accuracy bench.
import type { HardwareSpec } from '../hardware/spec.js';
import {
  freeFractionOfWholeGpuShare,
  type MemoryLimits,
  staticFractionOfWholeGpuShare,
  wholeGpuShareOfFreeFraction,
  wholeGpuShareOfStaticFraction,
} from '../memory/free-memory-share.js';
import type { Plan } from '../memory/plan.js';
import type { ModelSpec } from '../model/spec.js';
import { ENGINES, type EngineId } from './engines/index.js';
import { knobTable } from './knobs/index.js';
import { sglangDefaultMemFractionStatic } from './knobs/sglang.js';

/** What the share depends on besides the settings: the engine, the model and the plan on the GPU. */
export interface MemoryShareTarget {
  engine: EngineId;
  model: ModelSpec;
  hardware: HardwareSpec;
  plan: Plan;
}

export type { MemoryLimits };

/** The memory settings as the engine takes them (the knob table's ids). */
export interface EngineMemorySettings {
  /** vLLM's and TGI's share of the whole GPU; SGLang's `--mem-fraction-static` (weights and KV cache). */
  gpuMemoryUtilization?: number;
  /** TensorRT-LLM's share of the memory free after loading (`free_gpu_memory_fraction`). */
  kvCacheFreeMemoryFraction?: number;
}

/**
 * The share of the whole GPU the memory model gives the engine for `written` (the engine's default for
 * what it leaves out). SGLang's `--mem-fraction-static` leaves activations and CUDA graphs outside it;
 * where it is not given, SGLang picks it at start-up from GPU memory, TP × PP and the chunk size
 * (`sglangDefaultMemFractionStatic`), read so only with `startupDefault` (undefined otherwise: the
 * caller's default stands). TensorRT-LLM's KV cache takes a share of the memory free after loading.
 */
export function wholeGpuShareOf(
  target: MemoryShareTarget,
  written: EngineMemorySettings,
  limits: MemoryLimits,
  options: { startupDefault: boolean },
): number | undefined {
  const { engine, model, hardware, plan } = target;
  const defaults = knobTable(engine).defaults({ gpuMemoryBytes: hardware.memoryBytes, gpuName: hardware.id });
  switch (ENGINES[engine].checks.kvBudget) {
    case 'share-of-gpu':
      return written.gpuMemoryUtilization ?? defaults.gpuMemoryUtilization;
    case 'share-of-free-memory': {
      const fraction = written.kvCacheFreeMemoryFraction ?? defaults.kvCacheFreeMemoryFraction ?? 0.9;
      return wholeGpuShareOfFreeFraction(model, hardware, plan, fraction, limits);
    }
    case 'static-share-of-gpu': {
      const fraction =
        written.gpuMemoryUtilization ??
        (options.startupDefault
          ? sglangDefaultMemFractionStatic({
              gpuMemoryBytes: hardware.memoryBytes,
              tp: plan.tp,
              pp: plan.pp,
              ...(limits.maxNumBatchedTokens ? { chunkedPrefillSize: limits.maxNumBatchedTokens } : {}),
            })
          : undefined);
      return fraction === undefined
        ? undefined
        : wholeGpuShareOfStaticFraction(model, hardware, plan, fraction, limits);
    }
  }
}

/**
 * The engine's memory settings that give the memory model `share` of the whole GPU (what a suggestion or
 * an emitted command writes): the share itself where the engine budgets the whole GPU; SGLang's
 * `--mem-fraction-static` (rounded to 3 places, as SGLang rounds its own) without the activations;
 * TensorRT-LLM's `free_gpu_memory_fraction` (rounded down to hundredths). Empty where the share leaves no
 * KV cache in TensorRT-LLM's terms.
 */
export function engineMemorySettingsOf(
  target: MemoryShareTarget,
  share: number,
  limits: MemoryLimits,
): EngineMemorySettings {
  const { engine, model, hardware, plan } = target;
  switch (ENGINES[engine].checks.kvBudget) {
    case 'share-of-gpu':
      return { gpuMemoryUtilization: share };
    case 'static-share-of-gpu': {
      const fraction = staticFractionOfWholeGpuShare(model, hardware, plan, share, limits);
      return { gpuMemoryUtilization: Math.round(fraction * 1000) / 1000 };
    }
    case 'share-of-free-memory': {
      const fraction = freeFractionOfWholeGpuShare(model, hardware, plan, share, limits);
      return fraction === undefined ? {} : { kvCacheFreeMemoryFraction: fraction };
    }
  }
}

/**
 * The engine's `gpuMemoryUtilization` setting for `share` (engineMemorySettingsOf): undefined where the
 * engine has no such setting (TensorRT-LLM budgets free memory).
 */
export function engineMemoryUtilizationOf(
  target: MemoryShareTarget,
  share: number,
  limits: MemoryLimits,
): number | undefined {
  return engineMemorySettingsOf(target, share, limits).gpuMemoryUtilization;
}
