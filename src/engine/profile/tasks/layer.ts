import { bytesPerElement } from '../../gpu/buffers.js';
import type { Dispatch } from '../../gpu/pipelines.js';
import type { ShaderDtype, Timing } from '../../gpu/types.js';
import type { BufferArena } from '../../kernels/arena.js';
import {
  LayerForward,
  type LayerShape,
  LayerWeights,
  PagedKvCache,
  type StepSequence,
  scaleLayerShape,
  stepDispatches,
  weightCount,
} from '../../kernels/layer.js';
import type { ProfileContext } from '../context.js';
import type { Task } from '../task-runner.js';

/** One step's mix: a prompt chunk after some cached context beside a batch of decodes. */
interface LayerBatch {
  prefillTokens: number;
  prefillContext: number;
  decodeBatch: number;
  decodeContext: number;
}

const LAYER_BATCHES: { quick: LayerBatch[]; full: LayerBatch[] } = {
  quick: [{ prefillTokens: 64, prefillContext: 0, decodeBatch: 8, decodeContext: 256 }],
  full: [
    { prefillTokens: 256, prefillContext: 0, decodeBatch: 16, decodeContext: 1024 },
    { prefillTokens: 512, prefillContext: 512, decodeBatch: 32, decodeContext: 1024 },
    { prefillTokens: 0, prefillContext: 0, decodeBatch: 32, decodeContext: 1024 },
  ],
};

/** Tokens per block of the layer's paged KV cache. */
const BLOCK_SIZE = 16;

/**
 * One layer forward over a mixed batch, at the model's shapes scaled to fit (quick mode: f32 only).
 */
export function layerTasks(context: ProfileContext): Task[] {
  const { quick, model } = context;
  const dtypes: ShaderDtype[] = quick ? [context.dtypes[0]] : context.dtypes;
  const tasks: Task[] = [];
  for (const dtype of dtypes) {
    for (const batch of quick ? LAYER_BATCHES.quick : LAYER_BATCHES.full) {
      tasks.push({
        what: `layer forward ${model.id} (${batch.prefillTokens}-token chunk + ${batch.decodeBatch} decodes) ${dtype}`,
        run: () => measureLayerTask(context, dtype, batch),
      });
    }
  }
  return tasks;
}

async function measureLayerTask(
  context: ProfileContext,
  dtype: ShaderDtype,
  batch: LayerBatch,
): Promise<string> {
  const maxBinding = context.gpu.device.limits.maxStorageBufferBindingSize;
  const { shape, divisor } = fitLayer(context.layerShape, dtype, context.quick, maxBinding);
  const tokens = batch.prefillTokens + batch.decodeBatch;
  const flops = 2 * tokens * (weightCount(shape) - 2 * shape.hiddenSize);
  context.requireTime(flops / context.flopsRate);
  const time = await measureLayer(context, shape, dtype, batch);
  context.tables.layer.push({
    model: context.model.id,
    scale: 1 / divisor,
    hiddenSize: shape.hiddenSize,
    intermediateSize: shape.intermediateSize,
    heads: shape.heads,
    kvHeads: shape.kvHeads,
    headDim: shape.headDim,
    ...batch,
    dtype,
    time,
  });
  return `${(time.median * 1e3).toFixed(2)} ms at scale 1/${divisor}`;
}

/**
 * The largest power-of-two fraction of the model's layer whose weights fit the mode's memory budget
 * and whose largest matrix fits one storage binding.
 */
export function fitLayer(
  model: LayerShape,
  dtype: ShaderDtype,
  quick: boolean,
  maxBinding: number,
): { shape: LayerShape; divisor: number } {
  const budget = (quick ? 24 : 512) * 2 ** 20;
  const e = bytesPerElement(dtype);
  let divisor = 1;
  for (;;) {
    const shape = scaleLayerShape(model, divisor);
    const largest = Math.max(
      shape.hiddenSize * (shape.heads + 2 * shape.kvHeads) * shape.headDim,
      shape.hiddenSize * 2 * shape.intermediateSize,
    );
    const fits = weightCount(shape) * e <= budget && largest * e <= maxBinding;
    if (fits || model.kvHeads % (divisor * 2) !== 0) return { shape, divisor };
    divisor *= 2;
  }
}

/** Times one layer's step dispatches over `batch`, each sequence with blocks of its own. */
async function measureLayer(
  context: ProfileContext,
  shape: LayerShape,
  dtype: ShaderDtype,
  batch: LayerBatch,
): Promise<Timing> {
  const { gpu } = context;
  const { sequences, blocks } = layerSequences(batch);
  const tokens = batch.prefillTokens + batch.decodeBatch;
  const weights = new LayerWeights(gpu, zeroWeights(shape), dtype);
  const cache = new PagedKvCache(gpu, {
    layers: 1,
    blocks,
    blockSize: BLOCK_SIZE,
    kvHeads: shape.kvHeads,
    headDim: shape.headDim,
    dtype,
  });
  const forward = new LayerForward(gpu, shape, dtype, tokens);
  try {
    return await context.measure((arena: BufferArena): Dispatch[] => {
      const hidden = arena.storage(tokens * shape.hiddenSize * bytesPerElement(dtype), 'hidden');
      return stepDispatches(gpu, arena, forward, [weights], cache, sequences, hidden);
    });
  } finally {
    forward.destroy();
    cache.destroy();
    weights.destroy();
  }
}

/** The batch's sequences (the prompt chunk first), their block tables numbering the blocks in order. */
function layerSequences(batch: LayerBatch): { sequences: StepSequence[]; blocks: number } {
  const sequences: StepSequence[] = [];
  let nextBlock = 0;
  const table = (tokens: number) => Array.from({ length: Math.ceil(tokens / BLOCK_SIZE) }, () => nextBlock++);
  if (batch.prefillTokens > 0) {
    sequences.push({
      tokens: batch.prefillTokens,
      context: batch.prefillContext,
      blockTable: table(batch.prefillContext + batch.prefillTokens),
    });
  }
  for (let i = 0; i < batch.decodeBatch; i++) {
    sequences.push({ tokens: 1, context: batch.decodeContext, blockTable: table(batch.decodeContext + 1) });
  }
  return { sequences, blocks: nextBlock };
}

/** Timing does not depend on the values; zeros keep the repeated in-place updates finite. */
function zeroWeights(shape: LayerShape) {
  const h = shape.hiddenSize;
  const f = shape.intermediateSize;
  const zeros = (n: number) => new Float32Array(n);
  return {
    inputNorm: zeros(h),
    qkv: zeros(h * (shape.heads + 2 * shape.kvHeads) * shape.headDim),
    o: zeros(shape.heads * shape.headDim * h),
    postNorm: zeros(h),
    gateUp: zeros(h * 2 * f),
    down: zeros(f * h),
  };
}
