import { Option } from 'commander';
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
    "MoE under EP: EPLB's redundant copies of hot experts (DeepSeek-V3's prefill deployment ran 32)",
  ).argParser(nonNegativeInt);
}

/** The routing the flags ask for; undefined: balanced. */
export function expertRoutingOfFlags(flags: {
  expertSkew?: number;
  eplbRedundant?: number;
}): ExpertRouting | undefined {
  if (flags.expertSkew === undefined && flags.eplbRedundant === undefined) return undefined;
  return { skew: flags.expertSkew ?? 0, redundantExperts: flags.eplbRedundant ?? 0 };
}

/** The busiest EP rank's load over the mean for the model and EP degree (1: no EP, dense, or balanced). */
export function imbalanceFor(model: ModelSpec, ep: number, routing: ExpertRouting | undefined): number {
  const moe = moeLayers(model)[0];
  if (!moe || ep <= 1 || !routing) return 1;
  return expertImbalanceOf(moe.experts, ep, routing);
}
