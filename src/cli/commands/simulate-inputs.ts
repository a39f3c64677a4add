// What `simulate` is given: its flags (after --config fills them in), the inputs it cannot run without,
// and the workload they name.
import type { SpecAcceptance, SpeculationConfig } from '../../engine/perf/speculation.js';
import type { PolicyName, SchedulerConfig } from '../../engine/sched/config.js';
import type { RouterName } from '../../engine/sim/config.js';
import type { MaxTokens } from '../../engine/sim/requests.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import { loadNonEmptyWorkload } from '../../engine/workload/load.js';
import type { SloDefinition } from '../../engine/workload/slo-verdict.js';
import type { Workload } from '../../engine/workload/types.js';
import type { EngineFlags } from '../options.js';
import type { ExpertFlags, PlanFlags, PoolPairFlags } from '../plan-options.js';

/** `simulate`'s flags as commander parses them, with what --config sets. */
export interface SimulateFlags extends PlanFlags, ExpertFlags, PoolPairFlags, EngineFlags {
  config?: string;
  block?: number;
  side?: 'prefill' | 'decode';
  /** Set by withConfigFile for --side: the other side's scheduler as its block sets it. */
  pairedScheduler?: SchedulerConfig;
  /** Set by withConfigFile: the block the settings came from, for people. */
  configSource?: string;
  /** Absent: the engine's own policy (defaultPolicyOf). */
  scheduler?: PolicyName;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  blockSize?: number;
  gpuMemoryUtilization?: number;
  maxModelLen?: number;
  chunkedPrefillSize?: number;
  maxPrefillTokens?: number;
  mixedChunk?: boolean;
  schedulerRecvInterval?: number;
  scheduleConservativeness?: number;
  preemption?: 'recompute' | 'swap';
  schedulingPolicy?: 'fcfs' | 'priority';
  kvOffload?: number;
  kvPin?: number;
  attentionDpBalance?: number;
  batchWaitIters?: number;
  batchWaitTokensRatio?: number;
  prefixCaching?: boolean;
  router: RouterName;
  profile?: string;
  calibration?: string;
  opTables?: string[];
  perfDb?: string;
  workload: string;
  rate?: number;
  seed: number;
  duration?: number;
  requests?: number;
  concurrency?: number;
  thinkTime?: number;
  warmUpRequests?: number;
  warmUpPhase?: boolean;
  maxTokens?: MaxTokens;
  slo?: SloDefinition;
  speculative?: SpeculationConfig;
  specAcceptance?: SpecAcceptance;
  json?: boolean;
}

/** The workload the flags name, cut to --duration or --requests; one with no request is an error. */
export function workloadOfFlags(flags: SimulateFlags): Workload {
  const options = {
    rate: flags.rate,
    seed: flags.seed,
    durationSeconds: flags.duration,
    count: flags.requests,
  };
  return loadNonEmptyWorkload(flags.workload, options, () =>
    flags.duration !== undefined
      ? {
          message: `no requests to simulate: none of ${flags.workload} arrives within --duration ${flags.duration} s`,
          flag: '--duration',
        }
      : { message: `no requests to simulate: ${flags.workload} holds none`, flag: '--workload' },
  );
}

/** --model, --hardware and --workload: given, or taken from --config (and the servetune.json beside it). */
export function requireSimulateInputs(flags: SimulateFlags): SimulateFlags {
  const missing = (['model', 'hardware', 'workload'] as const).filter((key) => !flags[key]);
  if (missing.length === 0) return flags;
  const names = missing.map((key) => `--${key}`).join(', ');
  const why = flags.config
    ? `${flags.config} does not name ${missing.length === 1 ? 'it' : 'them'}${missing.includes('workload') ? ' and no servetune.json beside it has a "workload"' : ''}`
    : 'give them, or --config with a serving config file';
  throw new ServeTuneError(`simulate needs ${names}: ${why}`, 'invalid-argument', `--${missing[0]}`);
}
