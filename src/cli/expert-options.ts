import { Option } from 'commander';
import { AllToAllBackend } from '../engine/memory/plan.js';
import { moeLayers } from '../engine/model/geometry.js';
import type { ModelSpec } from '../engine/model/spec.js';
import { type ExpertRouting, expertImbalanceOf } from '../engine/perf/expert-parallel.js';
import { nonNegativeInt, nonNegativeNumber } from './options.js';

export function expertSkewOption(): Option {
  return new Option(
    '--expert-skew <s>',
    'MoE under EP: power-law exponent of expert popularity (0: balanced routing, the default; 1.01 and 1.2 are the skews aiconfigurator measures); the step waits for the busiest EP rank',
  ).argParser(nonNegativeNumber);
}

export function eplbOption(): Option {
  return new Option(
    '--eplb-redundant <n>',
    "MoE under EP: EPLB's redundant expert slots, copies of hot experts held beside the routed ones (their weights count in memory; experts + slots must divide over EP: DeepSeek-V3's 256 + 32 over EP 72); DeepSeek-V3's prefill deployment ran 32",
  ).argParser(nonNegativeInt);
}

export function allToAllOption(): Option {
  return new Option(
    '--all-to-all <kernels>',
    "MoE under EP: the dispatch/combine kernels: nccl (the default: NCCL's all-to-all, from the measured tables for 2-8 GPUs, else the link model), deepep-low-latency (decode), deepep-normal (prefill) or deepep-auto (low-latency up to 128 tokens a rank, normal above); DeepEP is priced from its published H800 measurements scaled to the plan's shape and link (SGLang --moe-a2a-backend deepep --deepep-mode, vLLM --all2all-backend)",
  ).choices(AllToAllBackend.options);
}

export function moeTensorParallelOption(): Option {
  return new Option(
    '--moe-tp',
    "MoE under attention DP (--dp with --ep over the ranks): every GPU runs a 1/ep slice of every expert over the group's gathered tokens, between an all-gather and a reduce-scatter, instead of whole experts and an all-to-all, the ranks stepping together (vLLM --data-parallel-size without --enable-expert-parallel on a MoE model: --dp N --ep N×TP --moe-tp; TensorRT-LLM enable_attention_dp with moe_expert_parallel_size 1)",
  );
}

/** The plan's share of the flags: MoE TP over the EP group, where EP is used (absent: whole experts). */
export function moeTensorParallelOfFlags(flags: { ep: number; moeTp?: boolean }): {
  moeTensorParallel?: boolean;
} {
  return flags.ep > 1 && flags.moeTp ? { moeTensorParallel: true } : {};
}

/** The plan's share of the flags: the EP all-to-all kernels, where EP is used (absent: NCCL). */
export function allToAllOfFlags(flags: { ep: number; allToAll?: AllToAllBackend }): {
  allToAll?: AllToAllBackend;
} {
  return flags.ep > 1 && flags.allToAll ? { allToAll: flags.allToAll } : {};
}

/** The routing the flags ask for; undefined: balanced. */
export function expertRoutingOfFlags(flags: {
  expertSkew?: number;
  eplbRedundant?: number;
}): ExpertRouting | undefined {
  if (flags.expertSkew === undefined && flags.eplbRedundant === undefined) return undefined;
  return { skew: flags.expertSkew ?? 0, redundantExperts: flags.eplbRedundant ?? 0 };
}

/** The plan's share of the flags: EPLB's redundant slots, where EP spreads experts (absent: none). */
export function redundantSlotsOfFlags(flags: { ep: number; eplbRedundant?: number }): {
  redundantExperts?: number;
} {
  return flags.ep > 1 && flags.eplbRedundant ? { redundantExperts: flags.eplbRedundant } : {};
}

/** The busiest EP rank's load over the mean for the model and EP degree (1: no EP, dense, or balanced). */
export function imbalanceFor(model: ModelSpec, ep: number, routing: ExpertRouting | undefined): number {
  const moe = moeLayers(model)[0];
  if (!moe || ep <= 1 || !routing) return 1;
  return expertImbalanceOf(moe.experts, ep, routing);
}
