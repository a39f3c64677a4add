/**
 * Defaults: prompts long enough to take several chunks' worth of budget, arriving (Poisson) at
 * `utilization` of the engine's capacity as predicted from the profile, so requests queue (TTFT
 * includes waiting) without the queue growing without bound, where TTFT would turn any small
 * throughput error into a large one. The spec's own rate is replaced. A warm-up of `warmUpRequests`
 * (another seed) is served first, then a twin of the validated run (as many requests, yet another
 * seed) and the validated run in alternating blocks of `blockRequests` (a third of a second of arrivals
 * each), and the step model fitted to the twin's served steps.
 */
export const VALIDATE_DEFAULTS = {
  quick: {
    preset: 'tiny',
    requests: 1600,
    maxNumSeqs: 4,
    utilization: 0.5,
    warmUpRequests: 100,
    blockRequests: 10,
    workload: 'poisson:rate=40,prompt=uniform(16,96),output=uniform(8,40)',
  },
  full: {
    preset: 'small',
    requests: 200,
    maxNumSeqs: 4,
    utilization: 0.5,
    warmUpRequests: 100,
    blockRequests: 10,
    workload: 'poisson:rate=8,prompt=uniform(32,160),output=uniform(16,64)',
  },
} as const;
