import type { HardwareSpec } from '../hardware/spec.js';
import { memoryReport } from '../memory/model.js';
import type { ModelSpec } from '../model/spec.js';
import type { Pool } from './schema.js';

/**
 * The share of memory left after weights, activations and the runtime reserve that gives the KV cache
 * what `gpuMemoryUtilization` of the whole GPU gives it: how TensorRT-LLM's
 * `kv_cache_config.free_gpu_memory_fraction` says the same budget. The inverse of the conversion the
 * config diagnostics make; rounded down to hundredths so the cache is never larger than planned.
 */
export function freeMemoryFraction(
  model: ModelSpec,
  hardware: HardwareSpec,
  pool: Pool,
  maxModelLen: number,
): number | undefined {
  const { knobs } = pool;
  const report = memoryReport(model, hardware, pool.plan, {
    gpuMemoryUtilization: 1,
    blockSize: knobs.blockSize,
    maxNumBatchedTokens: knobs.maxNumBatchedTokens,
    maxNumSeqs: knobs.maxNumSeqs,
    contextLength: maxModelLen,
  });
  const g = report.perGpu;
  const used = g.weightBytes + g.activationPeakBytes + g.runtimeReserveBytes;
  const free = g.totalBytes - used;
  if (free <= 0) return undefined;
  const fraction = (knobs.gpuMemoryUtilization * g.totalBytes - used) / free;
  if (fraction <= 0) return undefined;
  return Math.min(1, Math.floor(fraction * 100) / 100);
}
