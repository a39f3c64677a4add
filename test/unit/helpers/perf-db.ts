import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The full measured database for tests that need it: SERVETUNE_PERF_DB, else ../shared/data/perf-db from
 * the repository root (tests run there) or from a folder above it; undefined where there is none.
 */
export function findPerfDb(): string | undefined {
  if (process.env.SERVETUNE_PERF_DB) return process.env.SERVETUNE_PERF_DB;
  for (let dir = process.cwd(), i = 0; i < 3; i++, dir = dirname(dir)) {
    const candidate = join(dir, '..', 'shared', 'data', 'perf-db');
    if (existsSync(candidate)) return resolve(candidate);
  }
  return undefined;
}

/** Why a test that needs the full database is skipped, or false where it can run. */
export const NO_PERF_DB = 'no measured database at ../shared/data/perf-db (set SERVETUNE_PERF_DB to run)';

export const isServeTuneError =
  (pattern: RegExp, where?: RegExp) =>
  (error: Error & { where?: string }): boolean =>
    error.name === 'ServeTuneError' &&
    pattern.test(error.message) &&
    (!where || where.test(error.where ?? ''));
