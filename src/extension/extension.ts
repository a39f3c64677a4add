import * as vscode from 'vscode';
import type { ChartModel, DashboardState } from '../engine/protocol/webview.js';
import { capacityDashboard } from './capacity-report.js';
import { applySettingsCommand } from './commands/apply.js';
import { COMMAND_IDS, registerCommands } from './commands/register.js';
import { registerConfigFeatures } from './configs/register.js';
import { readSettings } from './configuration.js';
import { Engine } from './engine.js';
import { chartEngineOfSettings } from './engine-settings.js';
import { workloadLine } from './load.js';
import type { Services } from './services.js';
import { sloChoiceText } from './slo.js';
import { Store } from './state.js';
import { StatusBar } from './status-bar.js';
import { DASHBOARD_VIEW_ID, DashboardViewProvider } from './views/dashboard-view.js';
import { PARETO_VIEW_TYPE, ParetoPanel } from './views/pareto-panel.js';
import { VALIDATION_VIEW_TYPE, ValidationPanel } from './views/validation-panel.js';
import { findNode } from './worker/find-node.js';
import { WorkerManager, type WorkerState } from './worker/manager.js';
import { workloadText } from './workloads.js';

let worker: WorkerManager | undefined;

function engineStatus(state: WorkerState): DashboardState['engine'] {
  switch (state.kind) {
    case 'ready':
      return { status: 'ready', detail: `Node ${state.nodeVersion}, pid ${state.pid}` };
    case 'unavailable':
    case 'crashed':
      return { status: state.kind, detail: state.message };
    default:
      return { status: state.kind, detail: '' };
  }
}

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('ServeTune', { log: true });
  const store = new Store(context.workspaceState, context.globalState);
  const status = new StatusBar(store);
  let dashboard: DashboardViewProvider | undefined;

  // Electron's extension host cannot run WebGPU (its V8 cage rejects Dawn's mapped buffers), so the
  // editor's own binary is a fallback only where it is plain Node (code-server, remote hosts).
  const editorNode = process.versions.electron ? undefined : process.execPath;
  worker = new WorkerManager({
    workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.mjs').fsPath,
    findNode: () =>
      findNode({
        configuredPath: readSettings().nodePath,
        searchPath: process.env.PATH,
        platform: process.platform,
        editorNode,
      }),
    log: (level, message) => log[level](message),
    onStateChange: (state) => {
      status.setWorker(state);
      dashboard?.refresh();
    },
    onCrash: (exit, restarting) => {
      const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
      void vscode.window
        .showErrorMessage(
          `ServeTune: the engine worker stopped unexpectedly (${how}). ${restarting ? 'It was restarted.' : 'It crashed repeatedly and was not restarted; run "ServeTune: Restart Engine Worker".'}`,
          'Show Log',
        )
        .then((choice) => {
          if (choice === 'Show Log') log.show(true);
        });
    },
  });
  const engine = new Engine(worker, log);

  const services: Services = {
    extensionUri: context.extensionUri,
    storageUri: context.globalStorageUri,
    log,
    store,
    engine,
    worker,
    showChart: (model: ChartModel, selectedId?: string) =>
      ParetoPanel.show(context.extensionUri, model, paretoActions, selectedId),
  };
  const paretoActions = {
    log,
    apply: (model: ChartModel, pointId: string) => void applySettingsCommand(services, { model, pointId }),
  };

  const lastValidation = (): DashboardState['validation'] => {
    const run = store.runs().find((r) => r.report.kind === 'validation');
    if (run?.report.kind !== 'validation') return null;
    const model = run.report.validation;
    return {
      runId: run.summary.id,
      at: run.summary.at,
      headline: model.headline,
      met: model.target.met,
      maxRelativeError: model.target.maxRelativeError,
    };
  };
  const lastCapacity = (): DashboardState['capacity'] => {
    const run = store.runs().find((r) => r.report.kind === 'capacity');
    return run?.report.kind === 'capacity' ? capacityDashboard(run.report.plan, run.summary.id) : null;
  };
  const dashboardState = (): DashboardState => {
    const settings = readSettings();
    const choices = store.choices();
    const device = store.device();
    const action = (command: string, label: string) => ({ command, label });
    return {
      device: device ? { kind: 'found', summary: device } : { kind: 'unknown' },
      engine: engineStatus(worker!.state),
      defaults: {
        model: choices.model ?? (settings.model || null),
        hardware: choices.hardware ?? settings.hardware,
        gpus: choices.gpus ?? settings.gpuCount,
        engineFlavour: settings.engineFlavour,
        engine: chartEngineOfSettings(settings),
      },
      // The workload and how Simulate and Search send it ("…; closed loop, 8 clients").
      workload: workloadLine(workloadText(store), choices.load),
      slo: { ...(choices.slo ?? settings.slo), words: sloChoiceText(choices.slo ?? settings.slo) },
      // A run's chart names the engine that timed it: the dashboard shows the same line.
      runs: store.runs().map((r) => (r.chart?.engine ? { ...r.summary, engine: r.chart.engine } : r.summary)),
      actions: [
        action('servetune.memoryReport', 'Memory report'),
        action('servetune.detectDevice', 'Detect GPU'),
        action('servetune.profileGpu', 'Profile GPU'),
        action('servetune.simulate', 'Simulate'),
        action('servetune.search', 'Search plans'),
        action('servetune.planCapacity', 'Plan capacity'),
        action('servetune.importTrace', 'Import trace'),
        action('servetune.setSlo', 'Set SLOs'),
        action('servetune.validate', 'Validate on this machine'),
      ],
      validation: lastValidation(),
      capacity: lastCapacity(),
    };
  };
  dashboard = new DashboardViewProvider(context.extensionUri, dashboardState, new Set(COMMAND_IDS), log);
  store.onDidChange(() => {
    status.render();
    dashboard?.refresh();
  });

  context.subscriptions.push(
    log,
    status,
    vscode.window.registerWebviewViewProvider(DASHBOARD_VIEW_ID, dashboard),
    vscode.window.registerWebviewPanelSerializer(PARETO_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, saved) => {
        ParetoPanel.revive(panel, context.extensionUri, saved, paretoActions);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(VALIDATION_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, saved) => {
        ValidationPanel.revive(panel, context.extensionUri, saved, log);
      },
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('servetune')) dashboard?.refresh();
      if (event.affectsConfiguration('servetune.nodePath')) void worker?.restart().catch(() => {});
      // A calibration times every simulation from now on; the log says which (nothing else on screen does).
      if (event.affectsConfiguration('servetune.calibration'))
        log.info(`calibration setting: ${readSettings().calibration || '(none: the GPU class defaults)'}`);
    }),
    ...registerCommands(services),
    ...registerConfigFeatures(services),
  );
  log.info(
    `ServeTune activated (${vscode.env.appName} ${vscode.version}, ${process.platform}-${process.arch})`,
  );
  // Start the worker in the background so the first command does not wait, and say once if it cannot.
  worker.start().catch((error: Error) => {
    log.warn(error.message);
    void vscode.window.showWarningMessage(error.message, 'Open Settings').then((choice) => {
      if (choice === 'Open Settings')
        void vscode.commands.executeCommand('workbench.action.openSettings', 'servetune.nodePath');
    });
  });
}

export async function deactivate(): Promise<void> {
  await worker?.dispose();
  worker = undefined;
}
