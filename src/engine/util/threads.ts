import { availableParallelism } from 'node:os';
import { z } from 'zod';

/**
 * The most worker threads a search may start: one per core this process may use. More only adds
 * memory (each thread holds its own simulator and workload), never speed.
 */
export function maxThreads(): number {
  return Math.max(1, availableParallelism());
}

/** A thread count as the worker protocol takes it: 0 (evaluate on the calling thread) to one per core. */
export const ThreadCount = z
  .number()
  .int()
  .nonnegative()
  .superRefine((n, context) => {
    const most = maxThreads();
    if (n > most) {
      context.addIssue({
        code: 'custom',
        message: `${n} threads is more than this machine's ${most} cores; give 0 to ${most}`,
      });
    }
  });
