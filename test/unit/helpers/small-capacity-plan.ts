import { type CapacityInput, type CapacityPlan, planCapacity } from '../../../src/engine/search/capacity.js';
import { Slo } from '../../../src/engine/search/schema.js';

/**
 * A capacity plan small enough for a unit test: Llama-3.1-8B at 10 req/s on L40S, H100 and H20, 1..4 GPUs,
 * 150 requests sampled (L40S and H100 are priced, H20 is not).
 */
export const SMALL_CAPACITY_INPUT: CapacityInput = {
  model: 'llama-3.1-8b',
  hardware: ['l40s', 'h100-sxm', 'h20'],
  minGpus: 1,
  maxGpus: 4,
  workload: 'poisson:rate=10,prompt=uniform(256,1024),output=uniform(32,192),n=150',
  rate: 10,
  slo: Slo.parse({ ttft: 1.5, tbt: 0.06 }),
  sampleRequests: 150,
  threads: 0,
};

export function smallCapacityPlan(): Promise<CapacityPlan> {
  return planCapacity(SMALL_CAPACITY_INPUT);
}
