import { type HardwareSpec, scaleUpDomainOf } from '../../engine/hardware/spec.js';
import type { Plan } from '../../engine/memory/plan.js';
import { isDeepEpSource } from '../../engine/perf/deepep.js';
import { epGroupBatches } from '../../engine/perf/expert-parallel.js';
import type { StepReport } from '../../engine/perf/report.js';

type Terms = NonNullable<StepReport['expertParallel']>;

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
    if (e.name === 'ep_dispatch' || e.name === 'ep_combine') {
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
    ...(allToAllSource ? { allToAllSource } : {}),
    imbalanceSeconds: imbalance > 1 ? experts * (1 - 1 / imbalance) : 0,
    scaleUp: plan.ep <= scaleUpDomainOf(hardware),
  };
}

const ms = (s: number) => `${(s * 1e3).toFixed(3)} ms`;

/** Which of the three sources timed the all-to-all, from its breakdown source. */
export function allToAllSourceKind(source: string | undefined): string {
  if (isDeepEpSource(source)) return 'DeepEP published measurement';
  if (source?.includes('NCCL all-to-all')) return 'NCCL table';
  return 'link model';
}

export function describeExpertParallel(t: Terms): string {
  const group = t.groupBatches > 1 ? ` over ${t.groupBatches} attention-DP ranks` : '';
  const link = t.scaleUp ? 'within one scale-up domain (NVLink)' : 'across scale-up domains (the network)';
  // EP inside one TP group: every GPU holds every token; the TP all-reduce sums the experts' outputs.
  const exchange =
    t.groupBatches > 1
      ? `all-to-all ${link}: dispatch + combine ${ms(t.allToAllSeconds)} from the ${allToAllSourceKind(t.allToAllSource)}${t.allToAllSource && !t.allToAllSource.startsWith('link model') ? ` (${t.allToAllSource})` : ''}`
      : 'no all-to-all (every GPU of the TP group holds every token; the TP all-reduce sums the experts)';
  return `expert parallel: EP${t.ep}${group}, ${exchange}; busiest EP rank × ${t.imbalance.toFixed(2)} of the mean: the step waits ${ms(t.imbalanceSeconds)} for it`;
}
