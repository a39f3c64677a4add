import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { WorkerExit, WorkerRequestError } from '../../../src/extension/worker/client.js';
import { findNode, type NodeResolution, noNodeMessage } from '../../../src/extension/worker/find-node.js';
import { WorkerManager, type WorkerState } from '../../../src/extension/worker/manager.js';

const workerPath = resolve('dist/worker.mjs');
const thisNode = async (): Promise<NodeResolution> => ({
  found: true,
  path: process.execPath,
  version: process.version,
  source: 'path',
  skipped: [],
});

function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const tick = () => {
      if (check()) done();
      else if (Date.now() - started > timeoutMs) fail(new Error('timed out waiting'));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

test('the manager starts the worker on first use and learns its methods', async () => {
  const states: WorkerState['kind'][] = [];
  const manager = new WorkerManager({
    workerPath,
    findNode: thisNode,
    log: () => {},
    onStateChange: (s) => states.push(s.kind),
  });
  assert.equal(manager.supports('plans'), false);
  const report = await manager.request('plans', { model: 'qwen2.5-7b', hardware: 'a100-80gb', gpus: 2 });
  assert.equal(report.gpus, 2);
  assert.equal(manager.supports('plans'), true);
  assert.equal(manager.supports('search'), true);
  assert.equal(manager.supports('no-such-method'), false);
  assert.deepEqual(states, ['starting', 'ready']);
  await manager.dispose();
});

test('a crashed worker is reported and a fresh one is started', async () => {
  const crashes: { exit: WorkerExit; restarting: boolean }[] = [];
  const manager = new WorkerManager({
    workerPath,
    findNode: thisNode,
    log: () => {},
    onCrash: (exit, restarting) => crashes.push({ exit, restarting }),
  });
  await manager.start();
  const firstPid = manager.pid!;
  process.kill(firstPid, 'SIGKILL');
  await waitFor(
    () => manager.state.kind === 'ready' && manager.pid !== undefined && manager.pid !== firstPid,
  );
  assert.equal(crashes.length, 1);
  assert.equal(crashes[0]!.restarting, true);
  const hello = await manager.request('hello', {});
  assert.notEqual(hello.pid, firstPid);
  await manager.dispose();
});

test('after too many crashes the manager stops restarting', async () => {
  const crashes: boolean[] = [];
  const manager = new WorkerManager({
    workerPath,
    findNode: thisNode,
    log: () => {},
    maxCrashes: 1,
    onCrash: (_exit, restarting) => crashes.push(restarting),
  });
  await manager.start();
  process.kill(manager.pid!, 'SIGKILL');
  await waitFor(() => manager.state.kind === 'ready' && crashes.length === 1);
  process.kill(manager.pid!, 'SIGKILL');
  await waitFor(() => crashes.length === 2);
  assert.deepEqual(crashes, [true, false]);
  assert.equal(manager.state.kind, 'crashed');
  await manager.dispose();
});

test('without Node the manager is unavailable with a message that says how to fix it', async () => {
  const manager = new WorkerManager({
    workerPath,
    findNode: async () => ({ found: false, skipped: ['no `node` on PATH'] }),
    log: () => {},
  });
  await assert.rejects(manager.start(), (error: WorkerRequestError) => error.code === 'worker-unavailable');
  assert.equal(manager.state.kind, 'unavailable');
  assert.match(noNodeMessage(['no `node` on PATH']), /servetune\.nodePath/);
});

test('findNode prefers the setting, falls back to PATH, and explains what it skipped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-node-'));
  // A fake old node on PATH: findNode must run it and reject its version.
  const fake = join(dir, 'node');
  writeFileSync(fake, '#!/bin/sh\necho v16.20.0\n');
  chmodSync(fake, 0o755);

  const fromSetting = await findNode({
    configuredPath: process.execPath,
    searchPath: dir,
    platform: 'linux',
  });
  assert.equal(fromSetting.found && fromSetting.source, 'setting');

  const tooOld = await findNode({ configuredPath: '/nonexistent/node', searchPath: dir, platform: 'linux' });
  assert.equal(tooOld.found, false);
  assert.match(tooOld.skipped.join('\n'), /servetune\.nodePath \(\/nonexistent\/node\) does not run/);
  assert.match(tooOld.skipped.join('\n'), /v16\.20\.0; the engine needs Node 20/);

  const fromEditor = await findNode({
    configuredPath: '',
    searchPath: '',
    platform: 'linux',
    editorNode: process.execPath,
  });
  assert.equal(fromEditor.found && fromEditor.source, 'editor');
  assert.deepEqual(fromEditor.skipped, ['no `node` on PATH']);
});
