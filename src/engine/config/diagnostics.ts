// Every diagnostic on a serving config file: each block's checks in order, then those across its blocks.
import { planEdits } from './apply.js';
import type { ConfigFileReport, ServingBlock } from './block.js';
import { resolveTarget } from './block-target.js';
import { memoryChecks } from './diagnose-memory.js';
import { gpusAgainstPlan, hardwareUnknown, modelNamed, planOf } from './diagnose-plan.js';
import { chartInjectedFlags, misspeltFlags, readingProblems, repeatedSettings } from './diagnose-reading.js';
import { stepBudgetAgainstLimits } from './diagnose-step-budget.js';
import type { BlockChecking, DiagnoseContext, Diagnostic } from './diagnostic.js';

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
