import argmaxSource from '../../../shaders/argmax.wgsl';
import type { GpuContext } from '../gpu/device.js';
import { computePipeline, type Dispatch, grid1d, makeDispatch, packParams } from '../gpu/pipelines.js';
import type { ShaderDtype } from '../gpu/types.js';
import { ServeTuneError } from '../util/errors.js';
import type { BufferArena } from './arena.js';

interface ArgmaxArgs {
  dtype: ShaderDtype;
  rows: number;
  width: number;
  /** [rows, width] scores. */
  x: GPUBuffer;
  /** u32 per row: the index of the row's largest score (the lowest on ties). */
  ids: GPUBuffer;
}

/** Greedy sampling on the device: one id per row, so logits are never read back. */
export function argmax(gpu: GpuContext, arena: BufferArena, args: ArgmaxArgs): Dispatch {
  if (!Number.isInteger(args.rows) || args.rows < 1 || !Number.isInteger(args.width) || args.width < 1) {
    throw new ServeTuneError(
      `argmax: rows and width must be positive integers (got ${args.rows}, ${args.width})`,
      'invalid-argument',
    );
  }
  const wg = 64;
  const pipeline = computePipeline(gpu.device, 'argmax', argmaxSource, {
    dtype: args.dtype,
    constants: { WG: wg },
  });
  const grid = grid1d(gpu.device, args.rows);
  const params = arena.uniform(
    packParams([
      ['u32', args.rows],
      ['u32', args.width],
      ['u32', grid[0]],
      ['u32', 0],
    ]),
    'argmax params',
  );
  return makeDispatch(arena, 'argmax', pipeline, [params, args.x, args.ids], grid);
}
