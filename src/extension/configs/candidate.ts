import { basename } from 'node:path';
import { mayBeKubernetesJson } from '../../engine/config/read.js';
import { WORKSPACE_CONFIG_FILE } from '../../engine/config/workspace.js';

const CONFIG_FILE = /\.(ya?ml|sh|bash|zsh)$/i;
const CONFIG_LANGUAGES = ['yaml', 'dockercompose', 'shellscript'];
const JSON_FILE = /\.json$/i;

/**
 * Whether an editor document may hold serving configs: YAML and shell scripts by name or language, and
 * JSON only where it names a Kubernetes object (package.json, tsconfig.json and servetune.json are not
 * serving configs, and checking each would cost a worker round trip). `text` is read only for JSON.
 */
export function isConfigFile(path: string, languageId: string, text: () => string): boolean {
  if (CONFIG_FILE.test(path) || CONFIG_LANGUAGES.includes(languageId)) return true;
  if (languageId !== 'json' && !JSON_FILE.test(path)) return false;
  return basename(path) !== WORKSPACE_CONFIG_FILE && mayBeKubernetesJson(text());
}
