import { bytesPerElement } from '../../gpu/buffers.js';
import { decodeAttention } from '../../kernels/attention.js';
import type { ProfileContext } from '../context.js';
import type { Task } from '../task-runner.js';
import { ATTENTION_BLOCK_SIZE, attentionOperands, cacheBytesOf, headsToFit } from './attention-operands.js';

/** (batch, context) pairs: `batch` sequences decoding one token each over `context` cached keys. */
const DECODE_SHAPES = {
  quick: [
    [8, 1024],
    [32, 4096],
  ],
  full: [
    [1, 1024],
    [8, 1024],
    [32, 1024],
    [32, 4096],
    [64, 4096],
    [8, 16384],
  ],
};

/** Split-KV decode attention over the paged cache, rated by the KV bytes it reads. */
export function decodeAttentionTasks(context: ProfileContext): Task[] {
  const dtype = context.attentionDtype;
  return (context.quick ? DECODE_SHAPES.quick : DECODE_SHAPES.full).map(([batch, keys]) => ({
    what: `decode attention batch ${batch} context ${keys} ${dtype}`,
    run: () => measureDecodeAttention(context, batch, keys),
  }));
}

async function measureDecodeAttention(context: ProfileContext, batch: number, keys: number): Promise<string> {
  const dtype = context.attentionDtype;
  const { headDim } = context.layerShape;
  const blocksPerSeq = Math.ceil(keys / ATTENTION_BLOCK_SIZE);
  const blocks = batch * blocksPerSeq;
  const { heads, kvHeads } = headsToFit(context, blocks * ATTENTION_BLOCK_SIZE, dtype);
  context.requireBinding(cacheBytesOf(context, blocks, kvHeads, dtype), 'the KV cache');
  const kvBytes = 2 * batch * keys * kvHeads * headDim * bytesPerElement(dtype);
  context.requireTime(kvBytes / (context.bytesRate / 4));
  const time = await context.measure((arena) => {
    const { shape, buffers } = attentionOperands(context, arena, dtype, heads, kvHeads, batch, blocks);
    const sequences = Array.from({ length: batch }, (_, i) => ({
      qRow: i,
      keys,
      tableStart: i * blocksPerSeq,
    }));
    return decodeAttention(context.gpu, arena, shape, sequences, buffers);
  });
  const bytesPerSecond = kvBytes / time.median;
  context.tables.decodeAttention.push({
    dtype,
    batch,
    context: keys,
    heads,
    kvHeads,
    headDim,
    blockSize: ATTENTION_BLOCK_SIZE,
    time,
    bytesPerSecond,
  });
  return `${(bytesPerSecond / 1e9).toFixed(2)} GB/s of KV (${heads} heads)`;
}
