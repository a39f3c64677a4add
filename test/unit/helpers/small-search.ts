import { Slo } from '../../../src/engine/search/schema.js';

/**
 * A search small enough for a unit test: Llama-3.1-8B on 2 L40S under TTFT 1.5 s and TBT 60 ms, every
 * one of the workload's `requests` simulated, in this thread.
 */
export function smallSearchInput(workload: string, requests: number) {
  return {
    model: 'llama-3.1-8b',
    hardware: 'l40s',
    gpus: 2,
    workload,
    slo: Slo.parse({ ttft: 1.5, tbt: 0.06 }),
    sampleRequests: requests,
    threads: 0,
  };
}
