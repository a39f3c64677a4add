import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServeTuneError } from '../util/errors.js';
import { type Environment, hfHome } from './hf-cache.js';

const DEFAULT_ENDPOINT = 'https://huggingface.co';
export const DEFAULT_HUB_TIMEOUT_MS = 10_000;

/** `$HF_ENDPOINT` (a mirror or a private hub), else huggingface.co. */
export function hubEndpoint(env: Environment): string {
  return (env.HF_ENDPOINT || DEFAULT_ENDPOINT).replace(/\/+$/, '');
}

/** `HF_HUB_OFFLINE` as `huggingface_hub` reads it: 1, true, yes or on. */
export function hubOffline(env: Environment): boolean {
  return ['1', 'true', 'yes', 'on'].includes((env.HF_HUB_OFFLINE ?? '').trim().toLowerCase());
}

/** `$HF_TOKEN`, `$HUGGING_FACE_HUB_TOKEN`, else the token `hf auth login` saved (`$HF_TOKEN_PATH`). */
export function hubToken(env: Environment): string | undefined {
  const fromEnv = env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN;
  if (fromEnv) return fromEnv.trim();
  try {
    const saved = readFileSync(env.HF_TOKEN_PATH || join(hfHome(env), 'token'), 'utf8').trim();
    return saved || undefined;
  } catch {
    return undefined;
  }
}

export interface HubFetchOptions {
  env: Environment;
  timeoutMs?: number;
  /** Appended to errors that leave the user without a model: near catalog names, as " Did you mean …?". */
  suggestions?: string;
}

const PASS_A_FILE = 'pass the path of a downloaded config.json instead (--model ./config.json)';

/** Why a fetch failed, in words: the cause's code (ECONNREFUSED, ENOTFOUND…) or message. */
function networkCause(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function refusal(repoId: string, url: string, response: Response, suggestions: string): ServeTuneError {
  // The Hub says what went wrong in a header; it answers 401 for a repository that does not exist
  // (as it does for a private one) so that the two cannot be told apart without a token.
  const hubCode = response.headers.get('x-error-code') ?? '';
  const status = `HTTP ${response.status}${hubCode ? ` ${hubCode}` : ''}`;
  if (hubCode === 'EntryNotFound') {
    return new ServeTuneError(
      `The Hugging Face repository '${repoId}' has no config.json on its main branch (${url}: ${status}); ${PASS_A_FILE}.`,
      'unknown-model',
      repoId,
    );
  }
  if (response.status === 404 || hubCode === 'RepoNotFound') {
    return new ServeTuneError(
      `No Hugging Face repository '${repoId}' (${url}: ${status}): check the spelling, or set HF_TOKEN if it is private.${suggestions}`,
      'unknown-model',
      repoId,
    );
  }
  if (response.status === 401 || response.status === 403) {
    return new ServeTuneError(
      `The Hugging Face repository '${repoId}' is gated or private (${url}: ${status}): accept its terms on the Hub and set HF_TOKEN to a token that has access, or ${PASS_A_FILE}.`,
      'io',
      repoId,
    );
  }
  return new ServeTuneError(
    `The Hugging Face Hub could not give ${repoId}'s config.json (${url}: ${status}); try again later or ${PASS_A_FILE}.`,
    'io',
    repoId,
  );
}

/**
 * Downloads a model repository's `config.json` from the main branch of the Hugging Face Hub (following
 * redirects: renamed repositories and mirrors answer with one). Every failure is a ServeTuneError that
 * says what to do next.
 */
export async function fetchHubConfig(
  repoId: string,
  options: HubFetchOptions,
): Promise<{ text: string; url: string }> {
  const endpoint = hubEndpoint(options.env);
  const url = `${endpoint}/${repoId}/resolve/main/config.json`;
  const token = hubToken(options.env);
  const timeoutMs = options.timeoutMs ?? DEFAULT_HUB_TIMEOUT_MS;
  const suggestions = options.suggestions ?? '';
  try {
    const response = await fetch(url, {
      headers: { 'user-agent': 'servetune', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      redirect: 'follow',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw refusal(repoId, url, response, suggestions);
    }
    return { text: await response.text(), url };
  } catch (error) {
    if (error instanceof ServeTuneError) throw error;
    const timedOut = (error as { name?: unknown } | null)?.name === 'TimeoutError';
    const what = timedOut ? `no answer within ${timeoutMs / 1000} s` : networkCause(error);
    throw new ServeTuneError(
      `Cannot reach the Hugging Face Hub at ${endpoint} for ${repoId}'s config.json (${what}). Offline? Pass the path of a downloaded config.json (--model ./config.json), or use a catalog id ('servetune models' lists them).${suggestions}`,
      'io',
      repoId,
    );
  }
}
