import * as vscode from 'vscode';
import { capacityChartModel } from '../../engine/chart/capacity-chart.js';
import { HARDWARE_CATALOG } from '../../engine/hardware/catalog.js';
import type { CapacityPlan } from '../../engine/search/capacity.js';
import { readSettings } from '../configuration.js';
import { describeEngineError, isCancellation } from '../engine.js';
import { currentSlo, pickModel } from '../picks.js';
import { searchSettingsInput } from '../search-settings.js';
import type { Services } from '../services.js';
import { sloChoiceText, sloOfChoice } from '../slo.js';
import { pickWorkload } from '../workloads.js';

const DEFAULT_TYPES = ['h100-sxm', 'h200', 'b200', 'mi300x'];

async function pickHardwareTypes(): Promise<string[] | undefined> {
  const picked = await vscode.window.showQuickPick(
    HARDWARE_CATALOG.map((h) => ({
      label: h.id,
      description: h.name,
      detail: h.price
        ? `$${h.price.usdPerGpuHour.toFixed(2)}/GPU-hour (${h.price.offer}, ${h.price.asOf})`
        : 'no list price',
      picked: DEFAULT_TYPES.includes(h.id),
    })),
    { canPickMany: true, ignoreFocusOut: true, title: 'ServeTune: GPU types to compare' },
  );
  return picked && picked.length > 0 ? picked.map((p) => p.label) : undefined;
}

async function askGpuRangeAndRate(): Promise<{ min: number; max: number; rate: number } | undefined> {
  const range = await vscode.window.showInputBox({
    title: 'ServeTune: GPU counts to consider',
    ignoreFocusOut: true,
    prompt: 'min..max GPUs per deployment',
    value: '1..32',
    validateInput: (v) => (/^\s*[1-9]\d*\s*\.\.\s*[1-9]\d*\s*$/.test(v) ? undefined : 'e.g. 1..32'),
  });
  if (range === undefined) return undefined;
  const [min, max] = range.split('..').map((x) => Number(x.trim())) as [number, number];
  const rate = await vscode.window.showInputBox({
    title: 'ServeTune: traffic to serve',
    ignoreFocusOut: true,
    prompt: 'Requests per second the deployment must sustain within the SLO',
    value: '20',
    validateInput: (v) => (Number(v) > 0 ? undefined : 'A positive number of requests per second'),
  });
  if (rate === undefined) return undefined;
  return { min: Math.min(min, max), max: Math.max(min, max), rate: Number(rate) };
}

/**
 * Capacity planning in the engine worker: per GPU type, the cheapest deployment meeting the SLO at a
 * rate. Stores the run (the dashboard shows its rows) and opens the cost–latency chart.
 */
export async function planCapacityCommand(services: Services): Promise<void> {
  const model = await pickModel(services.store);
  if (!model) return;
  const hardware = await pickHardwareTypes();
  if (!hardware) return;
  const sizing = await askGpuRangeAndRate();
  if (!sizing) return;
  const workload = await pickWorkload(services.store, 'ServeTune: workload to plan for');
  if (!workload) return;
  const settings = readSettings();
  const slo = currentSlo(services.store);
  let plan: CapacityPlan;
  try {
    plan = await services.engine.run(
      'planCapacity',
      {
        model,
        hardware,
        minGpus: sizing.min,
        maxGpus: sizing.max,
        rate: sizing.rate,
        workload: workload.value,
        slo: sloOfChoice(slo, settings.slo),
        // With servetune.perfDb: the user's op tables time every GPU type they cover, as --perf-db.
        ...searchSettingsInput(settings),
      },
      { title: `ServeTune: sizing ${model} on ${hardware.join(', ')}` },
    );
  } catch (error) {
    if (isCancellation(error)) return;
    const message = describeEngineError(error);
    services.log.error(`capacity planning failed: ${message}`);
    void vscode.window.showErrorMessage(`ServeTune: ${message}`);
    return;
  }
  const chart = capacityChartModel(plan);
  const at = new Date().toISOString();
  const cheapest = plan.rows.find((r) => r.cheapest);
  await services.store.addRun({
    summary: {
      id: `capacity-${at}`,
      kind: 'capacity',
      title: `Capacity: ${plan.modelName} at ${plan.workload.rate.toFixed(2)} req/s`,
      at,
      best: cheapest?.plan ? `${cheapest.plan.gpus}× ${cheapest.hardware}, ${cheapest.plan.label}` : null,
      hasChart: chart.points.length > 0,
    },
    report: { kind: 'capacity', plan },
    chart,
  });
  if (chart.points.length > 0) services.showChart(chart);
  void vscode.window.showInformationMessage(
    cheapest?.plan
      ? `ServeTune: cheapest within ${sloChoiceText(slo, settings.slo)}: ${cheapest.plan.gpus}× ${cheapest.hardware} at $${cheapest.plan.cost?.usdPerHour.toFixed(2)}/hour.`
      : 'ServeTune: no priced GPU type meets the SLO at that rate within the GPU range; see the dashboard.',
  );
}
