import * as vscode from 'vscode';
import type { ChartModel } from '../../engine/protocol/webview.js';
import type { SearchConfiguration } from '../../engine/search/run.js';
import type { Services } from '../services.js';
import type { StoredRun } from '../state.js';
import { ParetoPanel } from '../views/pareto-panel.js';

/** A configuration whose engine settings can be applied: what a search emitted for it. */
export interface ApplySuggestion {
  label: string;
  engine: string;
  servers: NonNullable<SearchConfiguration['settings']>['servers'];
}

export interface ApplyTarget {
  model: ChartModel;
  pointId: string;
}

/** The stored search run a chart came from (charts are stored with their run). */
function runOf(services: Services, model: ChartModel): StoredRun | undefined {
  return services.store
    .runs()
    .find((r) => r.report.kind === 'search' && r.chart?.createdAt === model.createdAt);
}

function suggestionOf(services: Services, target: ApplyTarget): ApplySuggestion | string {
  const point = target.model.points.find((p) => p.id === target.pointId);
  if (!point) return 'the selected configuration is not in the chart any more.';
  if (target.model.kind !== 'search') {
    return `${point.label} comes from a memory report, which has no engine settings to apply: run "ServeTune: Search Parallel Plans…" first.`;
  }
  const run = runOf(services, target.model);
  const configuration =
    run?.report.kind === 'search'
      ? run.report.result.configurations.find((c) => c.id === point.id)
      : undefined;
  if (!configuration?.settings) {
    return `${point.label} has no engine settings: only the Pareto fronts' members and the best carry them.`;
  }
  return {
    label: configuration.label,
    engine: configuration.settings.engine,
    servers: configuration.settings.servers,
  };
}

/** Where the settings go today: the clipboard, with where to paste them. */
async function applySuggestion(services: Services, suggestion: ApplySuggestion): Promise<void> {
  const text = suggestion.servers
    .map((server) =>
      suggestion.servers.length > 1
        ? `# ${server.role}: ${server.replicas} × ${server.gpusPerServer} GPU\n${server.commandLine}`
        : server.commandLine,
    )
    .join('\n\n');
  await vscode.env.clipboard.writeText(`${text}\n`);
  const replicas = suggestion.servers
    .map(
      (s) =>
        `${s.replicas} ${s.role === 'server' ? 'server' : s.role}${s.replicas > 1 ? 's' : ''} of ${s.gpusPerServer} GPU${s.gpusPerServer > 1 ? 's' : ''}`,
    )
    .join(' and ');
  services.log.info(`copied the ${suggestion.engine} command for ${suggestion.label}`);
  void vscode.window.showInformationMessage(
    `ServeTune: copied the ${suggestion.engine} command for ${suggestion.label}. Paste it where your server starts (a launch script, or the container command of your Kubernetes Deployment, Compose service or Helm values) and run ${replicas}.`,
  );
}

/**
 * Applies the engine settings of a configuration: the one given (the Pareto panel's Apply), else the
 * panel's selection, else the best of the last search.
 */
export async function applySettingsCommand(services: Services, target?: ApplyTarget): Promise<void> {
  let resolved = target;
  if (!resolved && ParetoPanel.active?.model.kind === 'search') {
    const panel = ParetoPanel.active;
    const pointId = panel.selectedId ?? panel.model.bestId;
    if (pointId) resolved = { model: panel.model, pointId };
  }
  if (!resolved) {
    const run = services.store.runs().find((r) => r.report.kind === 'search' && r.chart?.bestId);
    if (run?.chart?.bestId) resolved = { model: run.chart, pointId: run.chart.bestId };
  }
  if (!resolved) {
    void vscode.window.showInformationMessage(
      'ServeTune: no suggested settings yet. Run "ServeTune: Search Parallel Plans…" first.',
    );
    return;
  }
  const suggestion = suggestionOf(services, resolved);
  if (typeof suggestion === 'string') {
    void vscode.window.showInformationMessage(`ServeTune: ${suggestion}`);
    return;
  }
  await applySuggestion(services, suggestion);
}
