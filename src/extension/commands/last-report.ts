import * as vscode from 'vscode';
import { runMarkdown } from '../reports.js';
import type { Services } from '../services.js';

export async function showLastReportCommand(services: Services, runId?: string): Promise<void> {
  const run = runId ? services.store.run(runId) : services.store.lastRun();
  if (!run) {
    void vscode.window.showInformationMessage(
      'ServeTune: no report yet. Run "ServeTune: Memory and Plan Report…" first.',
    );
    return;
  }
  const document = await vscode.workspace.openTextDocument({
    language: 'markdown',
    content: runMarkdown(run),
  });
  await vscode.window.showTextDocument(document, { preview: false });
}

export function showLastChartCommand(services: Services, runId?: string): void {
  const run = runId ? services.store.run(runId) : services.store.runs().find((r) => r.chart);
  if (!run?.chart) {
    void vscode.window.showInformationMessage('ServeTune: no chart yet. Run a memory report first.');
    return;
  }
  services.showChart(run.chart);
}
