import * as vscode from 'vscode';
import { readSettings } from '../configuration.js';
import { type MoeBackendChoice, moeBackendChoices } from '../moe-backend-choices.js';
import type { Services } from '../services.js';

interface ChoiceItem extends vscode.QuickPickItem {
  choice: MoeBackendChoice;
}

/**
 * "ServeTune: Choose MoE Backend…": the backends the settings' engine defines, each with how its launch
 * selects it and what it runs, written to `servetune.moeBackend` in the workspace (the user's settings
 * where no folder is open). Searches, capacity plans, simulations and the config lenses take it from there.
 */
export async function chooseMoeBackendCommand(services: Services): Promise<void> {
  const settings = readSettings();
  const engine = settings.engineFlavour;
  const choices = moeBackendChoices(engine, settings.moeBackend);
  if (choices.length === 0) {
    void vscode.window.showInformationMessage(
      `ServeTune: ${engine} has no measured MoE tables, so no MoE backend to choose: its experts are timed by the roofline. Choose another servetune.engineFlavour first.`,
    );
    return;
  }
  const items: ChoiceItem[] = choices.map((choice) => ({
    label: choice.label,
    description: choice.current ? `${choice.description} (current)` : choice.description,
    detail: choice.detail,
    choice,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `ServeTune: MoE backend for ${engine}`,
    placeHolder: `The kernel ${engine}'s launch runs the routed experts on (servetune.moeBackend)`,
    matchOnDescription: true,
    matchOnDetail: true,
    ignoreFocusOut: true,
  });
  if (!picked) return;
  const workspace = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  const target = workspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('servetune').update('moeBackend', picked.choice.value, target);
  const chosen = picked.choice.value || `${engine}'s default`;
  services.log.info(
    `MoE backend: ${chosen} (servetune.moeBackend, ${workspace ? 'workspace' : 'user'} settings)`,
  );
}
