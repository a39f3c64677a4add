import * as vscode from 'vscode';
import type { Services } from './services.js';

/**
 * Writes `value` as JSON under ServeTune's own storage folder. A failure is logged and answered with
 * undefined: the result is still shown, only not kept.
 */
export async function saveJsonToStorage(
  services: Services,
  fileName: string,
  value: unknown,
  what: string,
): Promise<vscode.Uri | undefined> {
  try {
    await vscode.workspace.fs.createDirectory(services.storageUri);
    const file = vscode.Uri.joinPath(services.storageUri, fileName);
    await vscode.workspace.fs.writeFile(
      file,
      new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`),
    );
    return file;
  } catch (error) {
    services.log.warn(`could not save ${what}: ${(error as Error).message}`);
    return undefined;
  }
}
