import kvWriteSource from '../../../shaders/kv_write.wgsl';
import reduceSharedSource from '../../../shaders/reduce_shared.wgsl';
import reduceSubgroupSource from '../../../shaders/reduce_subgroup.wgsl';
import residualAddSource from '../../../shaders/residual_add.wgsl';
import rmsnormSource from '../../../shaders/rmsnorm.wgsl';
import ropeSource from '../../../shaders/rope.wgsl';
import siluMulSource from '../../../shaders/silu_mul.wgsl';
import type { GpuContext } from '../gpu/device.js';
import { computePipeline, type Dispatch, grid1d, makeDispatch, packParams } from '../gpu/pipelines.js';
import type { ShaderDtype } from '../gpu/types.js';
import { ServeTuneError } from '../util/errors.js';
import type { BufferArena } from './arena.js';

function requireMultipleOf4(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0 || value % 4 !== 0) {
    throw new ServeTuneError(`${what} must be a positive multiple of 4 (got ${value})`, 'invalid-argument');
  }
}

interface RmsNormArgs {
  dtype: ShaderDtype;
  rows: number;
  width: number;
  eps: number;
  x: GPUBuffer;
  weight: GPUBuffer;
  y: GPUBuffer;
  /** Use subgroupAdd for the reduction (default: where the device has subgroups). */
  subgroups?: boolean;
}

export function rmsNorm(gpu: GpuContext, arena: BufferArena, args: RmsNormArgs): Dispatch {
  requireMultipleOf4(args.width, 'RMSNorm width');
  const subgroups = args.subgroups ?? gpu.hasSubgroups;
  if (subgroups && !gpu.hasSubgroups) {
    throw new ServeTuneError('RMSNorm: subgroups requested but the device has none', 'invalid-argument');
  }
  const source = subgroups
    ? rmsnormSource
        .replace(
          '/*@subgroup_builtins*/',
          ', @builtin(subgroup_invocation_id) sg_lane: u32, @builtin(subgroup_size) sg_size: u32',
        )
        .replace('/*@subgroup_args*/', ', sg_lane, sg_size') + reduceSubgroupSource
    : rmsnormSource + reduceSharedSource;
  const wg = 64;
  const pipeline = computePipeline(gpu.device, 'rmsnorm', source, {
    dtype: args.dtype,
    subgroups,
    constants: { WG: wg },
  });
  const grid = grid1d(gpu.device, args.rows);
  const params = arena.uniform(
    packParams([
      ['u32', args.rows],
      ['u32', args.width],
      ['u32', grid[0]],
      ['f32', args.eps],
    ]),
    'rmsnorm params',
  );
  return makeDispatch(arena, 'rmsnorm', pipeline, [params, args.x, args.weight, args.y], grid);
}

interface RopeArgs {
  dtype: ShaderDtype;
  tokens: number;
  /** Heads rotated at the start of each row (q heads, then k heads in a fused qkv row). */
  heads: number;
  headDim: number;
  /** Elements between consecutive token rows. */
  rowStride: number;
  theta: number;
  /** u32 absolute position of each token. */
  positions: GPUBuffer;
  x: GPUBuffer;
}

export function rope(gpu: GpuContext, arena: BufferArena, args: RopeArgs): Dispatch {
  if (args.headDim % 2 !== 0)
    throw new ServeTuneError('RoPE head dimension must be even', 'invalid-argument');
  const pipeline = computePipeline(gpu.device, 'rope', ropeSource, {
    dtype: args.dtype,
    constants: { HEAD_DIM: args.headDim },
  });
  const grid = grid1d(gpu.device, Math.ceil((args.tokens * args.heads * (args.headDim / 2)) / 64));
  const params = arena.uniform(
    packParams([
      ['u32', args.tokens],
      ['u32', args.heads],
      ['u32', args.rowStride],
      ['u32', grid[0]],
      ['f32', args.theta],
      ['u32', 0],
      ['u32', 0],
      ['u32', 0],
    ]),
    'rope params',
  );
  return makeDispatch(arena, 'rope', pipeline, [params, args.positions, args.x], grid);
}

interface SiluMulArgs {
  dtype: ShaderDtype;
  tokens: number;
  /** Width of the output; the input rows are [gate | up] of twice this. */
  width: number;
  x: GPUBuffer;
  y: GPUBuffer;
}

export function siluAndMul(gpu: GpuContext, arena: BufferArena, args: SiluMulArgs): Dispatch {
  requireMultipleOf4(args.width, 'SiLU-and-mul width');
  const pipeline = computePipeline(gpu.device, 'silu_mul', siluMulSource, { dtype: args.dtype });
  const grid = grid1d(gpu.device, Math.ceil((args.tokens * args.width) / 4 / 64));
  const params = arena.uniform(
    packParams([
      ['u32', args.tokens],
      ['u32', args.width],
      ['u32', grid[0]],
      ['u32', 0],
    ]),
    'silu_mul params',
  );
  return makeDispatch(arena, 'silu_mul', pipeline, [params, args.x, args.y], grid);
}

interface ResidualAddArgs {
  dtype: ShaderDtype;
  /** Elements, a multiple of 4. */
  count: number;
  /** x += y. */
  x: GPUBuffer;
  y: GPUBuffer;
}

export function residualAdd(gpu: GpuContext, arena: BufferArena, args: ResidualAddArgs): Dispatch {
  requireMultipleOf4(args.count, 'residual add element count');
  const pipeline = computePipeline(gpu.device, 'residual_add', residualAddSource, { dtype: args.dtype });
  const count4 = args.count / 4;
  const grid = grid1d(gpu.device, Math.ceil(count4 / 64));
  const params = arena.uniform(
    packParams([
      ['u32', count4],
      ['u32', grid[0]],
      ['u32', 0],
      ['u32', 0],
    ]),
    'residual_add params',
  );
  return makeDispatch(arena, 'residual_add', pipeline, [params, args.x, args.y], grid);
}

interface KvWriteArgs {
  dtype: ShaderDtype;
  tokens: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  blockSize: number;
  /** Fused qkv rows, [tokens, (heads + 2·kvHeads)·headDim]. */
  qkv: GPUBuffer;
  /** u32 cache slot (block · blockSize + offset) of each token. */
  slots: GPUBuffer;
  kCache: GPUBuffer;
  vCache: GPUBuffer;
}

export function kvWrite(gpu: GpuContext, arena: BufferArena, args: KvWriteArgs): Dispatch {
  requireMultipleOf4(args.headDim, 'head dimension');
  const pipeline = computePipeline(gpu.device, 'kv_write', kvWriteSource, {
    dtype: args.dtype,
    constants: { HEAD_DIM: args.headDim, BLOCK_SIZE: args.blockSize },
  });
  const grid = grid1d(gpu.device, Math.ceil((args.tokens * args.kvHeads * (args.headDim / 4)) / 64));
  const params = arena.uniform(
    packParams([
      ['u32', args.tokens],
      ['u32', args.heads],
      ['u32', args.kvHeads],
      ['u32', grid[0]],
    ]),
    'kv_write params',
  );
  return makeDispatch(
    arena,
    'kv_write',
    pipeline,
    [params, args.qkv, args.slots, args.kCache, args.vCache],
    grid,
  );
}
