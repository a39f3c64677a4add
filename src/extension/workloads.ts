import * as vscode from 'vscode';
import type { ImportTraceResult } from '../engine/protocol/methods.js';
import { parseWorkloadMix } from '../engine/workload/spec.js';
import type { WorkloadSummary } from '../engine/workload/summary.js';
import type { Store, WorkloadChoice } from './state.js';

/** Built-in synthetic workloads (spec strings of the engine's workload grammar). */
const WORKLOAD_PRESETS: readonly { label: string; detail: string; spec: string }[] = [
  {
    label: 'Chat',
    detail: 'Poisson 4 req/s, prompts ~1k tokens, answers ~256 tokens, 1,000 requests',
    spec: 'poisson:rate=4,n=1000,prompt=lognormal(1024,0.8),output=lognormal(256,0.6)',
  },
  {
    label: 'Long prompts (RAG, summarization)',
    detail: 'Poisson 1 req/s, prompts ~6k tokens, answers ~200 tokens, 500 requests',
    spec: 'poisson:rate=1,n=500,prompt=lognormal(6000,0.5),output=lognormal(200,0.5)',
  },
  {
    label: 'Code completion',
    detail: 'Bursty (gamma, cv 2) 8 req/s, prompts ~1.5k tokens, completions ~64 tokens, 1,000 requests',
    spec: 'gamma:rate=8,cv=2,n=1000,prompt=lognormal(1500,0.7),output=lognormal(64,0.6)',
  },
  {
    label: 'Quick check',
    detail: 'Poisson 4 req/s, prompts ~512 tokens, answers ~128 tokens, 200 requests',
    spec: 'poisson:rate=4,n=200,prompt=lognormal(512,0.6),output=lognormal(128,0.5)',
  },
];

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** "8,819 requests over 57.3 min (2.57 req/s); prompt p50 1,930 / p99 …; output …" */
export function describeWorkloadSummary(summary: WorkloadSummary): string {
  const rate = summary.ratePerSecond === null ? 'all at once' : `${summary.ratePerSecond.toFixed(2)} req/s`;
  const p = summary.promptTokens;
  const o = summary.outputTokens;
  return (
    `${count(summary.requests)} requests over ${duration(summary.durationSeconds)} (${rate}); ` +
    `prompt tokens p50 ${count(Math.round(p.p50))}, p90 ${count(Math.round(p.p90))}, p99 ${count(Math.round(p.p99))}; ` +
    `output tokens p50 ${count(Math.round(o.p50))}, p90 ${count(Math.round(o.p90))}, p99 ${count(Math.round(o.p99))}`
  );
}

export function traceLabel(trace: ImportTraceResult): string {
  return `${vscode.workspace.asRelativePath(trace.file)} (${trace.format} trace)`;
}

/** The dashboard's line for the workload runs will use. */
export function workloadText(store: Store): string | null {
  const choice = store.choices().workload;
  const trace = store.trace();
  if (choice?.kind === 'trace' && trace && choice.value === trace.file) {
    return `${traceLabel(trace)}: ${describeWorkloadSummary(trace.summary)}`;
  }
  if (choice?.kind === 'preset') {
    const preset = WORKLOAD_PRESETS.find((p) => p.spec === choice.value);
    return `${choice.label} (built-in): ${preset?.detail ?? choice.value}`;
  }
  if (choice) return choice.kind === 'trace' ? `${choice.label} (trace)` : `${choice.label}: ${choice.value}`;
  return trace ? `${traceLabel(trace)}: ${describeWorkloadSummary(trace.summary)}` : null;
}

interface WorkloadItem extends vscode.QuickPickItem {
  choice?: WorkloadChoice;
  action?: 'spec' | 'browse';
}

function specProblem(text: string): string | undefined {
  try {
    parseWorkloadMix(text.trim());
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The workload a run uses: the workspace's imported trace, a built-in spec, a spec typed in, or a trace
 * file. The last choice comes first and is remembered.
 */
export async function pickWorkload(store: Store, title: string): Promise<WorkloadChoice | undefined> {
  const last = store.choices().workload;
  const trace = store.trace();
  const items: WorkloadItem[] = [];
  if (trace) {
    items.push({
      label: `$(file) ${vscode.workspace.asRelativePath(trace.file)}`,
      description: 'imported trace',
      detail: describeWorkloadSummary(trace.summary),
      choice: { kind: 'trace', value: trace.file, label: traceLabel(trace) },
    });
  }
  for (const preset of WORKLOAD_PRESETS) {
    items.push({
      label: preset.label,
      description: 'built-in',
      detail: preset.detail,
      choice: { kind: 'preset', value: preset.spec, label: preset.label },
    });
  }
  if (last?.kind === 'spec' || (last?.kind === 'trace' && last.value !== trace?.file)) {
    items.unshift({ label: last.label, description: '(last used)', detail: last.value, choice: last });
  } else if (last) {
    const index = items.findIndex((i) => i.choice?.value === last.value);
    if (index > 0) items.unshift(...items.splice(index, 1));
    if (index >= 0)
      items[0] = { ...items[0]!, description: `${items[0]!.description ?? ''} (last used)`.trim() };
  }
  items.push(
    { label: 'Enter a workload spec…', action: 'spec', alwaysShow: true },
    { label: 'Browse for a trace file…', action: 'browse', alwaysShow: true },
  );
  const picked = await vscode.window.showQuickPick(items, {
    title,
    ignoreFocusOut: true,
    placeHolder: 'The traffic to serve: a trace or a synthetic workload',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  let choice = picked.choice;
  if (picked.action === 'spec') {
    const spec = await vscode.window.showInputBox({
      title: 'ServeTune: workload spec',
      ignoreFocusOut: true,
      prompt: '<poisson|gamma|constant>:rate=R[,cv=C][,n=N|,duration=S][,prompt=DIST][,output=DIST]',
      value: last?.kind === 'spec' ? last.value : (WORKLOAD_PRESETS[0]?.spec ?? ''),
      validateInput: specProblem,
    });
    if (spec === undefined) return undefined;
    choice = { kind: 'spec', value: spec.trim(), label: 'Custom spec' };
  } else if (picked.action === 'browse') {
    const files = await vscode.window.showOpenDialog({
      title: 'Workload trace (Azure or BurstGPT CSV, Mooncake or request-list JSONL)',
      canSelectMany: false,
      filters: { Traces: ['csv', 'jsonl', 'json'], 'All files': ['*'] },
    });
    const file = files?.[0]?.fsPath;
    if (!file) return undefined;
    choice = { kind: 'trace', value: file, label: vscode.workspace.asRelativePath(file) };
  }
  if (choice) await store.remember({ workload: choice });
  return choice;
}
