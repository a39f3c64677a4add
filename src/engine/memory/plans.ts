import { z } from 'zod';
import { type HardwareSpec, scaleUpDomainOf } from '../hardware/spec.js';
import type { KvDtype, WeightDtype } from '../model/dtypes.js';
import { moeLayers } from '../model/geometry.js';
import type { ModelSpec } from '../model/spec.js';
import { ServeTuneError } from '../util/errors.js';
import { MemoryReport, type MemorySettings, memoryReport } from './model.js';
import { type Plan, planProblems } from './plan.js';

export const PlansReport = z.object({
  model: z.string(),
  hardware: z.string(),
  gpus: z.number().int().positive(),
  plans: z.array(MemoryReport),
  /** Plans skipped because their degrees do not divide the model, with the reason. */
  rejected: z.array(z.object({ plan: z.string(), problems: z.array(z.string()) })),
});
export type PlansReport = z.infer<typeof PlansReport>;

function divisors(n: number): number[] {
  const found: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) found.push(d);
  return found;
}

/**
 * Every TP × PP × DP layout of `gpus` GPUs (and, for MoE, every EP degree over a stage's GPUs), with
 * its memory report. TP stays within one scale-up domain (a node, or an NVL72 rack): engines do not run
 * tensor parallel over the network.
 */
export function enumeratePlans(
  model: ModelSpec,
  hardware: HardwareSpec,
  gpus: number,
  dtypes: { weightDtype: WeightDtype; kvDtype: KvDtype },
  settings: MemorySettings = {},
): PlansReport {
  if (!Number.isInteger(gpus) || gpus < 1) {
    throw new ServeTuneError(`--gpus must be a positive integer, got ${gpus}`, 'invalid-argument', '--gpus');
  }
  const plans: MemoryReport[] = [];
  const rejected: PlansReport['rejected'] = [];
  const moe = moeLayers(model);
  for (const tp of divisors(gpus).filter((d) => d <= scaleUpDomainOf(hardware))) {
    for (const pp of divisors(gpus / tp)) {
      const dp = gpus / tp / pp;
      const epChoices =
        moe.length > 0 ? divisors(tp * dp).filter((e) => moe.every((ffn) => ffn.experts % e === 0)) : [1];
      for (const ep of epChoices) {
        const plan: Plan = { tp, pp, dp, ep, ...dtypes };
        const problems = planProblems(model, plan);
        if (problems.length > 0) {
          rejected.push({ plan: `TP${tp} PP${pp} DP${dp}${ep > 1 ? ` EP${ep}` : ''}`, problems });
          continue;
        }
        plans.push(memoryReport(model, hardware, plan, settings));
      }
    }
  }
  return PlansReport.parse({ model: model.id, hardware: hardware.id, gpus, plans, rejected });
}
