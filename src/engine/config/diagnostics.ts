import { type Plan, planProblems } from '../memory/plan.js';
import type { ModelSpec } from '../model/spec.js';
import { planEdits } from './apply.js';
import type { ConfigFileReport, ServingBlock } from './block.js';
import {
  attentionTensorParallel,
  type BlockTarget,
  kvDtypeOf,
  resolveTarget,
  weightDtypeOf,
} from './block-target.js';
import { memoryChecks } from './diagnose-memory.js';
import { chartInjectedFlags, misspeltFlags, readingProblems, repeatedSettings } from './diagnose-reading.js';
import { stepBudgetAgainstLimits } from './diagnose-step-budget.js';
import { type BlockChecking, type DiagnoseContext, type Diagnostic, rangeOf } from './diagnostic.js';
import { allToAllOfSettings } from './engines/all-to-all.js';
import { ENGINES } from './engines/index.js';
import { type GpuDemand, gpuDemand } from './gpu-demand.js';
import type { SettingKey } from './serving-settings.js';

export {
  attentionTensorParallel,
  kvDtypeOf,
  modelForReference,
  serverDataParallel,
  weightDtypeOf,
} from './block-target.js';

export { type DiagnoseContext, Diagnostic, QuickFix } from './diagnostic.js';

/** Every check on one block: parse problems, repeated flags, chart surprises, plan, scheduler and memory. */
export function diagnoseBlock(block: ServingBlock, context: DiagnoseContext = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const checking: BlockChecking = {
    block,
    push: (d) => out.push({ related: [], ...d }),
    fixFor(title, changes) {
      const planned = planEdits(block, changes);
      return { title, changes, edits: planned.edits, problems: planned.problems };
    },
  };
  readingProblems(checking);
  repeatedSettings(block, checking.push);
  chartInjectedFlags(checking);
  if (!block.engine) return out;
  misspeltFlags(checking, block.engine);
  const target = resolveTarget(block, block.engine, context);
  modelNamed(checking, target);
  gpusAgainstPlan(checking, target);
  stepBudgetAgainstLimits(checking, target);
  if (!target.model) return out;
  const plan = planOf(checking, target, target.model);
  if (!plan) return out;
  if (!target.hardware) {
    hardwareUnknown(checking);
    return out;
  }
  memoryChecks(checking, target, target.model, target.hardware, plan);
  return out;
}

/** Checks that need the model's architecture run only on a catalog model. */
function modelNamed({ block, push }: BlockChecking, { settings, model }: BlockTarget): void {
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
function gpusAgainstPlan({ block, push, fixFor }: BlockChecking, target: BlockTarget): void {
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
function planOf(
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
  const ep = resolved.expertParallel ? tp * dp : (resolved.ep ?? 1);
  const redundant = resolved.redundantExperts ? { redundantExperts: resolved.redundantExperts } : {};
  const allToAll = ep > 1 ? allToAllOfSettings(resolved) : undefined;
  const kernels = allToAll ? { allToAll } : {};
  const plan: Plan = { tp, pp, dp, ep, ...redundant, ...kernels, weightDtype, kvDtype: kvDtypeOf(resolved) };
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

function hardwareUnknown({ block, push }: BlockChecking): void {
  push({
    severity: 'info',
    code: 'hardware-unknown',
    message: `the GPU type is not named here; memory checks skipped (set "hardware" in servetune.json or pass --hardware)${block.hardware ? ` — '${block.hardware.text}' is not in the catalog` : ''}`,
    range: block.hardware?.range ?? block.range,
  });
}

function nearestValidTp(model: ModelSpec, plan: Plan): number | undefined {
  for (let tp = plan.tp - 1; tp >= 1; tp--) if (planProblems(model, { ...plan, tp }).length === 0) return tp;
  return undefined;
}

/** Checks across the blocks of one file: disaggregated prefill/decode pools must pair up. */
export function diagnoseFile(report: ConfigFileReport, context: DiagnoseContext = {}): Diagnostic[] {
  const out: Diagnostic[] = report.problems.map((p) => ({
    severity: p.severity,
    code: p.code ?? 'parse',
    message: p.message,
    range: p.range,
    related: [],
  }));
  for (const block of report.blocks) out.push(...diagnoseBlock(block, context));
  const roles = report.blocks.filter(
    (b) => b.settings.disaggregationMode && b.settings.disaggregationMode.value !== 'both',
  );
  const prefill = roles.filter((b) => b.settings.disaggregationMode?.value === 'prefill');
  const decode = roles.filter((b) => b.settings.disaggregationMode?.value === 'decode');
  if (roles.length > 0 && (prefill.length === 0 || decode.length === 0)) {
    const lone = roles[0];
    out.push({
      severity: 'info',
      code: 'disaggregation-unpaired',
      message: `${lone.label} is a ${String(lone.settings.disaggregationMode?.value)} server but this file has no ${prefill.length === 0 ? 'prefill' : 'decode'} server`,
      range: lone.settings.disaggregationMode?.range ?? lone.range,
      related: [],
    });
  }
  for (const p of prefill) {
    for (const d of decode) {
      if (p.settings.model && d.settings.model && p.settings.model.value !== d.settings.model.value) {
        out.push({
          severity: 'error',
          code: 'disaggregation-model-mismatch',
          message: `prefill (${String(p.settings.model.value)}) and decode (${String(d.settings.model.value)}) serve different models; KV caches cannot move between them`,
          range: d.settings.model.range ?? d.range,
          related: p.settings.model.range
            ? [{ range: p.settings.model.range, message: 'prefill model' }]
            : [],
        });
      }
    }
  }
  return out;
}
