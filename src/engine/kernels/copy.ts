import copySource from '../../../shaders/copy.wgsl';
import type { GpuContext } from '../gpu/device.js';
import { computePipeline, type Dispatch, grid1d, makeDispatch, packParams } from '../gpu/pipelines.js';
import { ServeTuneError } from '../util/errors.js';
import type { BufferArena } from './arena.js';

const WG = 256;
const ITEMS = 64;

/** Copies `bytes` (a multiple of 16) from src to dst: reads plus writes = 2 · bytes of traffic. */
export function copyKernel(
  gpu: GpuContext,
  arena: BufferArena,
  bytes: number,
  src: GPUBuffer,
  dst: GPUBuffer,
): Dispatch {
  if (!Number.isInteger(bytes) || bytes <= 0 || bytes % 16 !== 0) {
    throw new ServeTuneError(
      `copy size must be a positive multiple of 16 bytes (got ${bytes})`,
      'invalid-argument',
    );
  }
  const count = bytes / 16;
  const chunk = WG * ITEMS;
  const grid = grid1d(gpu.device, Math.ceil(count / chunk));
  const pipeline = computePipeline(gpu.device, 'copy', copySource, { constants: { WG, ITEMS } });
  const params = arena.uniform(
    packParams([
      ['u32', count],
      ['u32', chunk],
      ['u32', grid[0]],
      ['u32', 0],
    ]),
    'copy params',
  );
  return makeDispatch(gpu.device, 'copy', pipeline, [params, src, dst], grid);
}
