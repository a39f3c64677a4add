import { bytesPerElement } from '../../gpu/buffers.js';
import { layerShapeOf, weightCount } from '../../kernels/layer.js';
import type { ProfileContext } from '../context.js';
import { type EngineStepConfig, measureEngineSteps } from '../engine-steps.js';
import { Skip, type Task } from '../task-runner.js';

/** Largest served model (weights in bytes) whose engine steps the profiler builds and times. */
const MAX_ENGINE_STEP_WEIGHT_BYTES = 512 * 2 ** 20;

/**
 * The local reference engine's own steps for the model with `config`, at its scheduler's shapes
 * (`DeviceProfile.engineSteps`); skipped for models whose weights exceed what the profiler serves.
 */
export function engineStepTask(context: ProfileContext, config: EngineStepConfig): Task {
  const m = context.model;
  return {
    what: `engine steps ${m.id} (${config.dtype}, ${config.maxTokens} tokens, ${config.maxSequences} sequences)`,
    async run() {
      const weightBytes =
        bytesPerElement(config.dtype) *
        (m.numLayers * weightCount(layerShapeOf(m)) + m.vocabSize * m.hiddenSize);
      if (weightBytes > MAX_ENGINE_STEP_WEIGHT_BYTES) {
        throw new Skip(
          `the model's ${(weightBytes / 2 ** 20).toFixed(0)} MiB of weights exceed the ${MAX_ENGINE_STEP_WEIGHT_BYTES / 2 ** 20} MiB the profiler serves`,
        );
      }
      const rounds = context.quick ? 50 : 100;
      const steps = await measureEngineSteps(context.gpu, m, config, rounds, context.signal);
      context.engineSteps = steps;
      const decodes = steps.steps.filter((s) => s.prefillTokens === 0);
      const last = decodes[decodes.length - 1];
      return `${steps.steps.length} shapes; ${last?.decodeBatch ?? 0} decodes ${((last?.meanSeconds ?? 0) * 1e3).toFixed(2)} ms mean`;
    },
  };
}
