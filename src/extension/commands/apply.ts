import * as vscode from 'vscode';
import type { Services } from '../services.js';
import {
  type ChartPointTarget,
  type ChosenConfiguration,
  chosenConfiguration,
} from './chosen-configuration.js';

export type ApplyTarget = ChartPointTarget;

/** Where the settings go today: the clipboard, with where to paste them. */
async function applySuggestion(services: Services, chosen: ChosenConfiguration): Promise<void> {
  const suggestion = {
    label: chosen.label,
    engine: chosen.settings.engine,
    servers: chosen.settings.servers,
  };
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
  const chosen = chosenConfiguration(services, target);
  if (typeof chosen === 'string') {
    void vscode.window.showInformationMessage(`ServeTune: ${chosen}`);
    return;
  }
  await applySuggestion(services, chosen);
}
