import { MeasurementCancelled } from '../gpu/timing.js';
import type { DeviceProfile } from './schema.js';

/** One measurement of the profile: what it measures, and a run that returns a short result. */
export interface Task {
  what: string;
  run(): Promise<string>;
}

/** A measurement that cannot run on this device, and why. */
export class Skip extends Error {}

export interface ProfileProgress {
  /** 1-based index of the measurement and how many the run has. */
  index: number;
  total: number;
  what: string;
  state: 'measuring' | 'done' | 'skipped';
  /** A short result ("12.3 GFLOP/s") or the reason for a skip. */
  detail?: string;
  elapsedSeconds: number;
}

export interface TaskOutcome {
  skipped: DeviceProfile['skipped'];
  cancelled: boolean;
}

/**
 * Runs the tasks in order, reporting each as measuring and then done or skipped. An abort (before a
 * task, or a cancelled measurement within one) ends the run with `cancelled`; a Skip is recorded and
 * the run goes on; any other error propagates.
 */
export async function runTasks(
  tasks: readonly Task[],
  elapsedSeconds: () => number,
  signal?: AbortSignal,
  onProgress?: (progress: ProfileProgress) => void,
): Promise<TaskOutcome> {
  const skipped: DeviceProfile['skipped'] = [];
  for (const [i, task] of tasks.entries()) {
    if (signal?.aborted) return { skipped, cancelled: true };
    const report = (state: ProfileProgress['state'], detail?: string) =>
      onProgress?.({
        index: i + 1,
        total: tasks.length,
        what: task.what,
        state,
        detail,
        elapsedSeconds: elapsedSeconds(),
      });
    report('measuring');
    try {
      report('done', await task.run());
    } catch (error) {
      if (error instanceof MeasurementCancelled) return { skipped, cancelled: true };
      if (!(error instanceof Skip)) throw error;
      skipped.push({ what: task.what, reason: error.message });
      report('skipped', error.message);
    }
  }
  return { skipped, cancelled: false };
}
