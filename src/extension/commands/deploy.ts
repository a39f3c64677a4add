import * as vscode from 'vscode';
import { z } from 'zod';
import { DEPLOY_FORMATS, type DeployFile, type DeployFormat } from '../../engine/config/deploy/index.js';
import { searchedDeploymentFiles } from '../../engine/search/deployment-files.js';
import { describeEngineError } from '../engine.js';
import { lastFirst } from '../picks.js';
import type { Services } from '../services.js';
import {
  type ChartPointTarget,
  type ChosenConfiguration,
  chosenConfiguration,
} from './chosen-configuration.js';

/** What each platform's files are, in the words of docs/deployment-files.md. */
const FORMAT_DETAILS: Record<DeployFormat, string> = {
  kubernetes: 'a Deployment per server kind; a LeaderWorkerSet where one server spans nodes',
  compose: 'docker compose: a service per server kind on one machine',
  dynamo: 'NVIDIA Dynamo: a DynamoGraphDeployment with a frontend and a worker per server kind',
  kserve: 'KServe: an LLMInferenceService (vLLM) or an InferenceService running the engine',
  'production-stack': 'vLLM production-stack Helm values: a modelSpec per server kind',
  'llm-d': 'llm-d model service values: decode and prefill pools',
};

const DEFAULT_FOLDER = 'deploy';

/** A folder typed in: workspace-relative or absolute, one line. */
const FolderText = z
  .string()
  .trim()
  .min(1, 'A folder, relative to the workspace or absolute')
  .refine((text) => !/[\n\r\0]/.test(text), 'One line, without control characters');

async function pickFormat(services: Services): Promise<DeployFormat | undefined> {
  const last = services.store.choices().deployFormat;
  const items = DEPLOY_FORMATS.map((format) => ({ label: format, detail: FORMAT_DETAILS[format] }));
  const picked = await vscode.window.showQuickPick(
    lastFirst(items, (item) => item.label === last),
    {
      title: 'ServeTune: deployment platform',
      ignoreFocusOut: true,
      placeHolder: 'The files to write, as servetune search --emit <platform>',
    },
  );
  if (picked) await services.store.remember({ deployFormat: picked.label });
  return picked?.label;
}

function folderUri(text: string): vscode.Uri | undefined {
  if (text.startsWith('/') || /^[A-Za-z]:[\\/]/.test(text)) return vscode.Uri.file(text);
  const workspace = vscode.workspace.workspaceFolders?.[0];
  return workspace ? vscode.Uri.joinPath(workspace.uri, text) : undefined;
}

/** Why a folder cannot take the files: it is a file, or relative with no workspace open. */
async function folderProblem(text: string): Promise<string | undefined> {
  const parsed = FolderText.safeParse(text);
  if (!parsed.success) return parsed.error.issues[0]?.message;
  const uri = folderUri(parsed.data);
  if (!uri) return 'No workspace is open: give an absolute folder';
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type === vscode.FileType.File) return `${parsed.data} is a file, not a folder`;
  } catch {
    // Not there yet: it is created.
  }
  return undefined;
}

async function pickFolder(services: Services): Promise<vscode.Uri | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'ServeTune: folder for the deployment files',
    ignoreFocusOut: true,
    prompt: 'Relative to the workspace, or absolute; created where missing',
    value: services.store.choices().deployFolder ?? DEFAULT_FOLDER,
    validateInput: folderProblem,
  });
  if (text === undefined) return undefined;
  const folder = FolderText.parse(text);
  await services.store.remember({ deployFolder: folder });
  return folderUri(folder);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Writes the files, asking first where that replaces files already there; the URIs written. */
async function writeFiles(folder: vscode.Uri, files: DeployFile[]): Promise<vscode.Uri[] | undefined> {
  const uris = files.map((file) => vscode.Uri.joinPath(folder, file.path));
  const present = (await Promise.all(uris.map(exists))).filter(Boolean).length;
  if (present > 0) {
    const answer = await vscode.window.showWarningMessage(
      `ServeTune: ${present} of the ${files.length} files already exist in ${vscode.workspace.asRelativePath(folder)}. Replace them?`,
      { modal: true },
      'Replace',
    );
    if (answer !== 'Replace') return undefined;
  }
  await vscode.workspace.fs.createDirectory(folder);
  for (const [i, file] of files.entries())
    await vscode.workspace.fs.writeFile(uris[i]!, new TextEncoder().encode(file.text));
  return uris;
}

function filesOf(chosen: ChosenConfiguration, format: DeployFormat): DeployFile[] | string {
  try {
    return searchedDeploymentFiles(chosen.settings, chosen.hardware, format);
  } catch (error) {
    // The emitters refuse plans a platform cannot run (compose over several nodes…): say why.
    return describeEngineError(error);
  }
}

/**
 * Writes a searched configuration as deployment files for one platform, as `servetune search --emit`
 * does for the best: the one given (the Pareto panel), else the panel's selection, else the best of the
 * last search. Opens the first file written.
 */
export async function writeDeploymentCommand(services: Services, target?: ChartPointTarget): Promise<void> {
  const chosen = chosenConfiguration(services, target);
  if (typeof chosen === 'string') {
    void vscode.window.showInformationMessage(`ServeTune: ${chosen}`);
    return;
  }
  const format = await pickFormat(services);
  if (!format) return;
  const files = filesOf(chosen, format);
  if (typeof files === 'string') {
    void vscode.window.showErrorMessage(`ServeTune: ${format} cannot deploy ${chosen.label}: ${files}`);
    return;
  }
  const folder = await pickFolder(services);
  if (!folder) return;
  const written = await writeFiles(folder, files);
  if (!written) return;
  const names = written.map((uri) => vscode.workspace.asRelativePath(uri)).join(', ');
  services.log.info(`wrote the ${format} files of ${chosen.label}: ${names}`);
  if (written[0]) await vscode.window.showTextDocument(written[0], { preview: false });
  void vscode.window.showInformationMessage(
    `ServeTune: wrote the ${format} files of ${chosen.label}: ${names}.`,
  );
}
