import type { ValidationOptions } from './options.js';
import type { PredictionSetup } from './prediction-setup.js';
import type { ServingRuns } from './serving-runs.js';

/** The rate the runs are served at, and the predicted capacity it was set from (null: the workload's own). */
export interface ServingRate {
  capacity: number | null;
  rate: number | null;
}

/**
 * Serves the warm-up and returns the rate of the runs after it. The steps the engine runs while serving,
 * with the HTTP server and the load generator on the same CPU, are what the prediction must match. A
 * warm-up (another seed, so none of the validated requests) at the rate the profile suggests warms the
 * runtime first (the serving path's JavaScript is compiled and optimized over the first few hundred
 * steps, which run ~30% slower); the step model fitted to its second half sets the rate the twin and
 * the validated run share (a served step's time depends on the request rate too, since the client
 * shares the CPU), at the same fraction of the capacity it predicts as the warm-up's of the profile's.
 */
export async function serveWarmUp(
  runs: ServingRuns,
  options: ValidationOptions,
  setup: PredictionSetup,
  profileRate: ServingRate,
  say: (line: string) => void,
): Promise<ServingRate> {
  const warmUpRequests = options.warmUpRequests ?? 0;
  say(`serving ${warmUpRequests} warm-up requests to warm the runtime and set the rate…`);
  const warm = await runs.serve(
    { seed: options.seed + 1, skip: 0, count: warmUpRequests, rate: profileRate.rate },
    true,
  );
  const settled = warm.steps.slice(Math.floor(warm.steps.length / 2));
  const warmFit = setup.servedTarget(settled);
  if (options.utilization === undefined) return profileRate;
  const capacity = setup.capacityOf(setup.configWith(warmFit));
  return { capacity, rate: options.utilization * capacity };
}
