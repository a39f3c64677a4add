import type { Workload } from '../workload/types.js';
import type { SimulationConfigInput } from './config.js';
import { type SimulateOptions, startSimulation } from './simulate.js';
import type { RunSummary } from './summary.js';

export interface SliceOptions {
  /** Aborting stops the run at the next slice's end: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** After each slice: requests arrived so far, of all. */
  onProgress?(arrived: number, total: number): void;
  /** Events per slice (default 20,000: a few milliseconds). */
  sliceEvents?: number;
}

const DEFAULT_SLICE_EVENTS = 20_000;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * `simulate`, run in slices of events with the event loop's other work (a cancel, another request, a
 * timer) between them: the same summary as `simulate` for the same inputs, and a run that stops when
 * its signal is aborted instead of holding the thread to its end.
 */
export async function simulateInSlices(
  configInput: SimulationConfigInput,
  workload: Workload,
  options: SimulateOptions & SliceOptions = {},
): Promise<RunSummary> {
  options.signal?.throwIfAborted();
  const run = startSimulation(configInput, workload, options);
  if ('summary' in run) return run.summary;
  const { simulation } = run;
  const slice = options.sliceEvents ?? DEFAULT_SLICE_EVENTS;
  while (!simulation.runEvents(slice)) {
    options.onProgress?.(simulation.arrived, simulation.requestCount);
    await nextTurn();
    options.signal?.throwIfAborted();
  }
  return run.finish();
}
