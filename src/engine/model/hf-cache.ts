import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Environment variables, as `process.env` holds them (tests pass their own). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Hugging Face's home folder, as `huggingface_hub` finds it: `$HF_HOME`, else `$XDG_CACHE_HOME/huggingface`. */
export function hfHome(env: Environment): string {
  if (env.HF_HOME) return env.HF_HOME;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface');
}

/** The hub cache `huggingface_hub` downloads into: `$HF_HUB_CACHE`, else `$HF_HOME/hub`. */
export function hubCacheDir(env: Environment): string {
  return env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || join(hfHome(env), 'hub');
}

const REPO_FOLDER_PREFIX = 'models--';

/** The cache folders of model repositories (`models--{org}--{name}`); none when there is no cache. */
function repoFolders(cacheDir: string): string[] {
  try {
    return readdirSync(cacheDir).filter((name) => name.startsWith(REPO_FOLDER_PREFIX));
  } catch {
    return [];
  }
}

/** The repository ids (`org/name`) that have a folder in the cache. */
export function cachedRepoIds(env: Environment): string[] {
  return repoFolders(hubCacheDir(env)).map((folder) =>
    folder.slice(REPO_FOLDER_PREFIX.length).split('--').join('/'),
  );
}

/**
 * The snapshot to read: the revision `refs/main` names when it has a config.json, else the newest
 * snapshot (by mtime) that has one. Downloads of a single revision leave no `refs/main`.
 */
function snapshotConfig(repoDir: string): string | undefined {
  const snapshots = join(repoDir, 'snapshots');
  const mainRef = join(repoDir, 'refs', 'main');
  if (existsSync(mainRef)) {
    const revision = readFileSync(mainRef, 'utf8').trim();
    const config = join(snapshots, revision, 'config.json');
    if (revision && existsSync(config)) return config;
  }
  let revisions: string[];
  try {
    revisions = readdirSync(snapshots);
  } catch {
    return undefined;
  }
  const candidates = revisions
    .map((revision) => join(snapshots, revision, 'config.json'))
    .filter((config) => existsSync(config))
    .map((config) => ({ config, mtime: statSync(join(config, '..')).mtimeMs }));
  candidates.sort((a, b) => b.mtime - a.mtime);
  return candidates[0]?.config;
}

/** A config.json in the local cache for repository `repoId`, and the repository as the cache spells it. */
export interface CachedConfig {
  path: string;
  repoId: string;
}

/**
 * Finds `repoId`'s config.json in the local Hugging Face cache. Repository ids are case-insensitive on
 * the Hub, so a folder that differs only in case matches when no exact one exists.
 */
export function findCachedConfig(repoId: string, env: Environment): CachedConfig | undefined {
  const cacheDir = hubCacheDir(env);
  const wanted = `${REPO_FOLDER_PREFIX}${repoId.split('/').join('--')}`;
  const folders = repoFolders(cacheDir);
  const folder = folders.includes(wanted)
    ? wanted
    : folders.find((name) => name.toLowerCase() === wanted.toLowerCase());
  if (!folder) return undefined;
  const path = snapshotConfig(join(cacheDir, folder));
  if (!path) return undefined;
  return { path, repoId: folder.slice(REPO_FOLDER_PREFIX.length).split('--').join('/') };
}
