// Checks on the parallel plan a block serves with: the model it names, the GPUs the deployment gives against
// those the plan needs, a plan that divides the model, and the GPU type the memory checks need.
import { type Plan, planProblems } from '../memory/plan.js';
import type { ModelSpec } from '../model/spec.js';
import { attentionTensorParallel, type BlockTarget, kvDtypeOf, weightDtypeOf } from './block-target.js';
import { type BlockChecking, rangeOf } from './diagnostic.js';
import { allToAllOfSettings } from './engines/all-to-all.js';
import { serverShardsExpertsOverDp } from './engines/data-parallel-experts.js';
import { ENGINES } from './engines/index.js';
import { type GpuDemand, gpuDemand } from './gpu-demand.js';
import type { SettingKey } from './serving-settings.js';

/** Checks that need the model's architecture run only on a catalog model. */
export function modelNamed({ block, push }: BlockChecking, { settings, model }: BlockTarget): void {
  if (!settings.model) {
    push({
      severity: 'info',
      code: 'no-model',
      message: 'no model named; checks that need its architecture are skipped',
      range: block.range,
    });
  } else if (!model) {
    push({
      severity: 'info',
      code: 'unknown-model',
      message: `unknown model '${settings.model}': checks that need its architecture are skipped (run 'servetune models' for the catalog)`,
      range: rangeOf(block, 'model'),
    });
  }
}

/** GPUs the deployment gives against GPUs the plan needs (this pod's share where the plan spans nodes). */
export function gpusAgainstPlan({ block, push, fixFor }: BlockChecking, target: BlockTarget): void {
  const { settings, tp, pp, dp } = target;
  if (settings.gpus === undefined || !ENGINES[target.engine].checks.gpusMatchPlan) return;
  const demand = gpuDemand(block, tp, pp, dp);
  const given = settings.gpus;
  if (demand.perPod === undefined) {
    spansNodes({ block, push, fixFor }, demand, given);
    return;
  }
  const needed = demand.perPod;
  const where = demand.multiNode ? ` on this node (${demand.multiNode})` : '';
  if (needed > given) {
    push({
      severity: 'error',
      code: 'not-enough-gpus',
      message: `${demand.formula} needs ${needed} GPUs${where}; the deployment gives ${given}`,
      range: rangeOf(block, 'gpus'),
      related: block.settings.tp?.range
        ? [{ range: block.settings.tp.range, message: 'tensor parallel size' }]
        : [],
      fix: fixFor(`Give it ${needed} GPU${needed === 1 ? '' : 's'}`, { gpus: needed }),
    });
  } else if (needed < given) {
    push({
      severity: 'warning',
      code: 'idle-gpus',
      message: `the deployment gives ${given} GPUs but ${demand.formula} uses ${needed}${where}; the rest sit idle`,
      range: rangeOf(block, 'gpus'),
      fix: fixFor(`Request ${needed} GPU${needed === 1 ? '' : 's'}`, { gpus: needed }),
    });
  }
}

/** A plan over several nodes whose node count this file does not give: say how it divides, fix nothing. */
function spansNodes({ block, push }: BlockChecking, demand: GpuDemand, given: number): void {
  if (demand.total <= given) {
    if (demand.total < given)
      push({
        severity: 'warning',
        code: 'idle-gpus',
        message: `the deployment gives ${given} GPUs but ${demand.formula} uses ${demand.total} in all; the rest sit idle`,
        range: rangeOf(block, 'gpus'),
      });
    return;
  }
  const divides = demand.total % given === 0;
  push({
    severity: divides ? 'info' : 'warning',
    code: 'multi-node-plan',
    message: divides
      ? `${demand.formula} uses ${demand.total} GPUs: ${demand.total / given} nodes of ${given} (${demand.multiNode}); the node count is not checked here`
      : `${demand.formula} uses ${demand.total} GPUs, which ${given} GPUs per node do not divide (${demand.multiNode})`,
    range: rangeOf(block, 'gpus'),
  });
}

/**
 * The parallel plan and formats the block serves in, or undefined (with why) when the memory checks
 * cannot run: a quantization ServeTune does not model, or a plan that does not divide the model.
 */
export function planOf(
  { block, push, fixFor }: BlockChecking,
  target: BlockTarget,
  model: ModelSpec,
): Plan | undefined {
  const { resolved, pp, dp } = target;
  const tp = attentionTensorParallel(target.engine, resolved);
  const weightDtype = weightDtypeOf(resolved, model);
  if (!weightDtype) {
    push({
      severity: 'info',
      code: 'quantization-not-modelled',
      message: `quantization '${resolved.quantization}' is not modelled; memory checks skipped`,
      range: rangeOf(block, 'quantization'),
    });
    return undefined;
  }
  const expertParallel = resolved.expertParallel ? tp * dp : (resolved.ep ?? 1);
  // DP ranks that shard every expert over the server's GPUs (vLLM's DP without EP): one MoE TP group.
  const moeTensorParallel = serverShardsExpertsOverDp(target.engine, {
    moe: model.moe !== undefined,
    dp,
    ep: expertParallel,
  });
  const ep = moeTensorParallel ? tp * dp : expertParallel;
  const redundant = resolved.redundantExperts ? { redundantExperts: resolved.redundantExperts } : {};
  const allToAll = ep > 1 && !moeTensorParallel ? allToAllOfSettings(resolved) : undefined;
  const kernels = allToAll ? { allToAll } : {};
  const plan: Plan = {
    tp,
    pp,
    dp,
    ep,
    ...(moeTensorParallel ? { moeTensorParallel } : {}),
    ...redundant,
    ...kernels,
    weightDtype,
    kvDtype: kvDtypeOf(resolved),
  };
  const divisibility = planProblems(model, plan);
  for (const problem of divisibility) {
    const key: SettingKey = problem.startsWith('PP') ? 'pp' : problem.startsWith('EP') ? 'ep' : 'tp';
    // Under attention DP the file's --tp counts every GPU: a TP fix in the plan's terms would not fit it.
    const better = key === 'tp' && tp === target.tp ? nearestValidTp(model, plan) : undefined;
    push({
      severity: 'error',
      code: 'plan-does-not-divide',
      message: problem,
      range: rangeOf(block, key),
      ...(better ? { fix: fixFor(`Use TP ${better}`, { tp: better }) } : {}),
    });
  }
  return divisibility.length > 0 ? undefined : plan;
}

/** No GPU type named, or one not in the catalog: the memory checks cannot run. */
export function hardwareUnknown({ block, push }: BlockChecking): void {
  push({
    severity: 'info',
    code: 'hardware-unknown',
    message: `the GPU type is not named here; memory checks skipped (set "hardware" in servetune.json or pass --hardware)${block.hardware ? ` — '${block.hardware.text}' is not in the catalog` : ''}`,
    range: block.hardware?.range ?? block.range,
  });
}

/** The largest TP below the plan's that divides the model, for the quick fix. */
function nearestValidTp(model: ModelSpec, plan: Plan): number | undefined {
  for (let tp = plan.tp - 1; tp >= 1; tp--) if (planProblems(model, { ...plan, tp }).length === 0) return tp;
  return undefined;
}
