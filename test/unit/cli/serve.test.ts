import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { describe, it } from 'node:test';

const env = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' };

describe('servetune serve', () => {
  it('a port in use is a clear error naming the port and --port 0, at once and without a stack', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const started = Date.now();
      const run = spawnSync(
        process.execPath,
        ['dist/cli.mjs', 'serve', '--preset', 'tiny', '--port', String(port)],
        {
          encoding: 'utf8',
          timeout: 120_000,
          env,
        },
      );
      assert.equal(run.status, 1, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(
          `servetune: error: port ${port} on 127\\.0\\.0\\.1 is already in use \\(another server listens there\\); choose another with --port, or --port 0 for any free port`,
        ),
      );
      assert.doesNotMatch(run.stderr, /internal error|\n\s+at /);
      assert.ok(Date.now() - started < 20_000, 'refused before the engine starts');
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('refuses a negative --drain-seconds and an empty --api-key', () => {
    const drain = spawnSync(process.execPath, ['dist/cli.mjs', 'serve', '--drain-seconds', '-1'], {
      encoding: 'utf8',
      env,
    });
    assert.equal(drain.status, 2);
    assert.match(drain.stderr, /--drain-seconds.*expected a number of seconds \(0 or more\), got '-1'/);
    const key = spawnSync(process.execPath, ['dist/cli.mjs', 'serve', '--api-key', ''], {
      encoding: 'utf8',
      env,
    });
    assert.equal(key.status, 2);
    assert.match(key.stderr, /--api-key.*the API key is empty/);
  });

  it('on SIGTERM, a client stalled mid-body keeps it up only until --drain-seconds', async () => {
    const child = spawn(
      process.execPath,
      ['dist/cli.mjs', 'serve', '--preset', 'tiny', '--port', '0', '--drain-seconds', '1'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const kill = setTimeout(() => child.kill('SIGKILL'), 100_000);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.on('exit', () => reject(new Error(`exited before listening: ${stderr}`)));
      });
      const stalled = connect(port, '127.0.0.1');
      stalled.on('error', () => {});
      await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
      stalled.write(
        'POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{"model":',
      );
      await new Promise((r) => setTimeout(r, 100));
      const signalled = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      const seconds = (Date.now() - signalled) / 1000;
      stalled.destroy();
      assert.equal(code, 0, stderr);
      assert.ok(seconds >= 0.9 && seconds < 8, `exited ${seconds} s after SIGTERM`);
      assert.match(stderr, /drain deadline \(1 s\) passed: closing the connections left/);
    } finally {
      clearTimeout(kill);
      child.kill('SIGKILL');
    }
  });
});
