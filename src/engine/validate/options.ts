import type { GpuContext } from '../gpu/device.js';
import type { ShaderDtype } from '../gpu/types.js';
import type { ModelSpec } from '../model/spec.js';
import type { DeviceProfile } from '../profile/schema.js';
import type { PolicyName } from '../sched/config.js';
import { ServeTuneError } from '../util/errors.js';
import { loadWorkload } from '../workload/load.js';
import type { BenchCommand } from './bench-process.js';

export interface ValidationOptions {
  quick: boolean;
  model: ModelSpec;
  workload: string;
  seed: number;
  requests: number;
  policy: PolicyName;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  blockSize: number;
  dtype: ShaderDtype;
  /**
   * Run the workload at this fraction of the engine's capacity as the profile-based prediction gives it
   * (its own rate replaced); default: the workload's own rate.
   */
  utilization?: number;
  /**
   * Requests of a separate warm-up workload (the same spec, seed + 1) served first to warm the runtime
   * and set the rate of a twin of the validated run (as many requests, seed + 2), whose step times the
   * step model is fitted to before predicting; 0: predict from the profile alone.
   */
  warmUpRequests?: number;
  /**
   * With a warm-up: the twin and the validated run are served in alternating blocks of this many
   * requests (twin, validated, twin, …), each block a run of its own on an idle engine;
   * default: one block each (the whole twin, then the whole validated run).
   */
  blockRequests?: number;
  /**
   * Runs the load generator as `servetune bench --session` in a process of its own (as a real client
   * is), started once with this command and asked for each run; default: in this process, where its
   * timers wait on the engine's event loop.
   */
  benchCommand?: BenchCommand;
  /** A profile already taken on this machine; default: profile now (quick). */
  profile?: DeviceProfile;
  gpu?: GpuContext;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** The project's target for the error of mean TTFT and mean TPOT. */
export const VALIDATION_TARGET = 0.1;

/** The prediction is the mean over this many seeds of the step-time draws (`simulateSeedMean`). */
export const PREDICTION_SEEDS = 32;

/**
 * Before anything is profiled or served: the workload must hold every request each run draws from it
 * (a spec's `n=`, a trace's length), or a run would fail minutes in.
 */
export function requireRequests(options: ValidationOptions): void {
  const runs: [string, number, number][] = [
    ['--requests', options.seed, options.requests],
    ['--warm-up-requests', options.seed + 1, options.warmUpRequests ?? 0],
  ];
  for (const [flag, seed, count] of runs) {
    if (count === 0) continue;
    const available = loadWorkload(options.workload, { seed, count }).requests.length;
    if (available < count) {
      throw new ServeTuneError(
        `${flag} ${count}: the workload ${options.workload} holds only ${available} requests; ask for fewer or give a longer workload`,
        'invalid-argument',
        flag,
      );
    }
  }
}
