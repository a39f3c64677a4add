import decodeSource from '../../../shaders/attention_decode.wgsl';
import decodeLanesSource from '../../../shaders/attention_decode_lanes.wgsl';
import decodeReduceSource from '../../../shaders/attention_decode_reduce.wgsl';
import prefillSource from '../../../shaders/attention_prefill.wgsl';
import { bytesPerElement } from '../gpu/buffers.js';
import { cpuLaneWidth, type GpuContext } from '../gpu/device.js';
import { computePipeline, type Dispatch, makeDispatch, packParams } from '../gpu/pipelines.js';
import type { ShaderDtype } from '../gpu/types.js';
import { ServeTuneError } from '../util/errors.js';
import type { BufferArena } from './arena.js';

/** Most prefill pieces and decode sequences one dispatch takes (their descriptors live in a uniform buffer). */
const MAX_PREFILL_PIECES = 256;
const MAX_DECODE_SEQS = 1024;

/**
 * Where attention finds its operands. q is read from fused qkv rows ([tokens, qStride], q heads first);
 * the output rows are [tokens, outStride] with head h at h · headDim. The KV cache of one layer is
 * [blocks, kvHeads, blockSize, headDim] for K and for V; `blockTable` holds each sequence's block ids.
 */
export interface AttentionShape {
  dtype: ShaderDtype;
  heads: number;
  kvHeads: number;
  headDim: number;
  blockSize: number;
  qStride: number;
  outStride: number;
}

interface AttentionBuffers {
  qkv: GPUBuffer;
  blockTable: GPUBuffer;
  kCache: GPUBuffer;
  vCache: GPUBuffer;
  out: GPUBuffer;
}

/** `tokens` new queries (rows qRow…) after `context` cached keys; the sequence's blocks start at tableStart. */
export interface PrefillPiece {
  qRow: number;
  tokens: number;
  context: number;
  tableStart: number;
}

/** One decode query at row qRow attending to `keys` keys (the new token's included). */
export interface DecodeSequence {
  qRow: number;
  keys: number;
  tableStart: number;
}

function checkShape(shape: AttentionShape): void {
  const { heads, kvHeads, headDim, blockSize } = shape;
  if (heads % kvHeads !== 0) {
    throw new ServeTuneError(
      `attention: heads (${heads}) must be a multiple of kvHeads (${kvHeads})`,
      'invalid-argument',
    );
  }
  if (headDim % 4 !== 0) {
    throw new ServeTuneError(
      `attention: headDim must be a multiple of 4 (got ${headDim})`,
      'invalid-argument',
    );
  }
  if (!Number.isInteger(blockSize) || blockSize <= 0) {
    throw new ServeTuneError(`attention: blockSize must be a positive integer`, 'invalid-argument');
  }
}

function largestPowerOfTwoAtMost(value: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, value)));
}

/** Keys per tile: K and V tiles together within 16 KiB of workgroup memory. */
function prefillKeyTile(headDim: number, dtype: ShaderDtype): number {
  return Math.min(32, Math.max(4, largestPowerOfTwoAtMost(8192 / (headDim * bytesPerElement(dtype)))));
}

const PREFILL_QUERY_TILE = 32;

export function prefillAttention(
  gpu: GpuContext,
  arena: BufferArena,
  shape: AttentionShape,
  pieces: readonly PrefillPiece[],
  buffers: AttentionBuffers,
): Dispatch {
  checkShape(shape);
  if (pieces.length > MAX_PREFILL_PIECES) {
    throw new ServeTuneError(
      `prefill attention: at most ${MAX_PREFILL_PIECES} pieces per step`,
      'invalid-argument',
    );
  }
  const bq = PREFILL_QUERY_TILE;
  const pipeline = computePipeline(gpu.device, 'attention_prefill', prefillSource, {
    dtype: shape.dtype,
    constants: {
      HEAD_DIM: shape.headDim,
      BLOCK_SIZE: shape.blockSize,
      BQ: bq,
      BK: prefillKeyTile(shape.headDim, shape.dtype),
      MAX_PIECES: MAX_PREFILL_PIECES,
    },
  });
  const params = arena.uniform(
    packParams([
      ['u32', shape.heads],
      ['u32', shape.kvHeads],
      ['u32', shape.qStride],
      ['u32', shape.outStride],
      ['f32', 1 / Math.sqrt(shape.headDim)],
      ['u32', 0],
      ['u32', 0],
      ['u32', 0],
    ]),
    'attention_prefill params',
  );
  const table = new Uint32Array(MAX_PREFILL_PIECES * 4);
  for (const [i, piece] of pieces.entries()) {
    table.set([piece.qRow, piece.tokens, piece.context, piece.tableStart], i * 4);
  }
  const piecesBuffer = arena.table(table, 'attention_prefill pieces');
  const maxTokens = Math.max(0, ...pieces.map((piece) => piece.tokens));
  return makeDispatch(
    arena,
    'attention_prefill',
    pipeline,
    [params, piecesBuffer, buffers.qkv, buffers.blockTable, buffers.kCache, buffers.vCache, buffers.out],
    [Math.ceil(maxTokens / bq), shape.heads, pieces.length],
  );
}

const DECODE_WG = 64;

/** Keys per tile: the staged K (then V) tile within 8 KiB of workgroup memory. */
function decodeKeyTile(headDim: number, dtype: ShaderDtype): number {
  return Math.min(64, Math.max(8, largestPowerOfTwoAtMost(8192 / (headDim * bytesPerElement(dtype)))));
}

