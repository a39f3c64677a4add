import * as vscode from 'vscode';
import { validationChartModel } from '../../engine/chart/validation-chart.js';
import { TRANSPORT_ERROR_CODES } from '../../engine/protocol/worker.js';
import { VALIDATE_DEFAULTS } from '../../engine/validate/defaults.js';
import type { ValidationReport } from '../../engine/validate/report.js';
import { readSettings } from '../configuration.js';
import { describeEngineError, isCancellation } from '../engine.js';
import type { Services } from '../services.js';
import { saveJsonToStorage } from '../storage.js';
import { ValidationPanel } from '../views/validation-panel.js';
import { WorkerRequestError } from '../worker/client.js';

export interface ValidateArgs {
  quick?: boolean;
}

/** The file the last validation report is saved to, in the extension's global storage. */
const VALIDATION_REPORT_FILE = 'validation-report.json';

async function pickMode(requests: number | null): Promise<boolean | undefined> {
  const count = (quick: boolean) =>
    requests ?? (quick ? VALIDATE_DEFAULTS.quick.requests : VALIDATE_DEFAULTS.full.requests);
  const picked = await vscode.window.showQuickPick(
    [
      {
        label: 'Quick',
        description: `the ${VALIDATE_DEFAULTS.quick.preset} model, ${count(true)} requests (about two minutes)`,
        quick: true,
      },
      {
        label: 'Full',
        description: `the ${VALIDATE_DEFAULTS.full.preset} model, ${count(false)} requests (several minutes)`,
        quick: false,
      },
    ],
    { ignoreFocusOut: true, title: 'ServeTune: validate on this machine', placeHolder: 'How long a run' },
  );
  return picked?.quick;
}

/** What to say when the run failed: no adapter and a stopped worker get their own words. */
function failureMessage(error: unknown): string {
  const message = describeEngineError(error);
  if (error instanceof WorkerRequestError && error.code === 'no-gpu') {
    return `cannot validate on this machine: ${message}`;
  }
  if (error instanceof WorkerRequestError && error.code === TRANSPORT_ERROR_CODES.crashed) {
    return `the engine worker stopped during the validation (${message}). Nothing was stored; the last validation is unchanged.`;
  }
  return `validation failed: ${message}`;
}

/**
 * Validates the step model on this machine in the engine worker: profiles the local GPU, predicts a
 * workload on the local reference engine, serves it for real and compares. The report is kept whole as
 * JSON in the extension's storage, the run (its chart model) in the recent runs, and the panel shows
 * predicted against measured. A failed or cancelled run stores nothing.
 */
export async function validateCommand(services: Services, args: ValidateArgs = {}): Promise<void> {
  const requests = readSettings().validationRequests;
  const quick = args.quick ?? (await pickMode(requests));
  if (quick === undefined) return;
  let report: ValidationReport;
  try {
    report = await services.engine.run(
      'validate',
      { quick, ...(requests !== null ? { requests } : {}) },
      { title: `ServeTune: validating on this machine (${quick ? 'quick' : 'full'})` },
    );
  } catch (error) {
    if (isCancellation(error)) {
      services.log.info('validation cancelled: the engine worker stopped it; nothing was stored');
      void vscode.window.showInformationMessage('ServeTune: validation cancelled. Nothing was stored.');
      return;
    }
    const message = failureMessage(error);
    services.log.error(message);
    void vscode.window.showErrorMessage(`ServeTune: ${message}`, 'Show Log').then((choice) => {
      if (choice === 'Show Log') services.log.show(true);
    });
    return;
  }
  const model = validationChartModel(report);
  const file = await saveJsonToStorage(services, VALIDATION_REPORT_FILE, report, 'the validation report');
  await services.store.addRun({
    summary: {
      id: `validation-${report.createdAt}`,
      kind: 'validation',
      title: model.title,
      at: report.createdAt,
      best: null,
      hasChart: false,
    },
    report: { kind: 'validation', validation: model, file: file?.fsPath ?? null },
    chart: null,
  });
  ValidationPanel.show(services.extensionUri, model, services.log);
  services.log.info(
    `validation ${report.model} on ${report.machine.adapter}: ${model.headline}; target ${model.target.met ? 'met' : 'not met'} (${report.wallSeconds.toFixed(0)} s)${file ? `; saved to ${file.fsPath}` : ''}`,
  );
  const show = model.target.met ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  void show(
    `ServeTune: validated on this machine: ${model.headline} (target ±${(100 * model.target.maxRelativeError).toFixed(0)}%: ${model.target.met ? 'met' : 'not met'}).`,
  );
}

/** Opens the panel on the last validation (or the one with `runId`). */
export function showLastValidationCommand(services: Services, runId?: string): void {
  const run = runId
    ? services.store.run(runId)
    : services.store.runs().find((r) => r.report.kind === 'validation');
  if (run?.report.kind !== 'validation') {
    void vscode.window.showInformationMessage(
      'ServeTune: no validation yet. Run "ServeTune: Validate on This Machine" first.',
    );
    return;
  }
  ValidationPanel.show(services.extensionUri, run.report.validation, services.log);
}
