import { type HardwareSpec, scaleUpDomainOf } from '../hardware/spec.js';
import { formatGiB, type MemoryReport, type MemorySettings, memoryReport } from '../memory/model.js';
import { type Plan, planProblems } from '../memory/plan.js';
import type { ModelSpec } from '../model/spec.js';
import { engineExpertLayout } from '../perf/expert-weight-layout.js';
import { planEdits } from './apply.js';
import type { ConfigFileReport, ServingBlock } from './block.js';
import {
  attentionTensorParallel,
  type BlockTarget,
  kvDtypeOf,
  resolveTarget,
  weightDtypeOf,
} from './block-target.js';
import { chartInjectedFlags, misspeltFlags, readingProblems, repeatedSettings } from './diagnose-reading.js';
import { stepBudgetAgainstLimits } from './diagnose-step-budget.js';
import { type BlockChecking, type DiagnoseContext, type Diagnostic, rangeOf } from './diagnostic.js';
import { allToAllOfSettings } from './engines/all-to-all.js';
import { ENGINES } from './engines/index.js';
import { type GpuDemand, gpuDemand } from './gpu-demand.js';
import { knobById } from './knobs/index.js';
import { engineMemoryUtilizationOf, type MemoryLimits, wholeGpuShareOf } from './memory-share.js';
import type { SettingKey } from './serving-settings.js';

export {
  attentionTensorParallel,
  kvDtypeOf,
  modelForReference,
  serverDataParallel,
  weightDtypeOf,
} from './block-target.js';

export { type DiagnoseContext, Diagnostic, QuickFix } from './diagnostic.js';

const GiB = 1024 ** 3;

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

/**
 * The share of each GPU the engine budgets, whatever way it is given (`wholeGpuShareOf`): SGLang's
 * `--mem-fraction-static` leaves activations outside it, TensorRT-LLM gives the KV cache a share of what
 * is free after weights and activations.
 */
function budgetShare(
  target: BlockTarget,
  model: ModelSpec,
  hardware: HardwareSpec,
  plan: Plan,
  memory: MemoryLimits,
): number {
  const share = wholeGpuShareOf({ engine: target.engine, model, hardware, plan }, target.resolved, memory, {
    startupDefault: true,
  });
  return share ?? 0.9;
}

/** Weights within the budget, KV memory left for at least one sequence, and room outside the budget. */
function memoryChecks(
  checking: BlockChecking,
  target: BlockTarget,
  model: ModelSpec,
  hardware: HardwareSpec,
  plan: Plan,
): void {
  const { resolved } = target;
  const memory: MemoryLimits = {
    blockSize: resolved.blockSize ?? 16,
    maxNumBatchedTokens: resolved.maxNumBatchedTokens ?? 8192,
    maxNumSeqs: resolved.maxNumSeqs ?? 256,
    ...(resolved.maxModelLen ? { contextLength: resolved.maxModelLen } : {}),
    expertLayout: engineExpertLayout(
      { id: target.engine, moeBackend: resolved.moeBackend },
      hardware,
      model,
      plan.weightDtype,
    ),
  };
  const utilization = budgetShare(target, model, hardware, plan, memory);
  const settings = { ...memory, gpuMemoryUtilization: utilization };
  const report = memoryReport(model, hardware, plan, settings);
  if (report.perGpu.weightBytes > report.perGpu.budgetBytes) {
    weightsDoNotFit(checking, target, model, hardware, plan, settings, report);
    return;
  }
  if (report.perReplica.kvBlocks === 0) {
    checking.push({
      severity: 'error',
      code: 'no-kv-memory',
      message: report.problems.join('; '),
      range: rangeOf(checking.block, 'gpuMemoryUtilization', 'tp'),
    });
    return;
  }
  if (report.perReplica.maxConcurrentSequences === 0) maxModelLenExceedsKv(checking, hardware, report);
  memoryUtilizationRisky(checking, target, { model, hardware, plan }, report);
}

