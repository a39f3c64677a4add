import * as vscode from 'vscode';
import { plansChartModel } from '../../engine/chart/plans-chart.js';
import { readSettings } from '../configuration.js';
import { describeEngineError } from '../engine.js';
import { plansEngineInput } from '../engine-settings.js';
import { pickGpuCount, pickHardware, pickModel } from '../picks.js';
import { plansMarkdown } from '../reports.js';
import type { Services } from '../services.js';

export interface MemoryReportArgs {
  model?: string;
  hardware?: string;
  gpus?: number;
}

/**
 * Which TP × PP × DP layouts fit the model on the GPUs, with their memory split: the report opens as
 * Markdown, is kept as the last run, and offers its memory trade-off chart.
 */
export async function memoryReportCommand(services: Services, args: MemoryReportArgs = {}): Promise<void> {
  const model = args.model ?? (await pickModel(services.store));
  if (!model) return;
  const hardware = args.hardware ?? (await pickHardware(services.store));
  if (!hardware) return;
  const gpus = args.gpus ?? (await pickGpuCount(services.store));
  if (!gpus) return;

  let report: Awaited<ReturnType<typeof services.engine.run<'plans'>>>;
  try {
    report = await services.engine.run(
      'plans',
      { model, hardware, gpus, ...plansEngineInput(readSettings()) },
      { title: 'ServeTune: memory report' },
    );
  } catch (error) {
    const message = describeEngineError(error);
    services.log.error(`memory report for ${model} on ${gpus}× ${hardware} failed: ${message}`);
    void vscode.window.showErrorMessage(`ServeTune: ${message}`);
    return;
  }
  const at = new Date().toISOString();
  const chart = plansChartModel(report, at);
  const fitting = report.plans.filter((p) => p.fits).length;
  await services.store.addRun({
    summary: {
      id: `memory-${at}`,
      kind: 'memory',
      title: `Memory: ${report.model} on ${report.gpus}× ${report.hardware}`,
      at,
      best: chart.bestId,
      hasChart: chart.points.length > 0,
    },
    report: { kind: 'memory', plans: report },
    chart,
  });
  services.log.info(
    `memory report: ${report.model} on ${report.gpus}× ${report.hardware}: ${fitting} of ${report.plans.length} layouts fit` +
      (chart.bestId ? `, most concurrent sequences with ${chart.bestId}` : ''),
  );
  const document = await vscode.workspace.openTextDocument({
    language: 'markdown',
    content: plansMarkdown(report, chart),
  });
  await vscode.window.showTextDocument(document, { preview: false });
  const summary = `ServeTune: ${fitting} of ${report.plans.length} layouts of ${report.model} fit on ${report.gpus}× ${report.hardware}.`;
  if (chart.points.length === 0) {
    void vscode.window.showWarningMessage(summary);
    return;
  }
  void vscode.window.showInformationMessage(summary, 'Open Chart').then((choice) => {
    if (choice === 'Open Chart') services.showChart(chart);
  });
}
