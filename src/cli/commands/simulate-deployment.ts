// The deployment `simulate` runs: the scheduler its flags set, one colocated pool or a prefill and a
// decode pool, and each pool's overlap scheduler where --side simulates one side of a file's pair.
import { kvBlockSizeProblem } from '../../engine/config/block-size.js';
import { defaultPolicyOf } from '../../engine/config/engines/index.js';
import type { ModelSpec } from '../../engine/model/spec.js';
import type { SchedulerConfig } from '../../engine/sched/config.js';
import { poolOverlap, type SimulationConfigInput } from '../../engine/sim/config.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import { expertRoutingOfFlags } from '../expert-options.js';
import { planOfFlags } from '../plan-options.js';
import { speculationOfFlags } from '../speculation-options.js';
import type { SimulateFlags } from './simulate-inputs.js';

/** The scheduler the flags set; a block size the scheduler cannot use is an error. */
export function schedulerOfFlags(flags: SimulateFlags): SchedulerConfig {
  const policy = flags.scheduler ?? defaultPolicyOf(flags.engine?.id);
  const scheduler: SchedulerConfig = {
    policy,
    maxNumSeqs: flags.maxNumSeqs,
    maxNumBatchedTokens: flags.maxNumBatchedTokens,
    chunkedPrefillSize: flags.chunkedPrefillSize,
    maxPrefillTokens: flags.maxPrefillTokens,
    mixedChunk: flags.mixedChunk,
    schedulerRecvInterval: flags.schedulerRecvInterval,
    scheduleConservativeness: flags.scheduleConservativeness,
    blockSize: flags.blockSize,
    gpuMemoryUtilization: flags.gpuMemoryUtilization,
    maxModelLen: flags.maxModelLen,
    preemption: flags.preemption,
    schedulingPolicy: flags.schedulingPolicy,
    kvOffloadBytes: flags.kvOffload === undefined ? undefined : flags.kvOffload * 1024 ** 3,
    kvPinSeconds: flags.kvPin,
    attentionDpBalanceIters: flags.attentionDpBalance,
    batchWaitIters: flags.batchWaitIters,
    batchWaitTokensRatio: flags.batchWaitTokensRatio,
    enablePrefixCaching: flags.prefixCaching,
  };
  const blockSizeProblem =
    flags.blockSize === undefined ? undefined : kvBlockSizeProblem(policy, flags.blockSize);
  if (blockSizeProblem) throw new ServeTuneError(blockSizeProblem, 'invalid-argument', '--block-size');
  return scheduler;
}

/**
 * The deployment the flags describe: one colocated pool, or prefill and decode pools where any
 * --prefill-* or --decode-* degree is given. Speculation and expert routing go where decodes run.
 */
export function deploymentOfFlags(
  flags: SimulateFlags,
  model: ModelSpec,
  scheduler: SchedulerConfig,
  sides: PoolOverlap | undefined,
): SimulationConfigInput['deployment'] {
  const planOf = (tp: number, pp: number, dp: number) => planOfFlags(flags, model, { tp, pp, dp });
  // --config --side: the scheduler flags set the picked side's pool, the other side's block its own.
  const pairedScheduler = (pool: 'prefill' | 'decode') =>
    flags.side !== undefined && flags.side !== pool ? flags.pairedScheduler : undefined;
  const disaggregated = [
    flags.prefillTp,
    flags.prefillPp,
    flags.prefillDp,
    flags.decodeTp,
    flags.decodePp,
    flags.decodeDp,
  ].some((v) => v !== undefined);
  // Speculation runs where decodes do: the colocated pool, or the decode pool.
  const spec = speculationOfFlags(flags);
  const speculation = spec ? { speculation: spec } : {};
  const routing = expertRoutingOfFlags(flags);
  if (routing) Object.assign(speculation, { expertRouting: routing });
  return disaggregated
    ? {
        kind: 'disaggregated',
        prefill: {
          plan: planOf(flags.prefillTp ?? flags.tp, flags.prefillPp ?? flags.pp, flags.prefillDp ?? 1),
          scheduler: pairedScheduler('prefill') ?? scheduler,
          ...poolOverlap(sides?.prefill),
        },
        decode: {
          plan: planOf(flags.decodeTp ?? flags.tp, flags.decodePp ?? flags.pp, flags.decodeDp ?? 1),
          scheduler: pairedScheduler('decode') ?? scheduler,
          ...poolOverlap(sides?.decode),
          ...speculation,
        },
      }
    : {
        kind: 'colocated',
        pool: { plan: planOf(flags.tp, flags.pp, flags.dp), scheduler, ...speculation },
      };
}

/** Each pool's own overlap-scheduler setting; a side left out takes the engine version's default. */
type PoolOverlap = { prefill?: boolean; decode?: boolean };

/**
 * Each pool's overlap scheduler where `--side` simulates one side of a file's pair: the picked side's
 * block's setting, the other side's block's own (a TensorRT-LLM recipe's context servers run without
 * it, its generation servers with it); `--disable-overlap-scheduling` turns it off for both.
 * Undefined without `--side` (the engine's one setting applies to every pool).
 */
export function poolOverlapOfFlags(flags: {
  side?: 'prefill' | 'decode';
  overlapScheduling?: boolean;
  disableOverlapScheduling?: boolean;
  pairedOverlapScheduling?: boolean;
}): PoolOverlap | undefined {
  if (flags.side === undefined) return undefined;
  if (flags.disableOverlapScheduling) return { prefill: false, decode: false };
  const other = flags.side === 'prefill' ? 'decode' : 'prefill';
  return { [flags.side]: flags.overlapScheduling, [other]: flags.pairedOverlapScheduling };
}
