import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Option } from 'commander';
import { DEPLOY_FORMATS, type DeployFormat } from '../../engine/config/deploy/index.js';
import { searchedDeploymentFiles } from '../../engine/search/deployment-files.js';
import type { SearchResult } from '../../engine/search/run.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import { writeTextFile } from '../format.js';

export function emitOptions(): Option[] {
  return [
    new Option('--emit <format>', 'write the best configuration as deployment files').choices(DEPLOY_FORMATS),
    new Option('--emit-dir <dir>', 'folder for the --emit files').default('deploy'),
  ];
}

/**
 * Refuses an --emit-dir that cannot become a folder (it, or the nearest part of it that exists, is a
 * file), before the search runs rather than after it.
 */
export function refuseUnusableEmitDir(dir: string): void {
  let path = resolve(dir);
  while (!existsSync(path)) {
    const up = dirname(path);
    if (up === path) return;
    path = up;
  }
  if (statSync(path).isDirectory()) return;
  const what = path === resolve(dir) ? 'it' : path;
  throw new ServeTuneError(
    `--emit-dir ${dir}: ${what} is a file, not a folder`,
    'invalid-argument',
    '--emit-dir',
  );
}

/** Writes the best configuration's deployment files; returns their paths. */
export function writeDeployment(
  result: SearchResult,
  format: DeployFormat,
  dir: string,
  hardware: string,
): string[] {
  const best = result.configurations.find((c) => c.best);
  if (!best) throw new ServeTuneError('no configuration meets the SLOs: nothing to emit', 'invalid-plan');
  const files = searchedDeploymentFiles(best.settings, hardware, format);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new ServeTuneError(`Cannot create ${dir}: ${(error as Error).message}`, 'io', dir);
  }
  return files.map((file) => {
    const path = join(dir, file.path);
    writeTextFile(path, file.text);
    return path;
  });
}
