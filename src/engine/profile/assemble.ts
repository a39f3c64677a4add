import type { ShaderDtype } from '../gpu/types.js';
import { matchCatalogHardware } from './catalog-match.js';
import type { ProfileContext } from './context.js';
import { DeviceProfile } from './schema.js';
import type { TaskOutcome } from './task-runner.js';

/**
 * The validated DeviceProfile of a run: the adapter, what the tasks measured, and the derived peaks
 * (with the efficiency against the catalog's figures where the adapter matches a catalog GPU).
 */
export function assembleProfile(
  context: ProfileContext,
  outcome: TaskOutcome,
  wallSeconds: number,
): DeviceProfile {
  const { gpu, tables } = context;
  const peak = (dtype: ShaderDtype) =>
    tables.gemm.filter((g) => g.dtype === dtype).reduce((best, g) => Math.max(best, g.flopsPerSecond), 0);
  const copyBytesPerSecond = tables.copy.reduce((best, c) => Math.max(best, c.bytesPerSecond), 0);
  const catalog = matchCatalogHardware(gpu.info);
  const peakF32 = peak('f32');
  return DeviceProfile.parse({
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    quick: context.quick,
    adapter: {
      vendor: gpu.info.vendor,
      architecture: gpu.info.architecture,
      device: gpu.info.device,
      description: gpu.info.description,
      backend: gpu.info.backend,
      isFallbackAdapter: gpu.info.isFallbackAdapter,
      features: gpu.info.features,
      limits: gpu.info.limits,
    },
    catalogId: catalog?.id ?? null,
    timingMethod: context.timer.method,
    ...context.overheads,
    ...tables,
    engineSteps: context.engineSteps,
    derived: {
      peakFlopsPerSecond: { f32: peakF32, f16: gpu.hasF16 ? peak('f16') : null },
      copyBytesPerSecond,
      efficiency: catalog
        ? {
            vectorFp32: peakF32 / catalog.vectorFp32Flops,
            memoryBandwidth: copyBytesPerSecond / catalog.memoryBandwidth,
          }
        : null,
    },
    skipped: outcome.skipped,
    cancelled: outcome.cancelled,
    wallSeconds,
  });
}
