// Memory checks on a block whose model, GPU and plan are known: weights within the engine's budget, KV
// cache for one sequence at max-model-len, and room outside the budget for CUDA graphs and allocator slack.
import { type HardwareSpec, scaleUpDomainOf } from '../hardware/spec.js';
import { formatGiB, type MemoryReport, type MemorySettings, memoryReport } from '../memory/model.js';
import { type Plan, planProblems } from '../memory/plan.js';
import type { ModelSpec } from '../model/spec.js';
import { engineExpertLayout } from '../perf/expert-weight-layout.js';
import type { BlockTarget } from './block-target.js';
import { type BlockChecking, rangeOf } from './diagnostic.js';
import { ENGINES } from './engines/index.js';
import { knobById } from './knobs/index.js';
import { engineMemoryUtilizationOf, type MemoryLimits, wholeGpuShareOf } from './memory-share.js';

const GiB = 1024 ** 3;

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
export function memoryChecks(
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

/** Weights over the budget; the fix is the next TP (×2, ×4, …) that fits within the GPU's scale-up domain. */
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

/** Not one sequence of max-model-len fits the KV cache; the fix is the largest multiple of 1024 that does. */
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
