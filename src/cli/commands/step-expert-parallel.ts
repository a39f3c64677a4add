import { type HardwareSpec, scaleUpDomainOf } from '../../engine/hardware/spec.js';
import type { Plan } from '../../engine/memory/plan.js';
import { isDeepEpSource } from '../../engine/perf/deepep.js';
import { epGroupBatches } from '../../engine/perf/expert-parallel.js';
import type { StepReport } from '../../engine/perf/report.js';

type Terms = NonNullable<StepReport['expertParallel']>;

/** The MoE layer's exchange between the group's GPUs: the EP all-to-all, or MoE TP's gather and scatter. */
const EXCHANGE_OPS = new Set(['ep_dispatch', 'ep_combine', 'moe_all_gather', 'moe_reduce_scatter']);

/** The EP terms of a step's breakdown: its all-to-all, and the expert time spent on the busiest rank's excess. */
export function expertParallelTerms(
  plan: Plan,
  hardware: HardwareSpec,
  imbalance: number,
  breakdown: StepReport['breakdown'],
): Terms {
  let allToAll = 0;
  let experts = 0;
  let allToAllSource: string | undefined;
  for (const e of breakdown) {
    if (EXCHANGE_OPS.has(e.name)) {
      allToAll += e.seconds;
      allToAllSource ??= e.source;
    }
    if (e.name.startsWith('experts_')) experts += e.seconds;
  }
  return {
    ep: plan.ep,
    groupBatches: epGroupBatches(plan),
    imbalance,
    allToAllSeconds: allToAll,
    ...(plan.moeTensorParallel ? { moeTensorParallel: true } : {}),
    ...(allToAllSource ? { allToAllSource } : {}),
    imbalanceSeconds: imbalance > 1 ? experts * (1 - 1 / imbalance) : 0,
    scaleUp: plan.ep <= scaleUpDomainOf(hardware),
  };
}

const ms = (s: number) => `${(s * 1e3).toFixed(3)} ms`;

/** Which of the three sources timed the all-to-all, from its breakdown source. */
export function allToAllSourceKind(source: string | undefined): string {
  if (isDeepEpSource(source)) return 'DeepEP published measurement';
  if (source?.includes('NCCL all-to-all') || source?.includes('(NCCL all_gather)')) return 'NCCL table';
  return 'link model';
}

export function describeExpertParallel(t: Terms): string {
  const group = t.groupBatches > 1 ? ` over ${t.groupBatches} attention-DP ranks` : '';
  const link = t.scaleUp ? 'within one scale-up domain (NVLink)' : 'across scale-up domains (the network)';
  // EP inside one TP group: every GPU holds every token; the TP all-reduce sums the experts' outputs.
  if (t.moeTensorParallel) {
    const exchange = `all-gather + reduce-scatter ${link}: ${ms(t.allToAllSeconds)} from the ${allToAllSourceKind(t.allToAllSource)}`;
    return `expert parallel: MoE TP${t.ep}${group} (every GPU a 1/${t.ep} slice of every expert), ${exchange}`;
  }
  const exchange =
    t.groupBatches > 1
      ? `all-to-all ${link}: dispatch + combine ${ms(t.allToAllSeconds)} from the ${allToAllSourceKind(t.allToAllSource)}${t.allToAllSource && !t.allToAllSource.startsWith('link model') ? ` (${t.allToAllSource})` : ''}`
      : 'no all-to-all (every GPU of the TP group holds every token; the TP all-reduce sums the experts)';
  return `expert parallel: EP${t.ep}${group}, ${exchange}; busiest EP rank × ${t.imbalance.toFixed(2)} of the mean: the step waits ${ms(t.imbalanceSeconds)} for it`;
}
