import { GCProfiler } from 'node:v8';

/**
 * Bytes `run` allocated on the JavaScript heap, collected or not: the heap's growth between collections
 * summed over every collection during the run (what each collection found in use, less what the one
 * before it left), plus the growth since the last. A count, not a sample: a boxed number per draw or per
 * token shows as its size times their number.
 */
export function allocatedBytes(run: () => void): number {
  const profiler = new GCProfiler();
  profiler.start();
  const start = process.memoryUsage().heapUsed;
  run();
  const end = process.memoryUsage().heapUsed;
  const { statistics } = profiler.stop();
  let allocated = 0;
  let left = start;
  for (const gc of statistics) {
    allocated += gc.beforeGC.heapStatistics.usedHeapSize - left;
    left = gc.afterGC.heapStatistics.usedHeapSize;
  }
  return allocated + end - left;
}
