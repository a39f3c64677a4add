// Engines' own KV-cache budgets expressed as the share of the whole GPU the memory model takes, and back:
// a share of the memory left free after loading (TensorRT-LLM's kv_cache_config.free_gpu_memory_fraction),
// and a static share of the whole GPU for weights and KV cache alone (SGLang's --mem-fraction-static).
import type { HardwareSpec } from '../hardware/spec.js';
import type { ModelSpec } from '../model/spec.js';
import { type MemoryReport, type MemorySettings, memoryReport } from './model.js';
import type { Plan } from './plan.js';

/** The memory model's settings other than the share (activations depend on them). */
export type MemoryLimits = Omit<MemorySettings, 'gpuMemoryUtilization'>;

/** What one GPU holds with the whole of it given to the engine: the base of every conversion here. */
function wholeGpu(model: ModelSpec, hardware: HardwareSpec, plan: Plan, limits: MemoryLimits) {
  return memoryReport(model, hardware, plan, { ...limits, gpuMemoryUtilization: 1 }).perGpu;
}

/** Bytes that weights, activations and the runtime reserve take before any KV cache. */
function usedBeforeCache(g: MemoryReport['perGpu']): number {
  return g.weightBytes + g.activationPeakBytes + g.runtimeReserveBytes;
}

/**
 * The gpu-memory-utilization equivalent of a free-memory fraction: weights, activations and the runtime
 * reserve are used first, then `fraction` of what they leave goes to the KV cache. With a large model on
 * few GPUs the two readings differ most: 0.9 of the whole GPU may leave no KV cache at all where 0.9 of
 * the free memory leaves a working one.
 */
export function wholeGpuShareOfFreeFraction(
  model: ModelSpec,
  hardware: HardwareSpec,
  plan: Plan,
  fraction: number,
  limits: MemoryLimits = {},
): number {
  const g = wholeGpu(model, hardware, plan, limits);
  const used = usedBeforeCache(g);
  const free = Math.max(0, g.totalBytes - used);
  return Math.min(1, (used + fraction * free) / g.totalBytes);
}

/**
 * The free-memory fraction whose KV cache the memory model gives at `share` of the whole GPU: the inverse
 * of wholeGpuShareOfFreeFraction, rounded down to hundredths so the cache is never larger than planned.
 * Undefined where `share` leaves no KV cache at all.
 */
export function freeFractionOfWholeGpuShare(
  model: ModelSpec,
  hardware: HardwareSpec,
  plan: Plan,
  share: number,
  limits: MemoryLimits = {},
): number | undefined {
  const g = wholeGpu(model, hardware, plan, limits);
  const used = usedBeforeCache(g);
  const free = g.totalBytes - used;
  if (free <= 0) return undefined;
  const fraction = (share * g.totalBytes - used) / free;
  if (fraction <= 0) return undefined;
  return Math.min(1, Math.floor(fraction * 100) / 100);
}

/**
 * The gpu-memory-utilization equivalent of SGLang's `--mem-fraction-static`: "(model weights + KV cache
 * pool) / GPU memory capacity", the activations and CUDA graph buffers held outside it
 * (sgl-project/sglang python/sglang/srt/server_args.py, `_handle_gpu_memory_settings`: "mem_fraction_static
 * = (GPU memory capacity - activations - cuda graph buffers) / GPU memory capacity"). The memory model
 * takes activations out of its share, so they are added back: the KV cache is `fraction` of the GPU less
 * the weights and the runtime reserve.
 */
export function wholeGpuShareOfStaticFraction(
  model: ModelSpec,
  hardware: HardwareSpec,
  plan: Plan,
  fraction: number,
  limits: MemoryLimits = {},
): number {
  const g = wholeGpu(model, hardware, plan, limits);
  return Math.min(1, fraction + g.activationPeakBytes / g.totalBytes);
}

/**
 * The `--mem-fraction-static` whose KV cache the memory model gives at `share` of the whole GPU: the
 * inverse of wholeGpuShareOfStaticFraction (activations taken out again), at least 0.01.
 */
export function staticFractionOfWholeGpuShare(
  model: ModelSpec,
  hardware: HardwareSpec,
  plan: Plan,
  share: number,
  limits: MemoryLimits = {},
): number {
  const g = wholeGpu(model, hardware, plan, limits);
  return Math.max(0.01, share - g.activationPeakBytes / g.totalBytes);
}
