import { basename } from 'node:path';
import { mayBeKubernetesJson } from '../../engine/config/read.js';
import { WORKSPACE_CONFIG_FILE } from '../../engine/config/workspace.js';
import { MAX_CONFIG_FILE_BYTES, tooLargeMessage } from '../../engine/util/files.js';

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

/**
 * Why a config document is not sent to the worker, which refuses a config's text over
 * MAX_CONFIG_FILE_BYTES: what `servetune check` says of the same file on disk. Undefined where it fits.
 */
export function configTooLarge(path: string, text: string): string | undefined {
  // UTF-16 length bounds the UTF-8 byte count from below (and 3× from above): count only near the limit.
  if (text.length * 3 <= MAX_CONFIG_FILE_BYTES) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > MAX_CONFIG_FILE_BYTES ? tooLargeMessage(path, bytes, MAX_CONFIG_FILE_BYTES) : undefined;
}
