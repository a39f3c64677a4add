/**
 * Defaults: a workload whose arrival rate exceeds what the engine serves at `max-num-seqs`, so requests
 * queue (TTFT includes waiting), with prompts long enough to take several chunks' worth of budget.
 */
export const VALIDATE_DEFAULTS = {
  quick: {
    preset: 'tiny',
    requests: 100,
    maxNumSeqs: 4,
    workload: 'poisson:rate=40,prompt=uniform(16,96),output=uniform(8,40)',
  },
  full: {
    preset: 'small',
    requests: 200,
    maxNumSeqs: 4,
    workload: 'poisson:rate=8,prompt=uniform(32,160),output=uniform(16,64)',
  },
} as const;
