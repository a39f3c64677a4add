import { createStorageBuffer } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { encodeDispatches } from '../gpu/pipelines.js';
import { summarize } from '../gpu/timing.js';
import { BufferArena } from '../kernels/arena.js';
import {
  LayerForward,
  type LayerShape,
  LayerWeights,
  PagedKvCache,
  randomLayerWeights,
  type StepSequence,
  stepDispatches,
} from '../kernels/layer.js';
import { SeededRandom } from '../util/random.js';

/**
 * Wall-clock cost per dispatch of a step whose dispatches are built per step, as a serving engine
 * builds them: the host work (parameter uniforms, bind groups, encoding), the runtime's submit-time
 * translation and the GPU's own dispatch overhead, together. Measured with one-token decode steps
 * through a stack of layers at a tiny width (so the kernels' own work is negligible): the time of
 * `deep` layers minus the time of one, per extra dispatch. `headDim` is the served model's.
 */
export async function measureStepDispatchSeconds(
  gpu: GpuContext,
  headDim: number,
  repetitions: number,
  signal?: AbortSignal,
): Promise<number> {
  const shape: LayerShape = {
    hiddenSize: 64,
    intermediateSize: 64,
    heads: 2,
    kvHeads: 1,
    headDim,
    rmsEps: 1e-5,
    ropeTheta: 10000,
  };
  const deep = 8;
  const weights = new LayerWeights(gpu, randomLayerWeights(shape, new SeededRandom(1)), 'f32');
  const cache = new PagedKvCache(gpu, {
    layers: deep,
    blocks: 2,
    blockSize: 16,
    kvHeads: 1,
    headDim,
    dtype: 'f32',
  });
  const forward = new LayerForward(gpu, shape, 'f32', 4);
  const hidden = createStorageBuffer(gpu.device, 4 * shape.hiddenSize * 4, 'step overhead hidden');
  const sequences: StepSequence[] = [{ tokens: 1, context: 3, blockTable: [0] }];
  let perLayer = 0;
  const time = async (layers: number): Promise<number> => {
    const start = performance.now();
    const arena = new BufferArena(gpu.device);
    const dispatches = stepDispatches(
      gpu,
      arena,
      forward,
      Array.from({ length: layers }, () => weights),
      cache,
      sequences,
      hidden,
    );
    perLayer = dispatches.length / layers;
    const encoder = gpu.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    encodeDispatches(pass, dispatches);
    pass.end();
    gpu.device.queue.submit([encoder.finish()]);
    await gpu.device.queue.onSubmittedWorkDone();
    arena.destroy();
    return (performance.now() - start) / 1000;
  };
  try {
    await time(deep);
    await time(1);
    const samples: number[] = [];
    for (let r = 0; r < repetitions; r++) {
      if (signal?.aborted) break;
      const one = await time(1);
      const many = await time(deep);
      samples.push(Math.max(0, (many - one) / ((deep - 1) * perLayer)));
    }
    return samples.length > 0 ? summarize(samples).median : 0;
  } finally {
    weights.destroy();
    cache.destroy();
    forward.destroy();
    hidden.destroy();
  }
}