/**
 * Keys per split. Splitting the keys of long contexts over workgroups keeps the device busy when
 * sequences × KV heads alone are too few workgroups; short contexts are not split (the combine step
 * costs a dispatch).
 */
export function decodeSplitSize(maxKeys: number, sequences: number, kvHeads: number, tile: number): number {
  const targetWorkgroups = 512;
  const minKeysPerSplit = 512;
  const wanted = Math.ceil(targetWorkgroups / Math.max(1, sequences * kvHeads));
  const splits = Math.max(1, Math.min(wanted, Math.floor(maxKeys / minKeysPerSplit)));
  return Math.ceil(Math.ceil(maxKeys / splits) / tile) * tile;
}

/**
 * 'workgroup': attention_decode.wgsl, K/V tiles staged in workgroup memory (GPUs). 'lanes':
 * attention_decode_lanes.wgsl, one subgroup walking the keys with no workgroup memory (CPU adapters).
 */
export type DecodeVariant = 'workgroup' | 'lanes';

export function decodeUsesLanes(gpu: GpuContext, headDim: number): boolean {
  const width = cpuLaneWidth(gpu);
  return width > 0 && (headDim / 4) % width === 0;
}

export function decodeAttention(
  gpu: GpuContext,
  arena: BufferArena,
  shape: AttentionShape,
  sequences: readonly DecodeSequence[],
  buffers: AttentionBuffers,
  /** Keys per split; default from decodeSplitSize. */
  splitSize?: number,
  /** The kernel: by default 'lanes' on CPU adapters (decodeUsesLanes), else 'workgroup'. */
  variant?: DecodeVariant,
): Dispatch[] {
  checkShape(shape);
  if (sequences.length === 0) return [];
  if (sequences.length > MAX_DECODE_SEQS) {
    throw new ServeTuneError(
      `decode attention: at most ${MAX_DECODE_SEQS} sequences per step`,
      'invalid-argument',
    );
  }
  const group = shape.heads / shape.kvHeads;
  const d4 = shape.headDim / 4;
  const tile = decodeKeyTile(shape.headDim, shape.dtype);
  const maxKeys = Math.max(...sequences.map((s) => s.keys));
  const split = splitSize ?? decodeSplitSize(maxKeys, sequences.length, shape.kvHeads, tile);
  const numSplits = Math.ceil(maxKeys / split);
  const lanes = variant === 'lanes' || (variant === undefined && decodeUsesLanes(gpu, shape.headDim));
  if (lanes && !decodeUsesLanes(gpu, shape.headDim)) {
    throw new ServeTuneError(
      'decode attention: the lanes kernel needs a CPU adapter whose subgroup size divides headDim / 4',
      'invalid-argument',
    );
  }
  const pipeline = lanes
    ? computePipeline(gpu.device, 'attention_decode_lanes', decodeLanesSource, {
        dtype: shape.dtype,
        subgroups: true,
        constants: {
          HEAD_DIM: shape.headDim,
          BLOCK_SIZE: shape.blockSize,
          GROUP: group,
          SG: cpuLaneWidth(gpu),
          MAX_SEQS: MAX_DECODE_SEQS,
        },
      })
    : computePipeline(gpu.device, 'attention_decode', decodeSource, {
        dtype: shape.dtype,
        constants: {
          HEAD_DIM: shape.headDim,
          BLOCK_SIZE: shape.blockSize,
          GROUP: group,
          TK: tile,
          WG: DECODE_WG,
          OUT4: Math.ceil((group * d4) / DECODE_WG),
          MAX_SEQS: MAX_DECODE_SEQS,
        },
      });
  const params = arena.uniform(
    packParams([
      ['u32', shape.heads],
      ['u32', shape.kvHeads],
      ['u32', shape.qStride],
      ['u32', shape.outStride],
      ['f32', 1 / Math.sqrt(shape.headDim)],
      ['u32', split],
      ['u32', numSplits],
      ['u32', 0],
    ]),
    'attention_decode params',
  );
  const table = new Uint32Array(MAX_DECODE_SEQS * 4);
  for (const [i, s] of sequences.entries()) table.set([s.qRow, s.keys, s.tableStart, 0], i * 4);
  const seqBuffer = arena.table(table, 'attention_decode sequences');
  const partials = arena.storage(
    numSplits > 1 ? sequences.length * shape.heads * numSplits * (d4 + 1) * 16 : 16,
    'attention_decode partials',
  );
  const dispatches = [
    makeDispatch(
      arena,
      'attention_decode',
      pipeline,
      [
        params,
        seqBuffer,
        buffers.qkv,
        buffers.blockTable,
        buffers.kCache,
        buffers.vCache,
        buffers.out,
        partials,
      ],
      [numSplits, shape.kvHeads, sequences.length],
    ),
  ];
  if (numSplits > 1) {
    const reduce = computePipeline(gpu.device, 'attention_decode_reduce', decodeReduceSource, {
      dtype: shape.dtype,
      constants: { HEAD_DIM: shape.headDim, MAX_SEQS: MAX_DECODE_SEQS },
    });
    const reduceParams = arena.uniform(
      packParams([
        ['u32', shape.heads],
        ['u32', numSplits],
        ['u32', shape.outStride],
        ['u32', 0],
      ]),
      'attention_decode_reduce params',
    );
    dispatches.push(
      makeDispatch(
        arena,
        'attention_decode_reduce',
        reduce,
        [reduceParams, seqBuffer, partials, buffers.out],
        [shape.heads, sequences.length, 1],
      ),
    );
  }
  return dispatches;
}
