import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MeasuredRequestsFile } from '../../../src/engine/bench/requests-file.js';
import { OpenAiServer } from '../../../src/engine/serve/server.js';
import { RunSummary } from '../../../src/engine/sim/summary.js';
import { TimerEngine } from '../helpers/timer-engine.js';

const cli = 'dist/cli.mjs';

/** Runs the CLI to its end without blocking this process (the server under test runs in it). */
function servetune(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('servetune bench', { skip: !existsSync(cli) && 'dist/cli.mjs not built' }, () => {
  it('--concurrency replays closed loop: at most N in flight, recorded in the summary', async () => {
    const server = new OpenAiServer({ engine: new TimerEngine(16, 2), maxWaiting: 100 });
    const { url } = await server.start();
    const dir = mkdtempSync(join(tmpdir(), 'servetune-bench-'));
    const requestsFile = join(dir, 'requests.json');
    try {
      const run = await servetune(
        'bench',
        ...['--url', url, '--model', 'test-model'],
        ...['--workload', 'constant:rate=1000,prompt=fixed(8),output=fixed(6),n=20'],
        ...['--concurrency', '4', '--warm-up-requests', '4', '--json', '--requests-out', requestsFile],
      );
      assert.equal(run.code, 0, run.stderr);
      const summary = RunSummary.parse(JSON.parse(run.stdout));
      assert.deepEqual(summary.load, { mode: 'closed', concurrency: 4, thinkSeconds: 0, warmUpRequests: 4 });
      assert.equal(summary.requests.total, 20, 'n= bounds the total');
      assert.equal(summary.requests.completed, 20);
      assert.ok(summary.ttft!.count <= 16, 'the warm-up is left out');
      const { requests } = MeasuredRequestsFile.parse(JSON.parse(readFileSync(requestsFile, 'utf8')));
      for (const r of requests) {
        const inFlight = requests.filter((o) => o.sentAt <= r.sentAt && o.finishedAt > r.sentAt).length;
        assert.ok(inFlight <= 4, `${inFlight} in flight as request ${r.index} was sent`);
      }
      assert.ok(requests.every((r) => r.outputTokens === 6 && r.promptTokens === 8));
    } finally {
      await server.shutdown();
    }
  });

  it('refuses --think-time without --concurrency, and --concurrency with --rate', async () => {
    const base = ['bench', '--url', 'http://127.0.0.1:9', '--model', 'm', '--workload', 'poisson:rate=1,n=2'];
    const think = await servetune(...base, '--think-time', '1');
    assert.notEqual(think.code, 0);
    assert.match(think.stderr, /--think-time applies to a closed loop/);
    const both = await servetune(...base, '--concurrency', '2', '--rate', '3');
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /cannot be used with option '--rate/);
  });
});
