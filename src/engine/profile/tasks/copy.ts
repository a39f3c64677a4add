import type { Timing } from '../../gpu/types.js';
import { COPY_VARIANTS, copyKernel, copyVariantName } from '../../kernels/copy.js';
import type { ProfileContext } from '../context.js';
import type { Task } from '../task-runner.js';

const COPY_BYTES = {
  quick: [32 * 2 ** 20],
  full: [4 * 2 ** 20, 32 * 2 ** 20, 128 * 2 ** 20],
};

/**
 * Copy bandwidth, the ceiling every memory-bound kernel is compared with: each size copied by every
 * variant, the fastest kept. Raises the context's bytes rate for the later tasks' time estimates.
 */
export function copyTasks(context: ProfileContext): Task[] {
  const { gpu, tables } = context;
  return (context.quick ? COPY_BYTES.quick : COPY_BYTES.full).map((bytes) => ({
    what: `copy ${bytes / 2 ** 20} MiB`,
    async run() {
      context.requireBinding(bytes, 'copy');
      let best: { timing: Timing; variant: string } | undefined;
      for (const variant of COPY_VARIANTS) {
        const timing = await context.measure((arena) => [
          copyKernel(gpu, arena, bytes, arena.storage(bytes, 'src'), arena.storage(bytes, 'dst'), variant),
        ]);
        if (!best || timing.median < best.timing.median) {
          best = { timing, variant: copyVariantName(variant) };
        }
      }
      const found = best as { timing: Timing; variant: string };
      const rate = (2 * bytes) / found.timing.median;
      context.bytesRate = Math.max(context.bytesRate, rate);
      tables.copy.push({ bytes, time: found.timing, bytesPerSecond: rate, variant: found.variant });
      return `${(rate / 1e9).toFixed(2)} GB/s (${found.variant})`;
    },
  }));
}
