import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cancellable } from '../../../src/cli/cancellable.js';

/** What `run` writes to stderr, and its outcome. */
async function withStderr<T>(run: () => Promise<T>): Promise<{ stderr: string; outcome: T | Error }> {
  const write = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const outcome = await run();
    return { stderr, outcome };
  } catch (error) {
    return { stderr, outcome: error as Error };
  } finally {
    process.stderr.write = write;
  }
}

describe('cancellable: the prologue search and tune share', () => {
  it('Ctrl-C aborts the run with "<label> cancelled" and the handler goes with the run', async () => {
    const before = process.listenerCount('SIGINT');
    const { outcome } = await withStderr(() =>
      cancellable('tune', { json: true }, ({ signal }) => {
        setImmediate(() => process.emit('SIGINT'));
        return new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      }),
    );
    assert.ok(outcome instanceof Error);
    assert.equal(outcome.message, 'tune cancelled');
    assert.equal(process.listenerCount('SIGINT'), before);
  });

  it('notes a --rate beyond what is simulated before the run, and returns what the run returns', async () => {
    const { stderr, outcome } = await withStderr(() =>
      cancellable('search', { rate: 1000, json: true }, async ({ workerFile }) => workerFile.pathname),
    );
    assert.match(stderr, /^servetune: note: at 1\.00e\+3 req\/s, 60 s of traffic would be/);
    assert.match(String(outcome), /search-worker\.mjs$/);
    const quiet = await withStderr(() => cancellable('search', { rate: 4 }, async () => 1));
    assert.equal(quiet.stderr, '');
  });
});

const cli = 'dist/cli.mjs';
const WORKLOAD = ['--workload', 'poisson:rate=4,n=4000,prompt=fixed(512),output=fixed(64)'];
const SLO_RATE = ['--slo', 'ttft=2,tbt=0.1', '--rate', '1000'];

/**
 * Runs the CLI, sends Ctrl-C a second after the rate note is out (the search is under way by then), and
 * resolves with its exit code and stderr.
 */
function interrupted(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (sent || !stderr.includes('servetune: note:')) return;
    sent = true;
    setTimeout(() => child.kill('SIGINT'), 1000);
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('Ctrl-C in search and tune', { skip: !existsSync(cli) && 'dist/cli.mjs not built' }, () => {
  it('search: the note, then "search cancelled", exit 1, no stack', async () => {
    const model = ['--model', 'llama-3.1-8b', '--hardware', 'h100-sxm', '--gpus', '2'];
    const { code, stderr } = await interrupted(['search', ...model, ...WORKLOAD, ...SLO_RATE]);
    assert.equal(code, 1);
    assert.match(stderr, /servetune: note: .*\nservetune: error: search cancelled\n$/);
  });

  it('tune: the note, then "tune cancelled", exit 1, the file untouched', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'servetune-cancel-')), 'serve.sh');
    const text = 'vllm serve meta-llama/Llama-3.1-8B-Instruct --max-num-seqs 64\n';
    writeFileSync(file, text);
    const args = ['tune', file, '--hardware', 'h100-sxm', ...WORKLOAD, ...SLO_RATE, '--write'];
    const { code, stderr } = await interrupted(args);
    assert.equal(code, 1);
    assert.match(stderr, /servetune: note: .*\nservetune: error: tune cancelled\n$/);
    assert.equal(readFileSync(file, 'utf8'), text);
  });
});
