// A small search or tune through the built CLI (B200, 40 short requests, JSON out): for tests of the
// options that search and tune share.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SearchResult } from '../../../src/engine/search/run.js';
import { TuneBlockResult } from '../../../src/engine/tune/schema.js';

const CLI = 'dist/cli.mjs';
const SMALL_RUN = [
  ...['--hardware', 'b200', '--slo', 'ttft=2,tbt=0.2', '--sample-requests', '40', '--threads', '0'],
  ...['--workload', 'poisson:rate=2,prompt=fixed(256),output=fixed(32),n=40', '--json'],
];

/** Why such tests skip: the CLI is built by `node esbuild.mjs`. */
export const cliMissing = !existsSync(CLI) && 'dist/cli.mjs not built';

/** The CLI run with `args` and the small run's options, its exit status and output kept. */
export function spawnSmallRun(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args, ...SMALL_RUN], { encoding: 'utf8', timeout: 120_000 });
}

function runJson(args: string[]): unknown {
  const child = spawnSmallRun(args);
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

/** A search of gpt-oss-20b on one GPU: the result and its best configuration's first server. */
export function searchBestServer(args: string[]) {
  const result = SearchResult.parse(runJson(['search', '--model', 'gpt-oss-20b', '--gpus', '1', ...args]));
  const best = result.configurations.find((c) => c.best);
  assert.ok(best?.settings, 'a best configuration with engine settings');
  return { result, server: best.settings.servers[0]! };
}

/** `tune` of a one-line launch script written to a temporary folder. */
export function tuneLaunchLine(launchLine: string, args: string[]) {
  const script = join(mkdtempSync(join(tmpdir(), 'servetune-tune-')), 'serve.sh');
  writeFileSync(script, `${launchLine}\n`);
  return TuneBlockResult.parse(runJson(['tune', script, ...args]));
}
