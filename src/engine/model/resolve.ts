import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { ServeTuneError } from '../util/errors.js';
import { MAX_TABLE_FILE_BYTES, readInputText } from '../util/files.js';
import { didYouMean } from '../util/nearest.js';
import { findModel, MODEL_CATALOG } from './catalog.js';
import { cachedRepoIds, type Environment, findCachedConfig, hubCacheDir } from './hf-cache.js';
import { modelFromHfConfig } from './hf-config.js';
import { fetchHubConfig, hubOffline } from './hf-hub.js';
import type { ModelSpec } from './spec.js';

export interface ResolveOptions {
  /** Where HF_HUB_CACHE, HF_HOME, HF_ENDPOINT, HF_TOKEN and HF_HUB_OFFLINE are read (default: process.env). */
  env?: Environment;
  /** How long the Hub may take to answer (default 10 s). */
  timeoutMs?: number;
}

/** `org/name`: how a Hugging Face model repository is named. */
const REPO_ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

export function isRepoId(reference: string): boolean {
  return REPO_ID.test(reference) && !reference.endsWith('.json');
}

/** What a reference names on this machine: a catalog entry, or a config.json (from the cache: its repository). */
type Located = { model: ModelSpec } | { file: string; repoId?: string };

/**
 * Step 1: the config.json a path names (the file, or the one in the folder). A reference shaped like
 * a repository id that is no such path goes on to the catalog; any other path must exist.
 */
function configFileAt(reference: string): string | undefined {
  const looksLikePath =
    reference.endsWith('.json') ||
    reference.includes('/') ||
    reference.includes('\\') ||
    reference.startsWith('.');
  if (!looksLikePath) return undefined;
  if (existsSync(reference)) {
    if (!statSync(reference).isDirectory()) return reference;
    const file = join(reference, 'config.json');
    if (existsSync(file)) return file;
    if (isRepoId(reference)) return undefined;
    throw new ServeTuneError(`The folder ${reference} holds no config.json`, 'io', reference);
  }
  if (reference.endsWith('.json')) {
    throw new ServeTuneError(`Model config file not found: ${reference}`, 'io', reference);
  }
  if (isRepoId(reference)) return undefined;
  throw new ServeTuneError(
    `No file or folder '${reference}': a model is a catalog id, a Hugging Face repository id (org/name), or the path of a config.json`,
    'io',
    reference,
  );
}

/** Steps 1–3, before any config is parsed: a path, the catalog, the local Hugging Face cache. */
function locate(reference: string, env: Environment): Located | undefined {
  const file = configFileAt(reference);
  if (file) return { file };
  const model = findModel(reference);
  if (model) return { model };
  if (!isRepoId(reference)) return undefined;
  const cached = findCachedConfig(reference, env);
  return cached && { file: cached.path, repoId: cached.repoId };
}

/** A config.json's model; one that came from a repository keeps the repository as its id and source. */
function fromConfig(text: string, where: string, repoId?: string): ModelSpec {
  const model = modelFromHfConfig(text, where, repoId);
  return repoId ? { ...model, source: repoId } : fromLocalFile(model, where);
}

/**
 * A local config.json that names no repository (`_name_or_path`) is served from its folder: engines
 * load a checkpoint folder (`vllm serve <dir>`, `trtllm-serve <dir>`, SGLang's `--model-path <dir>`),
 * never a config.json, so the emitted commands name the folder, and results name the model by it.
 */
function fromLocalFile(model: ModelSpec, file: string): ModelSpec {
  if (model.source !== file) return model;
  const folder = dirname(file);
  return { ...model, source: folder, name: model.name === file ? basename(resolvePath(folder)) : model.name };
}

function load(located: Located): ModelSpec {
  if ('model' in located) return located.model;
  // Bounded as every table a command reads is: a path may name /dev/zero or a file of gigabytes.
  const text = readInputText(located.file, MAX_TABLE_FILE_BYTES);
  return fromConfig(text, located.file, located.repoId);
}

/** " Did you mean …?" among the catalog's ids and repositories and the repositories in the local cache. */
function suggestionsFor(reference: string, env: Environment): string {
  return didYouMean(reference, [...MODEL_CATALOG.flatMap((m) => [m.id, m.source]), ...cachedRepoIds(env)]);
}

const CATALOG_HINT = "use a catalog id ('servetune models' lists them)";

/** Why the Hub was not asked for a repository id found nowhere on this machine. */
type HubSkipped = 'offline' | 'synchronous';

function unknownModel(reference: string, env: Environment, skipped: HubSkipped): ServeTuneError {
  const near = suggestionsFor(reference, env);
  if (!isRepoId(reference)) {
    return new ServeTuneError(
      `Unknown model '${reference}'.${near} Give a catalog id ('servetune models' lists them), a Hugging Face repository id (org/name), or the path of a config.json.`,
      'unknown-model',
      reference,
    );
  }
  const notHere = `Model '${reference}' is neither in the catalog nor in the local Hugging Face cache (${hubCacheDir(env)})`;
  const message =
    skipped === 'offline'
      ? `${notHere}, and HF_HUB_OFFLINE is set, so the Hub was not asked.${near} Pass the path of a downloaded config.json (--model ./config.json), or ${CATALOG_HINT}.`
      : `${notHere}, and here the Hugging Face Hub is not asked.${near} Download its config.json (hf download ${reference} config.json) and pass its path (--model ./config.json), or ${CATALOG_HINT}.`;
  return new ServeTuneError(message, 'unknown-model', reference);
}

/**
 * A model named on a command line or in a config, resolved without the network: (1) a path to a
 * Hugging Face `config.json` or a folder holding one, (2) the built-in catalog, by id or Hugging Face
 * repository (case-insensitive), (3) the local Hugging Face cache. `resolveModelAsync` also asks the Hub.
 */
export function resolveModel(reference: string, options: ResolveOptions = {}): ModelSpec {
  const env = options.env ?? process.env;
  const trimmed = reference.trim();
  const located = locate(trimmed, env);
  if (!located) throw unknownModel(trimmed, env, 'synchronous');
  return load(located);
}

/** `resolveModel`, or undefined where it throws: for checks that skip what they cannot know. */
export function lookupModel(reference: string, options: ResolveOptions = {}): ModelSpec | undefined {
  try {
    return resolveModel(reference, options);
  } catch (error) {
    if (error instanceof ServeTuneError) return undefined;
    throw error;
  }
}

/**
 * `resolveModel`, then (4) the Hugging Face Hub: a repository id found nowhere on this machine has its
 * config.json downloaded from `$HF_ENDPOINT` (with `$HF_TOKEN`), unless `HF_HUB_OFFLINE` is set. Nothing
 * is written to the cache.
 */
export async function resolveModelAsync(reference: string, options: ResolveOptions = {}): Promise<ModelSpec> {
  const env = options.env ?? process.env;
  const trimmed = reference.trim();
  const located = locate(trimmed, env);
  if (located) return load(located);
  if (!isRepoId(trimmed) || hubOffline(env)) throw unknownModel(trimmed, env, 'offline');
  const { text, url } = await fetchHubConfig(trimmed, {
    env,
    timeoutMs: options.timeoutMs,
    suggestions: suggestionsFor(trimmed, env),
  });
  return fromConfig(text, url, trimmed);
}
