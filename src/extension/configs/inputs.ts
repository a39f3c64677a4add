import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { MoeBackend } from '../../engine/perf/moe-backend.js';
import type { Slo } from '../../engine/search/schema.js';
import { findWorkspaceConfig, sloFromWorkspace, workloadFromWorkspace } from '../../engine/tune/inputs.js';
import { looksLikeWorkloadSpec } from '../../engine/workload/spec.js';
import { readSettings } from '../configuration.js';
import { calibrationInput, perfDbInput } from '../search-settings.js';
import { settingPath } from '../setting-path.js';
import { configFileSlo } from '../slo-definition.js';

/** What a config file is predicted and tuned against: from the nearest servetune.json, else the settings. */
export interface WorkspaceInputs {
  workload?: string;
  rate?: number;
  slo: Slo;
  /** servetune.json's GPU: overrides what files say, like `servetune check`. */
  hardware?: string;
  /** The settings' default GPU: only where the file names none. */
  hardwareFallback: string;
  sampleRequests: number;
  /** The user's op database folder (the `servetune.perfDb` setting), where set. */
  perfDb?: string;
  /** The saved calibration file (the `servetune.calibration` setting), where set: simulations only. */
  calibration?: string;
  /** The `servetune.moeBackend` setting, where set (applied to blocks whose engine has it). */
  moeBackend?: MoeBackend;
  /** The `servetune.nvfp4Dispatch` setting, where on (applied to SGLang blocks). */
  nvfp4Dispatch?: true;
  /** Where the inputs came from, for messages. */
  source: string;
}

/** The `servetune.workload` setting: a spec as written, a trace file as settingPath resolves it. */
function settingWorkload(value: string | undefined, folder: string | undefined): string | undefined {
  if (!value) return undefined;
  return looksLikeWorkloadSpec(value) ? value : settingPath(value, folder);
}

export function workspaceInputs(document: vscode.TextDocument): WorkspaceInputs {
  const settings = readSettings();
  const config = vscode.workspace.getConfiguration('servetune');
  const folder = vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath;
  const found = findWorkspaceConfig(dirname(document.uri.fsPath), folder);
  const fromFile = found ? workloadFromWorkspace(found.config, found.path) : undefined;
  const sloFromFile = found ? sloFromWorkspace(found.config, found.path) : undefined;
  const workloadSetting = config.get<string>('workload')?.trim();
  const sampleRequests = config.get<number>('sampleRequests');
  return {
    workload: fromFile?.workload ?? settingWorkload(workloadSetting, folder),
    rate: fromFile?.rate,
    slo: configFileSlo(sloFromFile, settings.slo),
    hardware: found?.config.hardware,
    hardwareFallback: settings.hardware,
    sampleRequests: Number.isInteger(sampleRequests) && sampleRequests! > 0 ? sampleRequests! : 1000,
    ...perfDbInput(settings),
    ...calibrationInput(settings),
    ...(settings.moeBackend ? { moeBackend: settings.moeBackend } : {}),
    ...(settings.nvfp4Dispatch ? { nvfp4Dispatch: true as const } : {}),
    source: found ? vscode.workspace.asRelativePath(found.path) : 'settings',
  };
}
