import { z } from 'zod';
import { type HardwareSpec, scaleUpDomainOf } from '../hardware/spec.js';
import type { KvDtype, WeightDtype } from '../model/dtypes.js';
import { moeLayers } from '../model/geometry.js';
import type { ModelSpec } from '../model/spec.js';
import { divisors } from '../util/divisors.js';
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

/**
 * Why the plans' weights per GPU exceed the checkpoint's, where the engine lays them out its own way
 * (vLLM's mxfp4 experts): one sentence, as `servetune plans` and the editor's report both print it.
 */
export function engineWeightsSentence(report: PlansReport): string | undefined {
  const held = report.plans.find((p) => p.engineWeights)?.engineWeights;
  return held ? `Weights as ${held.layout} holds them: ${held.changes}.` : undefined;
}

/**
 * The most GPUs a cluster may have: beyond every real deployment, and small enough that its plans are
 * enumerated at once and its cluster-wide token counts stay exact integers.
 */
export const MAX_GPUS = 100_000;

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
  if (!Number.isInteger(gpus) || gpus < 1 || gpus > MAX_GPUS) {
    throw new ServeTuneError(
      `--gpus must be a whole number from 1 to ${MAX_GPUS.toLocaleString('en-US')}, got ${gpus}`,
      'invalid-argument',
      '--gpus',
    );
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