function weightsDoNotFit(
  { block, push, fixFor }: BlockChecking,
  target: BlockTarget,
  model: ModelSpec,
  hardware: HardwareSpec,
  plan: Plan,
  settings: MemorySettings,
  report: MemoryReport,
): void {
  const g = report.perGpu;
  const fitTp = (plan.tp === target.tp ? [2, 4, 8, 16] : [])
    .map((f) => plan.tp * f)
    .find((tp) => {
      if (tp > scaleUpDomainOf(hardware) || planProblems(model, { ...plan, tp }).length > 0) return false;
      return memoryReport(model, hardware, { ...plan, tp }, settings).fits;
    });
  push({
    severity: 'error',
    code: 'weights-do-not-fit',
    message: `${model.name} weights need ${formatGiB(g.weightBytes)} per GPU at TP ${plan.tp}${plan.pp > 1 ? ` × PP ${plan.pp}` : ''}; ${hardware.name} allows ${formatGiB(g.budgetBytes)}`,
    range: rangeOf(block, 'tp', 'model'),
    ...(fitTp
      ? {
          fix: fixFor(`Use TP ${fitTp}`, {
            tp: fitTp,
            ...(target.settings.gpus !== undefined ? { gpus: fitTp * plan.pp * plan.dp } : {}),
          }),
        }
      : {}),
  });
}

function maxModelLenExceedsKv(
  { block, push, fixFor }: BlockChecking,
  hardware: HardwareSpec,
  report: MemoryReport,
): void {
  const fits = Math.floor(report.perReplica.kvCapacityTokens / 1024) * 1024;
  push({
    severity: 'error',
    code: 'max-model-len-exceeds-kv',
    message: `max-model-len ${report.settings.contextLength} does not fit in the KV cache (${report.perReplica.kvCapacityTokens.toLocaleString('en-US')} tokens per replica on ${hardware.name})`,
    range: rangeOf(block, 'maxModelLen', 'model'),
    ...(fits > 0 ? { fix: fixFor(`Set max-model-len to ${fits}`, { maxModelLen: fits }) } : {}),
  });
}

/**
 * What runs outside the budget: CUDA graphs (unless eager) and allocator slack. Estimates, not measured.
 * Only where the file sets a share of the whole GPU; the fix is in the engine's terms (SGLang's
 * `--mem-fraction-static` leaves the activations out).
 */
function memoryUtilizationRisky(
  { block, push, fixFor }: BlockChecking,
  target: BlockTarget,
  on: { model: ModelSpec; hardware: HardwareSpec; plan: Plan },
  report: MemoryReport,
): void {
  const { settings, resolved } = target;
  if (settings.gpuMemoryUtilization === undefined) return;
  if (ENGINES[target.engine].checks.kvBudget === 'share-of-free-memory') return;
  const g = report.perGpu;
  const outside = (resolved.enforceEager ? 0 : 1 * GiB) + 0.5 * GiB;
  const headroom = g.totalBytes - g.budgetBytes;
  if (headroom >= outside) return;
  const { gpuMemoryUtilization: _share, ...limits } = report.settings;
  const wholeSafe = (g.totalBytes - outside) / g.totalBytes;
  const setting = engineMemoryUtilizationOf({ engine: target.engine, ...on }, wholeSafe, limits) ?? wholeSafe;
  const safe = Math.floor(setting * 100) / 100;
  const name =
    knobById(target.engine, 'gpuMemoryUtilization')?.flag?.replace(/^--/, '') ?? 'gpu-memory-utilization';
  push({
    severity: 'warning',
    code: 'memory-utilization-risky',
    message: `${name} ${settings.gpuMemoryUtilization} leaves ${formatGiB(headroom)} of ${on.hardware.name} outside the engine's budget; CUDA graphs and allocator slack need about ${formatGiB(outside)}: start-up may run out of memory`,
    range: rangeOf(block, 'gpuMemoryUtilization'),
    fix: fixFor(`Set it to ${safe}`, { gpuMemoryUtilization: safe }),
  });
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
