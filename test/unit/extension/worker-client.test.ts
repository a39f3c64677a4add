import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, test } from 'node:test';
import {
  WorkerClient,
  type WorkerExit,
  type WorkerRequestError,
} from '../../../src/extension/worker/client.js';

// These tests run the real worker bundle (dist/worker.mjs, built by `npm test` before the unit tests).
const workerPath = resolve('dist/worker.mjs');
const clients: WorkerClient[] = [];

function start(onExit?: (exit: WorkerExit) => void): WorkerClient {
  const client = new WorkerClient({ nodePath: process.execPath, workerPath, onExit });
  clients.push(client);
  return client;
}

after(async () => {
  await Promise.all(clients.map((client) => client.stop()));
});

test('the worker says ready and answers hello with its method list', async () => {
  const client = start();
  assert.equal(await client.ready, '0.1.0');
  const hello = await client.request('hello', {});
  assert.equal(hello.pid, client.pid);
  assert.ok(hello.methods.includes('plans'));
  assert.ok(hello.methods.includes('echo'));
});

test('plans come back validated, with the same content the engine computes', async () => {
  const client = start();
  const report = await client.request('plans', { model: 'llama-3.1-8b', hardware: 'h100-sxm', gpus: 4 });
  assert.equal(report.model, 'llama-3.1-8b');
  assert.equal(report.gpus, 4);
  const layouts = report.plans.map((p) => `${p.plan.tp}x${p.plan.pp}x${p.plan.dp}`).sort();
  assert.ok(layouts.includes('4x1x1'));
  assert.ok(layouts.includes('1x1x4'));
});

test('plans for an engine hold its layout of the weights: gpt-oss on vLLM, its mxfp4 checkpoint by default', async () => {
  const client = start();
  const ask = (engine?: 'vllm' | 'sglang') =>
    client.request('plans', {
      model: 'gpt-oss-120b',
      hardware: 'h100-sxm',
      gpus: 1,
      ...(engine ? { engine } : {}),
    });
  const [plain, vllm, sglang] = await Promise.all([ask(), ask('vllm'), ask('sglang')]);
  const weights = (r: typeof plain) => r.plans[0].perGpu.weightBytes;
  assert.equal(plain.plans[0].plan.weightDtype, 'mxfp4');
  assert.equal(weights(plain), 65_248_815_744);
  assert.equal(weights(sglang), weights(plain));
  assert.equal(weights(vllm) - weights(plain), 3_583_180_800 + 79_626_240);
  assert.equal(vllm.plans[0].engineWeights?.layout, 'vLLM Triton MXFP4 MoE (Hopper)');
});

test('an engine error keeps its code, and a bad param names the field', async () => {
  const client = start();
  await assert.rejects(
    client.request('plans', { model: 'no-such-model', hardware: 'h100-sxm', gpus: 1 }),
    (error: WorkerRequestError) => error.code === 'unknown-model' && /no-such-model/.test(error.message),
  );
  await assert.rejects(
    client.request('plans', { model: 'llama-3.1-8b', hardware: 'h100-sxm', gpus: -2 }),
    (error: WorkerRequestError) => error.code === 'invalid-params' && /gpus/.test(error.message),
  );
});

test('progress and partial results stream before the result', async () => {
  const client = start();
  const progress: number[] = [];
  const partials: number[] = [];
  const result = await client.request(
    'echo',
    { steps: 4, stepSeconds: 0.01 },
    { onProgress: (done) => progress.push(done), onPartial: (p) => partials.push(p.step) },
  );
  assert.deepEqual(result, { steps: 4 });
  assert.deepEqual(progress, [1, 2, 3, 4]);
  assert.deepEqual(partials, [0, 1, 2, 3]);
});

test('cancelling stops the work and the worker keeps serving', async () => {
  const client = start();
  const controller = new AbortController();
  let seen = 0;
  const run = client.request(
    'echo',
    { steps: 1000, stepSeconds: 0.02 },
    {
      signal: controller.signal,
      onProgress: (done) => {
        seen = done;
        if (done === 3) controller.abort();
      },
    },
  );
  await assert.rejects(run, (error: WorkerRequestError) => error.code === 'cancelled');
  assert.ok(seen >= 3 && seen < 10, `progress stopped soon after cancel (last ${seen})`);
  assert.equal((await client.request('hello', {})).pid, client.pid);
  assert.equal(client.inFlight, 0);
});

test('requests run concurrently: a short one finishes while a long one runs', async () => {
  const client = start();
  const controller = new AbortController();
  const long = client.request('echo', { steps: 500, stepSeconds: 0.02 }, { signal: controller.signal });
  const report = await client.request('plans', { model: 'llama-3.1-8b', hardware: 'h100-sxm', gpus: 1 });
  assert.equal(report.gpus, 1);
  controller.abort();
  await assert.rejects(long, (error: WorkerRequestError) => error.code === 'cancelled');
});

test('a request past its timeout fails as timeout, said by the worker, which keeps serving', async () => {
  const client = start();
  const started = Date.now();
  await assert.rejects(
    client.request('echo', { steps: 1000, stepSeconds: 0.05 }, { timeoutMs: 150 }),
    (error: WorkerRequestError) =>
      error.code === 'timeout' && /echo did not finish within 0\.15 s/.test(error.message),
  );
  assert.ok(Date.now() - started < 4000, 'the worker stopped it before the client gave up');
  assert.equal(client.inFlight, 0);
  assert.equal((await client.request('hello', {})).pid, client.pid);
});

test('a request larger than the worker reads is refused before it is sent', async () => {
  const client = start();
  const text = 'x'.repeat(17 * 1024 * 1024);
  await assert.rejects(
    client.request('checkConfig', { path: '/tmp/huge.yaml', text }),
    (error: WorkerRequestError) => error.code === 'invalid-params' && /larger than/.test(error.message),
  );
  assert.equal((await client.request('hello', {})).pid, client.pid);
});

test('a killed worker fails its pending requests as crashed and reports the exit', async () => {
  let exit: WorkerExit | undefined;
  const client = start((e) => {
    exit = e;
  });
  await client.ready;
  const run = client.request('echo', { steps: 1000, stepSeconds: 0.02 });
  process.kill(client.pid!, 'SIGKILL');
  await assert.rejects(run, (error: WorkerRequestError) => error.code === 'worker-crashed');
  assert.equal(exit?.signal, 'SIGKILL');
  assert.equal(exit?.expected, false);
  assert.equal(client.alive, false);
});

test('a missing Node binary fails start with worker-unavailable', async () => {
  const client = new WorkerClient({ nodePath: '/nonexistent/node', workerPath });
  await assert.rejects(client.ready, (error: WorkerRequestError) => error.code === 'worker-unavailable');
});
