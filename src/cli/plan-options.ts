// The plan a command is asked about (model, GPU, parallel degrees, number formats), as `step`, `simulate`,
// `memory` and `plans` take it: the flags' type, their declarations and the Plan they describe.
import { type Command, Option } from 'commander';
import type { AllToAllBackend, Plan } from '../engine/memory/plan.js';
import { defaultWeightDtype } from '../engine/model/checkpoint.js';
import type { KvDtype, WeightDtype } from '../engine/model/dtypes.js';
import type { ModelSpec } from '../engine/model/spec.js';
import { allToAllOfFlags, moeTensorParallelOfFlags, redundantSlotsOfFlags } from './expert-options.js';
import { modelOption } from './file-options.js';
import { kvDtypeOption, positiveInt, weightDtypeOption } from './options.js';

/** One pool's parallel degrees. */
export interface ParallelFlags {
  tp: number;
  pp: number;
  dp: number;
  ep: number;
}

/** The plan flags as commander gives them. */
export interface PlanFlags extends ParallelFlags {
  model: string;
  hardware: string;
  /** Absent: the model's published format (defaultWeightDtype). */
  weightDtype?: WeightDtype;
  kvDtype: KvDtype;
}

/** MoE under EP (`step`, `simulate`): routing skew, EPLB's redundant slots, the all-to-all kernels. */
export interface ExpertFlags {
  expertSkew?: number;
  eplbRedundant?: number;
  allToAll?: AllToAllBackend;
  /** MoE tensor parallelism over the EP group's attention-DP ranks (`--moe-tp`). */
  moeTp?: boolean;
}

/** A disaggregated deployment's two pools (`simulate --prefill-tp` …, or `--config --side`). */
export interface PoolPairFlags {
  prefillTp?: number;
  prefillPp?: number;
  prefillDp?: number;
  decodeTp?: number;
  decodePp?: number;
  decodeDp?: number;
}

/** How a command words and requires the plan options. */
export interface PlanOptionForm {
  /** What `--dp` counts in the command; `false`: no parallel degrees (`plans` enumerates them). */
  dp: string | false;
  /** `--model` and `--hardware` may come from `--config` instead (not required). */
  fromConfig?: boolean;
  /** Options listed right after `--ep` (step's MoE options, which concern it). */
  afterDegrees?: Option[];
}

/** `--dp` as `simulate` and `memory` mean it. */
export const DP_REPLICAS = 'data parallel replicas';

const FROM_CONFIG = 'required unless --config names one';

/** Adds --model, --hardware, --tp, --pp, --dp, --ep, --weight-dtype and --kv-dtype, in that order. */
export function addPlanOptions(command: Command, form: PlanOptionForm): Command {
  if (form.fromConfig) {
    command
      .addOption(
        modelOption(
          undefined,
          `catalog model id, Hugging Face repository id, or a config.json (${FROM_CONFIG})`,
        ),
      )
      .option('--hardware <id>', `GPU from the hardware catalog (${FROM_CONFIG})`);
  } else {
    command
      .addOption(modelOption().makeOptionMandatory())
      .requiredOption('--hardware <id>', 'GPU from the hardware catalog');
  }
  if (form.dp !== false) {
    const degree = (flag: string, description: string) =>
      new Option(`--${flag} <n>`, description).argParser(positiveInt).default(1);
    command
      .addOption(degree('tp', 'tensor parallel degree'))
      .addOption(degree('pp', 'pipeline parallel degree'))
      .addOption(degree('dp', form.dp))
      .addOption(degree('ep', 'expert parallel degree (MoE)'));
  }
  for (const option of form.afterDegrees ?? []) command.addOption(option);
  return command.addOption(weightDtypeOption(true)).addOption(kvDtypeOption());
}

/**
 * The Plan the flags describe, with `degrees` (default: the flags' own) for its TP, PP and DP: a
 * disaggregated pool takes its own. The weights default to the model's published format.
 */
export function planOfFlags(
  flags: PlanFlags & Pick<ExpertFlags, 'eplbRedundant' | 'allToAll'>,
  model: ModelSpec,
  degrees: Pick<ParallelFlags, 'tp' | 'pp' | 'dp'> = flags,
): Plan {
  return {
    tp: degrees.tp,
    pp: degrees.pp,
    dp: degrees.dp,
    ep: flags.ep,
    ...redundantSlotsOfFlags(flags),
    ...allToAllOfFlags(flags),
    ...moeTensorParallelOfFlags(flags),
    weightDtype: flags.weightDtype ?? defaultWeightDtype(model),
    kvDtype: flags.kvDtype,
  };
}
