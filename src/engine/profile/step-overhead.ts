import { BufferUsage, createStorageBuffer } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { encodeDispatches } from '../gpu/pipelines.js';
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
 * `deep` layers minus the time of one (the fastest of each over the repetitions), per extra dispatch.
 * `headDim` is the served model's. Also returns the step's fixed cost: the one-layer step less its
 * dispatches (step metadata uploads, submit, a small read-back).
 */
export async function measureStepDispatchSeconds(
  gpu: GpuContext,
  headDim: number,
  repetitions: number,
  signal?: AbortSignal,
): Promise<{ perDispatchSeconds: number; stepBaseSeconds: number }> {
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
  // Like an engine step, the probe ends by reading a few bytes back (the sampled ids).
  const staging = gpu.device.createBuffer({ size: 16, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
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
    encoder.copyBufferToBuffer(hidden, 0, staging, 0, 16);
    gpu.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(0x1 /* GPUMapMode.READ */);
    staging.unmap();
    arena.destroy();
    return (performance.now() - start) / 1000;
  };
  try {
    await time(deep);
    await time(1);
    // Other work on the machine only ever adds time: the fastest run of each depth is the cleanest.
    let one = Number.POSITIVE_INFINITY;
    let many = Number.POSITIVE_INFINITY;
    for (let r = 0; r < repetitions; r++) {
      if (signal?.aborted) break;
      one = Math.min(one, await time(1));
      many = Math.min(many, await time(deep));
    }
    if (!Number.isFinite(one) || !Number.isFinite(many)) return { perDispatchSeconds: 0, stepBaseSeconds: 0 };
    const perDispatchSeconds = Math.max(0, (many - one) / ((deep - 1) * perLayer));
    return { perDispatchSeconds, stepBaseSeconds: Math.max(0, one - perLayer * perDispatchSeconds) };
  } finally {
    weights.destroy();
    cache.destroy();
    forward.destroy();
    hidden.destroy();
    staging.destroy();
  }
}
