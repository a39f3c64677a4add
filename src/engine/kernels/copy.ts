import copySource from '../../../shaders/copy.wgsl';
import type { GpuContext } from '../gpu/device.js';
import { computePipeline, type Dispatch, grid1d, makeDispatch, packParams } from '../gpu/pipelines.js';
import { ServeTuneError } from '../util/errors.js';
import type { BufferArena } from './arena.js';

interface CopyConfig {
  /** Invocations per workgroup, and vec4 words each copies. */
  wg: number;
  items: number;
  /** u32 per word: 4 (vec4 accesses) or 1. */
  word: 1 | 4;
}

/**
 * The variants the profiler tries (it keeps the fastest). The last, one 8-lane subgroup per workgroup,
 * is for CPU adapters: on llvmpipe it moves about twice the bytes of the others.
 */
export const COPY_VARIANTS: readonly CopyConfig[] = [
  { wg: 256, items: 64, word: 4 },
  { wg: 64, items: 1024, word: 1 },
  { wg: 8, items: 1024, word: 4 },
];

export function copyVariantName(config: CopyConfig): string {
  return `${config.word === 4 ? 'vec4<u32>' : 'u32'} words, ${config.wg} per workgroup`;
}
const DEFAULT_COPY = COPY_VARIANTS[0];

/** Copies `bytes` (a multiple of 16) from src to dst: reads plus writes = 2 · bytes of traffic. */
export function copyKernel(
  gpu: GpuContext,
  arena: BufferArena,
  bytes: number,
  src: GPUBuffer,
  dst: GPUBuffer,
  config: CopyConfig = DEFAULT_COPY,
): Dispatch {
  if (!Number.isInteger(bytes) || bytes <= 0 || bytes % 16 !== 0) {
    throw new ServeTuneError(
      `copy size must be a positive multiple of 16 bytes (got ${bytes})`,
      'invalid-argument',
    );
  }
  const count = bytes / (4 * config.word);
  const chunk = config.wg * config.items;
  const grid = grid1d(gpu.device, Math.ceil(count / chunk));
  const source =
    config.word === 4 ? copySource : copySource.replace('alias Word = vec4<u32>;', 'alias Word = u32;');
  const pipeline = computePipeline(gpu.device, 'copy', source, { constants: { WG: config.wg } });
  const params = arena.uniform(
    packParams([
      ['u32', count],
      ['u32', chunk],
      ['u32', grid[0]],
      ['u32', 0],
    ]),
    'copy params',
  );
  return makeDispatch(arena, 'copy', pipeline, [params, src, dst], grid);
}
