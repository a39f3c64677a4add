import * as vscode from 'vscode';
import { HARDWARE_CATALOG } from '../engine/hardware/catalog.js';
import { MODEL_CATALOG } from '../engine/model/catalog.js';
import { readSettings } from './configuration.js';
import { targetSeconds, tbtInputProblem } from './slo-definition.js';
import type { Choices, Store } from './state.js';

// Quick picks for the inputs every run needs. Each offers the last answer first and remembers the new
// one; cancelling any step returns undefined and the command stops without side effects.

interface ModelItem extends vscode.QuickPickItem {
  reference?: string;
  browse?: boolean;
}

/** The items with the last answer first, marked "(last used)". */
export function lastFirst<T extends vscode.QuickPickItem>(items: T[], isLast: (item: T) => boolean): T[] {
  const last = items.filter(isLast);
  if (last.length === 0) return items;
  return [
    ...last.map((item) => ({ ...item, description: `${item.description ?? ''} (last used)`.trim() })),
    ...items.filter((i) => !isLast(i)),
  ];
}

export async function pickModel(store: Store): Promise<string | undefined> {
  const last = store.choices().model ?? (readSettings().model || undefined);
  const configs = await vscode.workspace.findFiles('**/config.json', '**/node_modules/**', 50);
  const items: ModelItem[] = [
    ...MODEL_CATALOG.map((m) => ({ label: m.id, description: m.name, reference: m.id })),
    ...configs.map((uri) => ({
      label: vscode.workspace.asRelativePath(uri),
      description: 'Hugging Face config in this workspace',
      reference: uri.fsPath,
    })),
  ];
  const ordered: ModelItem[] = [
    ...lastFirst(items, (item) => item.reference === last),
    { label: 'Browse for a config.json…', browse: true, alwaysShow: true },
  ];
  const picked = await vscode.window.showQuickPick(ordered, {
    title: 'ServeTune: model',
    ignoreFocusOut: true,
    placeHolder: 'A catalog model or a Hugging Face config.json',
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  let reference = picked.reference;
  if (picked.browse) {
    const files = await vscode.window.showOpenDialog({
      title: 'Hugging Face config.json',
      canSelectMany: false,
      filters: { 'Model config': ['json'] },
    });
    reference = files?.[0]?.fsPath;
  }
  if (reference) await store.remember({ model: reference });
  return reference;
}

export async function pickHardware(store: Store): Promise<string | undefined> {
  const last = store.choices().hardware ?? readSettings().hardware;
  const items = HARDWARE_CATALOG.map((h) => ({
    label: h.id,
    description: h.name,
    detail: `${(h.memoryBytes / 1e9).toFixed(0)} GB, ${(h.memoryBandwidth / 1e12).toFixed(2)} TB/s, ${h.gpusPerNode} per node`,
  }));
  const picked = await vscode.window.showQuickPick(
    lastFirst(items, (item) => item.label === last),
    { ignoreFocusOut: true, title: 'ServeTune: GPU', placeHolder: 'GPU model', matchOnDescription: true },
  );
  if (picked) await store.remember({ hardware: picked.label });
  return picked?.label;
}

export async function pickGpuCount(store: Store): Promise<number | undefined> {
  const last = store.choices().gpus ?? readSettings().gpuCount;
  const text = await vscode.window.showInputBox({
    title: 'ServeTune: number of GPUs',
    ignoreFocusOut: true,
    prompt: 'Number of GPUs for the deployment',
    value: String(last),
    validateInput: (value) => (/^[1-9]\d{0,4}$/.test(value.trim()) ? undefined : 'A positive whole number'),
  });
  if (text === undefined) return undefined;
  const gpus = Number(text.trim());
  await store.remember({ gpus });
  return gpus;
}

/** Model, GPU and GPU count, asked in that order; undefined as soon as one is dismissed. */
export async function pickCluster(
  store: Store,
): Promise<{ model: string; hardware: string; gpus: number } | undefined> {
  const model = await pickModel(store);
  if (!model) return undefined;
  const hardware = await pickHardware(store);
  if (!hardware) return undefined;
  const gpus = await pickGpuCount(store);
  if (!gpus) return undefined;
  return { model, hardware, gpus };
}

/** The latency targets as the editor keeps them (settings, last choice): ttftSeconds, tbtSeconds, a percentile. */
export type SloChoice = NonNullable<Choices['slo']>;

export function currentSlo(store: Store): SloChoice {
  return store.choices().slo ?? readSettings().slo;
}

export async function pickSlo(store: Store): Promise<SloChoice | undefined> {
  const current = currentSlo(store);
  const percentile = await vscode.window.showQuickPick(
    ['p50', 'p90', 'p99'].map((p) => ({
      label: p,
      description: p === current.percentile ? '(current)' : '',
    })),
    {
      ignoreFocusOut: true,
      title: 'ServeTune: latency targets (1/3)',
      placeHolder: 'Percentile the targets apply to',
    },
  );
  if (!percentile) return undefined;
  const ttft = await vscode.window.showInputBox({
    title: 'ServeTune: latency targets (2/3)',
    ignoreFocusOut: true,
    prompt: `Time to first token at ${percentile.label}, in seconds (blank: no TTFT target)`,
    value: current.ttftSeconds === null ? '' : String(current.ttftSeconds),
    validateInput: (v) =>
      targetSeconds(v, 1) === undefined
        ? 'A positive number of seconds, or blank for no TTFT target'
        : undefined,
  });
  if (ttft === undefined) return undefined;
  const ttftSeconds = targetSeconds(ttft, 1) ?? null;
  const tbt = await vscode.window.showInputBox({
    title: 'ServeTune: latency targets (3/3)',
    ignoreFocusOut: true,
    prompt: `Time between tokens at ${percentile.label}, in milliseconds (blank: no TBT target)`,
    value: current.tbtSeconds === null ? '' : String(current.tbtSeconds * 1000),
    validateInput: (v) => tbtInputProblem(v, ttftSeconds),
  });
  if (tbt === undefined) return undefined;
  const slo: SloChoice = {
    percentile: percentile.label as SloChoice['percentile'],
    ttftSeconds,
    tbtSeconds: targetSeconds(tbt, 1000) ?? null,
  };
  await store.remember({ slo });
  return slo;
}
