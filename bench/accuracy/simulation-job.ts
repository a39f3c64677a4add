// One simulation of a measured row: the config the simulator runs, its closed-loop clients and what the
// report says of it. Its own file so that the stages that run and screen a job need not import the mapping.
import type { SimulationConfigInput } from '../../src/engine/sim/config.js';
import { loadWorkload } from '../../src/engine/workload/load.js';
import type { Workload } from '../../src/engine/workload/types.js';

/** One simulation: a part of the deployment, its closed-loop clients and their requests. */
export interface SimulationJob {
  config: SimulationConfigInput;
  /** Workload spec: the protocol's requests per client and lengths (arrival times are ignored). */
  workload: string;
  /** Clients of the simulated part. */
  concurrency: number;
  /** Completions left out of the metrics: each client's first requests as the protocol says, or none. */
  warmUpRequests: number;
  /** The measured requests start only once every warm-up request has finished (ClientProtocol). */
  warmUpPhase: boolean;
  /** Identical parts the deployment splits into (replicas, xPyD groups); one is simulated. */
  parts: number;
  /** The row's whole client count. */
  rowConcurrency: number;
  /** How the deployment reads, for the report: `TP8 × EP8 vllm-v1`, `prefill … + decode …`. */
  description: string;
}

/** The job's requests as its simulation draws them, so that a screen of the job sees the same ones. */
export function jobWorkload(job: SimulationJob): Workload {
  return loadWorkload(job.workload, { seed: 0 });
}
