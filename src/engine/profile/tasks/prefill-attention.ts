import { prefillAttention } from '../../kernels/attention.js';
import { attendedPairs } from '../../model/cost.js';
import type { ProfileContext } from '../context.js';
import type { Task } from '../task-runner.js';
import { ATTENTION_BLOCK_SIZE, attentionOperands, cacheBytesOf, headsToFit } from './attention-operands.js';

/** (chunk, context) pairs: a prompt chunk of `chunk` tokens after `context` cached ones. */
const PREFILL_SHAPES = {
  quick: [
    [128, 0],
    [128, 512],
  ],
  full: [
    [128, 0],
    [512, 0],
    [512, 2048],
    [2048, 0],
    [512, 8192],
  ],
};

/** Causal prefill attention over the paged cache, with the model's heads (fewer where the cache would not fit). */
export function prefillAttentionTasks(context: ProfileContext): Task[] {
  const dtype = context.attentionDtype;
  return (context.quick ? PREFILL_SHAPES.quick : PREFILL_SHAPES.full).map(([chunk, cached]) => ({
    what: `prefill attention chunk ${chunk} context ${cached} ${dtype}`,
    run: () => measurePrefillAttention(context, chunk, cached),
  }));
}

async function measurePrefillAttention(
  context: ProfileContext,
  chunk: number,
  cached: number,
): Promise<string> {
  const dtype = context.attentionDtype;
  const { headDim } = context.layerShape;
  const keys = chunk + cached;
  const blocks = Math.ceil(keys / ATTENTION_BLOCK_SIZE);
  const { heads, kvHeads } = headsToFit(context, blocks * ATTENTION_BLOCK_SIZE, dtype);
  context.requireBinding(cacheBytesOf(context, blocks, kvHeads, dtype), 'the KV cache');
  const flops = 4 * heads * headDim * attendedPairs(chunk, cached);
  context.requireTime(flops / (context.flopsRate / 4));
  const time = await context.measure((arena) => {
    const { shape, buffers } = attentionOperands(context, arena, dtype, heads, kvHeads, chunk, blocks);
    const sequence = { qRow: 0, tokens: chunk, context: cached, tableStart: 0 };
    return [prefillAttention(context.gpu, arena, shape, [sequence], buffers)];
  });
  const flopsPerSecond = flops / time.median;
  context.tables.prefillAttention.push({
    dtype,
    chunk,
    context: cached,
    heads,
    kvHeads,
    headDim,
    time,
    flopsPerSecond,
  });
  return `${(flopsPerSecond / 1e9).toFixed(2)} GFLOP/s (${heads} heads)`;
}
