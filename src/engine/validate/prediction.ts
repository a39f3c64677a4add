import type { SimulationConfigInput } from '../sim/config.js';
import { simulateSeedMean } from '../sim/seed-mean.js';
import type { RunSummary } from '../sim/summary.js';
import { loadWorkload } from '../workload/load.js';
import type { Workload } from '../workload/types.js';
import { PREDICTION_SEEDS, type ValidationOptions } from './options.js';
import type { PredictionSetup } from './prediction-setup.js';
import { type ServedClientOptions, servedClient } from './served-client.js';
import type { TwinFit } from './twin-fit.js';

/** How the validated run was served, as its measured summary records it and the prediction replays it. */
export type AsServed = Pick<ServedClientOptions, 'blockRequests' | 'clientSharesHost'>;

export interface Prediction {
  /** The validated run's workload at the rate served. */
  workload: Workload;
  asServed: AsServed;
  /** With the twin's fit where there is one, else the profile's. */
  predicted: RunSummary;
  /** From the profile alone, where the twin's fit predicts (to report what the fit changed); else null. */
  profileOnly: RunSummary | null;
}

/**
 * The prediction of the validated run: its workload simulated as it was served, as the mean over
 * `PREDICTION_SEEDS` seeds of the step-time draws. The load generator shares this host with the engine,
 * and what slows a step (the runtime, the machine's memory bandwidth) stalls it too: a request due then
 * is sent when the slow part ends, and its latency counts from there. Drawn without that, the step-time
 * spread put arrivals into the slow parts: on 13 runs re-simulated, the mean TTFT came out 5.4% high on
 * average, against 2.6% so.
 */
export function predictOverSeeds(
  options: ValidationOptions,
  setup: PredictionSetup,
  headlineConfig: SimulationConfigInput,
  served: { blocks: number; blockRequests: number; rate: number | null; twinFit: TwinFit | null },
): Prediction {
  const workload = loadWorkload(options.workload, {
    seed: options.seed,
    count: options.requests,
    rate: served.rate ?? undefined,
  });
  const inBlocks = served.blocks > 1 ? { blockRequests: served.blockRequests } : {};
  const asServed: AsServed = { ...inBlocks, clientSharesHost: true };
  const device = `${options.model.id} on ${setup.hardware.name}`;
  const predicted = simulateSeedMean(headlineConfig, workload, PREDICTION_SEEDS, {
    label: `predicted: ${device}`,
    client: servedClient({ ...asServed, frontEndSeconds: served.twinFit?.frontEnd.seconds ?? [] }),
  });
  const profileOnly = served.twinFit
    ? simulateSeedMean(setup.configWith(setup.profileTarget), workload, PREDICTION_SEEDS, {
        label: `predicted from the profile alone: ${device}`,
        client: servedClient(asServed),
      })
    : null;
  return { workload, asServed, predicted, profileOnly };
}
