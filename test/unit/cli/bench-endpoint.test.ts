import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { OpenAiServer } from '../../../src/engine/serve/server.js';
import { TimerEngine } from '../helpers/timer-engine.js';

// The built CLI, bounded: a command that should have been refused fails the test instead of hanging it.
function bench(...args: string[]) {
  const run = spawnSync(
    process.execPath,
    ['dist/cli.mjs', 'bench', '--model', 'm', '--workload', 'poisson:rate=1,n=2', ...args],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('servetune bench: --url and --api-key checked before anything runs', () => {
  it('names --url and what is wrong, without a stack', () => {
    const cases: [string, RegExp][] = [
      [
        'not a url',
        /^servetune: error: --url 'not a url': not a URL; give the endpoint's base with its scheme/,
      ],
      [
        'ftp://127.0.0.1/v1',
        /^servetune: error: --url 'ftp:\/\/127\.0\.0\.1\/v1': the scheme ftp:\/\/ is not supported/,
      ],
      [
        'http://127.0.0.1:99999',
        /^servetune: error: --url 'http:\/\/127\.0\.0\.1:99999': the port 99999 is out of range \(1-65535\)/,
      ],
    ];
    for (const [url, message] of cases) {
      const run = bench('--url', url);
      assert.equal(run.code, 1, `${url}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /internal error|\n\s+at /);
    }
  });

  it('refuses an --api-key with CR or LF (header injection)', () => {
    for (const key of ['sk-1\r\nX-Injected: 1', 'sk-1\nX-Injected: 1']) {
      const run = bench('--url', 'http://127.0.0.1:9', '--api-key', key);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /^servetune: error: --api-key contains a line break \(CR or LF\): refused/);
    }
  });
});

/** The built CLI run without blocking this process (which serves the endpoint), killed after 60 s. */
function benchAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/cli.mjs', 'bench', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("servetune bench against a server's context length", () => {
  it("scales requests longer than the server's max_model_len down, saying how many; --no-fit-context shows why they fail", async () => {
    const server = new OpenAiServer({ engine: new TimerEngine(4, 1), maxWaiting: 100 }); // max_model_len 64
    const { url } = await server.start();
    try {
      const args = [
        '--url',
        url,
        '--model',
        'test-model',
        '--workload',
        'constant:rate=50,n=4,prompt=fixed(100),output=fixed(20)',
      ];
      const fitted = await benchAsync(args);
      assert.equal(fitted.code, 0, fitted.stderr);
      assert.match(
        fitted.stderr,
        /servetune bench: 4 of 4 requests are longer than test-model's max_model_len \(64 tokens, prompt \+ output\) as http:\/\/127\.0\.0\.1:\d+ reports it: each is scaled down to fit/,
      );
      assert.match(fitted.stdout, /^4\/4 requests completed \(0 failed\)/m);
      assert.match(fitted.stdout, /4 of 4 requests were longer than the server's max_model_len \(64 tokens/);

      const asGiven = await benchAsync([...args, '--no-fit-context', '--no-probe']);
      assert.equal(asGiven.code, 1, asGiven.stderr);
      assert.match(asGiven.stdout, /^0\/4 requests completed \(4 failed\)/m);
      assert.match(
        asGiven.stdout,
        /note: 4 requests failed: http-error — 4× HTTP 400: This model's maximum context length is 64 tokens\. However, you requested 120 tokens/,
      );
    } finally {
      await server.shutdown();
    }
  });
});
