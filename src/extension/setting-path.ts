import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * A folder or file a setting names, as the user meant it: `~/…` in their home folder (VS Code expands
 * no `~`), and a relative path in the workspace folder. Left relative, the engine worker would look for
 * it beside the editor's own process (its working folder, often `/` or the install folder) and report
 * a folder that is plainly in the workspace as missing.
 */
export function settingPath(raw: string, workspaceFolder: string | undefined, home = homedir()): string {
  // Blank stays blank: the setting is unset, not the workspace folder.
  const value = raw.trim();
  if (!value) return value;
  if (value === '~') return home;
  if (value.startsWith('~/') || value.startsWith('~\\')) return join(home, value.slice(2));
  if (isAbsolute(value) || workspaceFolder === undefined) return value;
  return join(workspaceFolder, value);
}
