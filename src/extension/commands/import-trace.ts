import * as vscode from 'vscode';
import type { ImportTraceResult } from '../../engine/protocol/methods.js';
import { describeEngineError } from '../engine.js';
import type { Services } from '../services.js';
import { describeWorkloadSummary, traceLabel } from '../workloads.js';

/**
 * Reads a request trace in the engine (every line validated), and on success makes it the workspace's
 * workload. A malformed trace is reported with its file, line and field, and nothing is changed.
 */
export async function importTraceCommand(services: Services, target?: vscode.Uri | string): Promise<void> {
  let file = typeof target === 'string' ? target : target?.fsPath;
  if (!file) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Import a workload trace (Azure or BurstGPT CSV, Mooncake or request-list JSONL)',
      canSelectMany: false,
      openLabel: 'Import',
      filters: { Traces: ['csv', 'jsonl', 'json'], 'All files': ['*'] },
    });
    file = picked?.[0]?.fsPath;
  }
  if (!file) return;
  let trace: ImportTraceResult;
  try {
    trace = await services.engine.run('importTrace', { file }, { title: 'ServeTune: reading the trace' });
  } catch (error) {
    const message = describeEngineError(error);
    services.log.error(`trace import failed: ${message}`);
    // The engine names the file by its full path; inside the workspace a relative one reads better.
    const shown = message.replaceAll(file, vscode.workspace.asRelativePath(file));
    void vscode.window.showErrorMessage(`ServeTune: cannot import the trace: ${shown}`);
    return;
  }
  await services.store.setTrace(trace);
  await services.store.remember({ workload: { kind: 'trace', value: trace.file, label: traceLabel(trace) } });
  const summary = describeWorkloadSummary(trace.summary);
  services.log.info(`imported ${trace.format} trace ${trace.file}: ${summary}`);
  void vscode.window.showInformationMessage(
    `ServeTune: imported ${traceLabel(trace)} as the workspace workload: ${summary}.`,
  );
}
