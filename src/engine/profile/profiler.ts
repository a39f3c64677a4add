import { acquireGpu, type GpuContext } from '../gpu/device.js';
import type { ModelSpec } from '../model/spec.js';
import { assembleProfile } from './assemble.js';
import { ProfileContext } from './context.js';
import type { EngineStepConfig } from './engine-steps.js';
import { checkProfilable } from './limits.js';
import type { DeviceProfile } from './schema.js';
import { type ProfileProgress, runTasks, type Task, type TaskOutcome } from './task-runner.js';
import { copyTasks } from './tasks/copy.js';
import { decodeAttentionTasks } from './tasks/decode-attention.js';
import { elementwiseTasks } from './tasks/elementwise.js';
import { engineStepTask } from './tasks/engine-steps.js';
import { gemmTasks } from './tasks/gemm.js';
import { layerTasks } from './tasks/layer.js';
import { overheadTask } from './tasks/overheads.js';
import { prefillAttentionTasks } from './tasks/prefill-attention.js';

export type { ProfileProgress } from './task-runner.js';

export interface ProfileOptions {
  quick?: boolean;
  /** Shapes for the attention and layer measurements; default llama-3.1-8b's. */
  model: ModelSpec;
  signal?: AbortSignal;
  onProgress?: (progress: ProfileProgress) => void;
  /** An already acquired device (tests); otherwise one is acquired and released. */
  gpu?: GpuContext;
  /**
   * Also time the local reference engine's own steps for `model` with this engine configuration
   * (`DeviceProfile.engineSteps`): what `servetune validate` predicts the engine from.
   */
  engineSteps?: EngineStepConfig;
}

/**
 * Measures the local GPU with the kernel suite and returns a validated DeviceProfile. Each measurement
 * reports progress; when `signal` aborts, the run stops between repetitions and the profile holds what
 * was measured, with `cancelled: true`. Shapes beyond the device's limits (or far too slow for it) are
 * listed in `skipped` with the reason.
 */
export async function profileDevice(options: ProfileOptions): Promise<DeviceProfile> {
  checkProfilable(options.model, options.quick ?? false);
  const started = performance.now();
  const elapsedSeconds = () => (performance.now() - started) / 1e3;
  const gpu = options.gpu ?? (await acquireGpu());
  const context = new ProfileContext(gpu, options.quick ?? false, options.model, options.signal);
  const tasks = measurementTasks(context, options.engineSteps);
  let outcome: TaskOutcome;
  try {
    outcome = await runTasks(tasks, elapsedSeconds, options.signal, options.onProgress);
  } finally {
    if (!options.gpu) gpu.destroy();
  }
  return assembleProfile(context, outcome, elapsedSeconds());
}

/**
 * The run's measurements, in order: copy bandwidth first (the memory ceiling, whose rate sizes the
 * later time estimates), the fixed overheads, the GEMMs (whose rate does the same for FLOPs), the
 * attention kernels, the elementwise kernels, one layer, and the engine's own steps when asked for.
 */
function measurementTasks(context: ProfileContext, engineSteps: EngineStepConfig | undefined): Task[] {
  return [
    ...copyTasks(context),
    overheadTask(context),
    ...gemmTasks(context),
    ...prefillAttentionTasks(context),
    ...decodeAttentionTasks(context),
    ...elementwiseTasks(context),
    ...layerTasks(context),
    ...(engineSteps ? [engineStepTask(context, engineSteps)] : []),
  ];
}
