import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** Oldest Node major the worker supports (package.json `engines.node`). */
const MIN_NODE_MAJOR = 20;

type NodeSource = 'setting' | 'path' | 'editor';

export type NodeResolution =
  | { found: true; path: string; version: string; source: NodeSource; skipped: string[] }
  | { found: false; skipped: string[] };

interface FindNodeInput {
  /** `servetune.nodePath`; empty when unset. */
  configuredPath: string;
  /** The PATH to search (process.env.PATH). */
  searchPath: string | undefined;
  platform: NodeJS.Platform;
  /**
   * The editor's own executable when it is a plain Node (code-server, a test host), never Electron:
   * Electron's V8 memory cage rejects the external buffers WebGPU maps.
   */
  editorNode?: string;
}

function versionOf(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, ['--version'], { timeout: 10_000, windowsHide: true }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout.trim());
    });
  });
}

function majorOf(version: string): number {
  const match = /^v(\d+)\./.exec(version);
  return match ? Number(match[1]) : Number.NaN;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(
  searchPath: string | undefined,
  platform: NodeJS.Platform,
): Promise<string | undefined> {
  const names = platform === 'win32' ? ['node.exe'] : ['node'];
  for (const dir of (searchPath ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = join(dir, name);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Finds a Node to run the engine worker: the setting, then `node` on PATH, then the editor's own Node
 * where it is one. Each candidate must run and be new enough; `skipped` says why others were passed over,
 * so the message shown when none is found tells the user exactly what to fix.
 */
export async function findNode(input: FindNodeInput): Promise<NodeResolution> {
  const skipped: string[] = [];
  const candidates: { path: string | undefined; source: NodeSource; missing: string }[] = [
    {
      path: input.configuredPath.trim() || undefined,
      source: 'setting',
      missing: '',
    },
    {
      path: await onPath(input.searchPath, input.platform),
      source: 'path',
      missing: 'no `node` on PATH',
    },
    { path: input.editorNode, source: 'editor', missing: '' },
  ];
  for (const candidate of candidates) {
    if (!candidate.path) {
      if (candidate.missing) skipped.push(candidate.missing);
      continue;
    }
    try {
      const version = await versionOf(candidate.path);
      const major = majorOf(version);
      if (!(major >= MIN_NODE_MAJOR)) {
        skipped.push(
          `${candidate.path} is Node ${version}; the engine needs Node ${MIN_NODE_MAJOR} or newer`,
        );
        continue;
      }
      return { found: true, path: candidate.path, version, source: candidate.source, skipped };
    } catch (error) {
      const label =
        candidate.source === 'setting' ? `servetune.nodePath (${candidate.path})` : candidate.path;
      skipped.push(`${label} does not run: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return { found: false, skipped };
}

export function noNodeMessage(skipped: string[]): string {
  return (
    `ServeTune could not find Node.js ${MIN_NODE_MAJOR}+ to run its engine (${skipped.join('; ')}). ` +
    'GPU profiling, simulation and search need it; memory reports still work. ' +
    'Install Node.js (https://nodejs.org) or set `servetune.nodePath` to a node binary.'
  );
}
