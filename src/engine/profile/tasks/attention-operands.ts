import { bytesPerElement } from '../../gpu/buffers.js';
import type { ShaderDtype } from '../../gpu/types.js';
import type { BufferArena } from '../../kernels/arena.js';
import type { ProfileContext } from '../context.js';

/** Tokens per block of the paged KV caches the attention measurements read. */
export const ATTENTION_BLOCK_SIZE = 16;

/**
 * The model's query and KV heads, with the KV heads halved (and the query heads with them) until a
 * cache of `keys` keys per head fits one storage binding.
 */
export function headsToFit(
  context: ProfileContext,
  keys: number,
  dtype: ShaderDtype,
): { heads: number; kvHeads: number } {
  const model = context.layerShape;
  const maxBinding = context.gpu.device.limits.maxStorageBufferBindingSize;
  let kvHeads = model.kvHeads;
  const perHead = keys * model.headDim * bytesPerElement(dtype);
  while (kvHeads > 1 && kvHeads * perHead > maxBinding) kvHeads /= 2;
  if (!Number.isInteger(kvHeads)) kvHeads = 1;
  return { kvHeads, heads: (model.heads / model.kvHeads) * kvHeads };
}

/** Bytes of one (K or V) cache of `blocks` blocks. */
export function cacheBytesOf(
  context: ProfileContext,
  blocks: number,
  kvHeads: number,
  dtype: ShaderDtype,
): number {
  return blocks * ATTENTION_BLOCK_SIZE * kvHeads * context.layerShape.headDim * bytesPerElement(dtype);
}

/**
 * What either attention kernel reads and writes for `rows` query rows over caches of `blocks` blocks,
 * the block table mapping block i to cache block i.
 */
export function attentionOperands(
  context: ProfileContext,
  arena: BufferArena,
  dtype: ShaderDtype,
  heads: number,
  kvHeads: number,
  rows: number,
  blocks: number,
) {
  const { headDim } = context.layerShape;
  const e = bytesPerElement(dtype);
  const qStride = (heads + 2 * kvHeads) * headDim;
  const outStride = heads * headDim;
  const cacheBytes = cacheBytesOf(context, blocks, kvHeads, dtype);
  const blockTable = arena.keep(
    context.gpu.device.createBuffer({
      size: Math.max(16, blocks * 4),
      usage: 0x80 | 0x8,
      mappedAtCreation: true,
    }),
  );
  new Uint32Array(blockTable.getMappedRange()).set(Array.from({ length: blocks }, (_, i) => i));
  blockTable.unmap();
  return {
    shape: { dtype, heads, kvHeads, headDim, blockSize: ATTENTION_BLOCK_SIZE, qStride, outStride },
    buffers: {
      qkv: arena.storage(rows * qStride * e, 'qkv'),
      blockTable,
      kCache: arena.storage(cacheBytes, 'k'),
      vCache: arena.storage(cacheBytes, 'v'),
      out: arena.storage(rows * outStride * e, 'out'),
    },
  };
}
