import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { searchChartModel } from '../../../src/engine/chart/search-chart.js';
import { validationChartModel } from '../../../src/engine/chart/validation-chart.js';
import { getHardware } from '../../../src/engine/hardware/catalog.js';
import { defaultCalibrationFor } from '../../../src/engine/perf/calibration.js';
import { searchServing } from '../../../src/engine/search/run.js';
import { simulate } from '../../../src/engine/sim/simulate.js';
import { loadWorkload } from '../../../src/engine/workload/load.js';
import { summarizeWorkload } from '../../../src/engine/workload/summary.js';
import { simulationMarkdown } from '../../../src/extension/simulation-report.js';
import { WorkerClient, type WorkerRequestError } from '../../../src/extension/worker/client.js';
import { L40S_DP2, l40sLlama8b } from '../helpers/l40s-dp2.js';

// The engine worker's long methods, through the real bundle (dist/worker.mjs): results validated by the
// client against the method schemas, equal to what the engine computes in-process, and cancellation.

const workerPath = resolve('dist/worker.mjs');
const TRACE = resolve('test/fixtures/e2e-workspace/traces/chat-azure.csv');
const BROKEN = resolve('test/fixtures/e2e-workspace/traces/broken-azure.csv');
const SMALL = 'poisson:rate=4,n=200,prompt=lognormal(512,0.6),output=lognormal(128,0.5)';
const clients: WorkerClient[] = [];
/** llama-3.1-8b on one L40S under vLLM V1's scheduler: the closed-loop tests' deployment. */
const ONE_L40S = l40sLlama8b(1);

function start(env: Record<string, string> = {}): WorkerClient {
  mkdirSync('/tmp/xdg', { recursive: true });
  const client = new WorkerClient({
    nodePath: process.execPath,
    workerPath,
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp/xdg', ...env },
  });
  clients.push(client);
  return client;
}

after(async () => {
  await Promise.all(clients.map((client) => client.stop()));
});

test('importTrace summarizes a trace exactly as the engine reads it', async () => {
  const client = start();
  const imported = await client.request('importTrace', { file: TRACE });
  assert.equal(imported.format, 'azure');
  assert.deepEqual(imported.summary, summarizeWorkload(loadWorkload(TRACE)));
  assert.equal(imported.summary.requests, 120);
  assert.ok(imported.summary.ratePerSecond! > 1 && imported.summary.ratePerSecond! < 4);
  assert.ok(imported.summary.promptTokens.p50 <= imported.summary.promptTokens.p99);
});

test('importTrace of a malformed trace fails naming the file, line and field', async () => {
  const client = start();
  await assert.rejects(client.request('importTrace', { file: BROKEN }), (error: WorkerRequestError) => {
    assert.equal(error.code, 'invalid-config');
    assert.equal(error.where, `${BROKEN}:9:GeneratedTokens`);
    assert.match(error.message, /broken-azure\.csv:9: field 'GeneratedTokens'/);
    return true;
  });
  await assert.rejects(
    client.request('importTrace', { file: resolve('test/fixtures/no-such-trace.csv') }),
    (error: WorkerRequestError) => error.code === 'io' && /no such file/.test(error.message),
  );
});

test('simulate returns the RunSummary the simulator computes in-process', async () => {
  const client = start();
  const config = L40S_DP2;
  const progress: string[] = [];
  const summary = await client.request(
    'simulate',
    { config, workload: SMALL },
    { onProgress: (_d, _t, message) => progress.push(message ?? '') },
  );
  const local = simulate(config, loadWorkload(SMALL));
  assert.deepEqual({ ...summary, wallSeconds: 0 }, { ...local, wallSeconds: 0 });
  assert.equal(summary.requests.total, 200);
  assert.ok(progress.includes('simulating 200 requests'));
});

test('simulate with a calibration file times the steps with it, as simulate --calibration; a bad one names the file', async () => {
  const client = start();
  const config = L40S_DP2;
  // A fitted calibration with 5 ms of host work per step: every step, and so every TPOT, slower.
  const calibration = { ...defaultCalibrationFor(getHardware('l40s')), stepOverheadSeconds: 0.005 };
  const dir = mkdtempSync(join(tmpdir(), 'servetune-calibration-'));
  const file = join(dir, 'calibration.json');
  writeFileSync(file, JSON.stringify(calibration));
  const summary = await client.request('simulate', { config, workload: SMALL, calibration: file });
  const local = simulate({ ...config, calibration }, loadWorkload(SMALL), { calibrationFile: file });
  assert.deepEqual({ ...summary, wallSeconds: 0 }, { ...local, wallSeconds: 0 });
  // The editor's report names the file, as the CLI's does.
  assert.equal(summary.calibrationFile, file);
  assert.ok(
    simulationMarkdown(summary, SMALL).includes(
      `- Step times calibrated with ${file} (${calibration.source})`,
    ),
  );
  const plain = simulate(config, loadWorkload(SMALL));
  assert.ok(summary.tpot!.p50 > plain.tpot!.p50, 'the calibration times the steps');
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, JSON.stringify({ source: 'x' }));
  await assert.rejects(
    client.request('simulate', { config, workload: SMALL, calibration: broken }),
    (error: WorkerRequestError) => error.message.includes(`${broken}: not a calibration`),
  );
});

test('simulate with a concurrency replays the workload closed loop, as the engine does in-process', async () => {
  const client = start();
  const config = ONE_L40S;
  const summary = await client.request('simulate', {
    config,
    workload: SMALL,
    concurrency: 8,
    thinkSeconds: 0.5,
    warmUpRequests: 16,
  });
  const local = simulate(config, loadWorkload(SMALL), {
    closedLoop: { concurrency: 8, thinkSeconds: 0.5 },
    warmUpRequests: 16,
  });
  assert.deepEqual({ ...summary, wallSeconds: 0 }, { ...local, wallSeconds: 0 });
  assert.deepEqual(summary.load, { mode: 'closed', concurrency: 8, thinkSeconds: 0.5, warmUpRequests: 16 });
  await assert.rejects(
    client.request('simulate', { config, workload: SMALL, concurrency: 8, rate: 2 }),
    (error: WorkerRequestError) => error.code === 'invalid-argument' && error.where === 'concurrency',
  );
});

test('simulate with warmUpPhase runs the warm-up as a phase of its own, as the engine does in-process', async () => {
  const client = start();
  const config = ONE_L40S;
  const load = { concurrency: 8, warmUpRequests: 16 };
  const summary = await client.request('simulate', { config, workload: SMALL, ...load, warmUpPhase: true });
  const local = simulate(config, loadWorkload(SMALL), {
    closedLoop: { concurrency: 8, warmUpPhase: 16 },
    warmUpRequests: 16,
  });
  assert.deepEqual({ ...summary, wallSeconds: 0 }, { ...local, wallSeconds: 0 });
  assert.equal(summary.load?.warmUpPhase, true);
  // Without the phase the measured requests start while the warm-up runs: another run.
  const overlapped = await client.request('simulate', { config, workload: SMALL, ...load });
  assert.notDeepEqual(overlapped.ttft, summary.ttft);
  for (const params of [{ concurrency: 8 }, { warmUpRequests: 16 }]) {
    await assert.rejects(
      client.request('simulate', { config, workload: SMALL, ...params, warmUpPhase: true }),
      (error: WorkerRequestError) => error.code === 'invalid-argument' && error.where === 'warmUpPhase',
    );
  }
});

test("simulate with maxTokens 'output' plans with each request's output, as the engine does in-process", async () => {
  const client = start();
  // Orca reserves each request's max_tokens: its default (the rest of the context) admits fewer.
  const pool = {
    ...ONE_L40S.deployment.pool,
    // A context Orca can reserve at all on one L40S (the model's own 128K leaves it no room).
    scheduler: { policy: 'orca' as const, maxModelLen: 32768 },
  };
  const config = { ...ONE_L40S, deployment: { ...ONE_L40S.deployment, pool } };
  const summary = await client.request('simulate', {
    config,
    workload: SMALL,
    concurrency: 64,
    maxTokens: 'output',
  });
  const local = simulate(config, loadWorkload(SMALL), {
    closedLoop: { concurrency: 64 },
    maxTokens: 'output',
  });
  assert.deepEqual({ ...summary, wallSeconds: 0 }, { ...local, wallSeconds: 0 });
  const asDefault = simulate(config, loadWorkload(SMALL), { closedLoop: { concurrency: 64 } });
  assert.notDeepEqual(summary.ttft, asDefault.ttft, 'max_tokens reached the scheduler');
  await assert.rejects(
    client.request('simulate', { config, workload: SMALL, maxTokens: 0 }),
    (error: WorkerRequestError) => error.code === 'invalid-params' && /maxTokens/.test(error.message),
  );
});

test('search returns the SearchResult of the engine, and its chart has the fronts and the best', async () => {
  const client = start();
  const input = {
    model: 'llama-3.1-8b',
    hardware: 'l40s',
    gpus: 2,
    workload: SMALL,
    slo: { ttft: 2, tbt: 0.1, form: 'percentile' as const, percentile: 'p90' as const },
    sampleRequests: 200,
  };
  let progressed = 0;
  const result = await client.request('search', input, { onProgress: () => progressed++ });
  assert.ok(progressed > 0, 'the search reports progress');
  const local = await searchServing({ ...input, threads: 0 });
  assert.equal(result.best, local.best);
  assert.deepEqual(result.fronts, local.fronts);
  assert.equal(result.configurations.length, local.configurations.length);
  const chart = searchChartModel(result);
  assert.equal(chart.bestId, result.best);
  const onLatencyFront = chart.points.filter((p) => p.fronts.includes('latency-p90')).length;
  assert.equal(onLatencyFront, result.fronts.latency.length);
  assert.ok(chart.charts.find((c) => c.id === 'latency-p90')?.region, 'the SLO box is on the p90 chart');
});

test('cancelling a search stops it in the worker, which then answers the next request', async () => {
  const client = start();
  const controller = new AbortController();
  const started = Date.now();
  const running = client.request(
    'search',
    {
      model: 'llama-3.1-70b',
      hardware: 'h100-sxm',
      gpus: 8,
      workload: 'poisson:rate=4,n=1000,prompt=lognormal(1024,0.8),output=lognormal(256,0.6)',
      slo: { ttft: 2, tbt: 0.05, percentile: 'p90' },
      allowQuantization: true,
      disaggregation: true,
    },
    { signal: controller.signal, onProgress: () => controller.abort() },
  );
  await assert.rejects(running, (error: WorkerRequestError) => error.code === 'cancelled');
  assert.ok(Date.now() - started < 20_000, 'the cancel took effect promptly');
  const hello = await client.request('hello', {});
  assert.ok(hello.methods.includes('search'));
  const imported = await client.request('importTrace', { file: TRACE });
  assert.equal(imported.summary.requests, 120);
});

const LONG_SIMULATION = {
  config: L40S_DP2,
  workload: 'poisson:rate=20,n=100000,prompt=lognormal(512,0.6),output=lognormal(128,0.5)',
};

test('cancelling a simulate stops it mid-run, and the worker answers others while it runs', async () => {
  const client = start();
  const controller = new AbortController();
  let arrivedAtCancel = -1;
  let helloDuringRun = false;
  let settled = false;
  const running = client.request('simulate', LONG_SIMULATION, {
    signal: controller.signal,
    onProgress: (done, total) => {
      if (arrivedAtCancel >= 0 || done === 0 || total !== 100_000) return;
      void client.request('hello', {}).then(() => {
        helloDuringRun = !settled;
        arrivedAtCancel = done;
        controller.abort();
      });
    },
  });
  await assert.rejects(running, (error: WorkerRequestError) => error.code === 'cancelled');
  settled = true;
  assert.ok(helloDuringRun, 'hello was answered while the simulation ran');
  assert.ok(arrivedAtCancel > 0 && arrivedAtCancel < 100_000, `cancelled mid-run (${arrivedAtCancel})`);
  assert.equal(client.inFlight, 0);
  assert.equal((await client.request('hello', {})).pid, client.pid);
});

test('a simulate past its timeout fails as timeout, and the worker goes on serving', async () => {
  const client = start();
  const started = Date.now();
  await assert.rejects(
    client.request('simulate', LONG_SIMULATION, { timeoutMs: 200 }),
    (error: WorkerRequestError) =>
      error.code === 'timeout' && /simulate did not finish within 0\.2 s/.test(error.message),
  );
  assert.ok(Date.now() - started < 5000 + 4000, 'the worker stopped it, not the client after its grace');
  assert.equal((await client.request('hello', {})).pid, client.pid);
});

test('cancelling a profile stops the measurement and the request fails as cancelled', async () => {
  const client = start();
  const controller = new AbortController();
  const running = client.request(
    'profile',
    { quick: true, model: 'llama-3.1-8b' },
    { signal: controller.signal, onProgress: () => controller.abort() },
  );
  await assert.rejects(running, (error: WorkerRequestError) => error.code === 'cancelled');
  assert.equal((await client.request('hello', {})).pid, client.pid);
});

test('validate profiles, predicts and serves the requested number of requests, with progress', async () => {
  const client = start();
  const progress: { done: number; message: string }[] = [];
  const report = await client.request(
    'validate',
    { quick: true, requests: 8 },
    { onProgress: (done, _total, message) => progress.push({ done, message: message ?? '' }) },
  );
  assert.equal(report.quick, true);
  assert.equal(report.workload.requests, 8);
  assert.equal(report.measured.requests.completed, 8);
  assert.equal(report.predicted.requests.total, 8);
  // The CLI's default: arrivals at half the capacity predicted from the profile.
  assert.equal(report.workload.utilization, 0.5);
  const chart = validationChartModel(report);
  assert.equal(chart.rows.length, 8);
  assert.ok(progress.some((p) => /profile \[\d+\/\d+\]/.test(p.message)));
  assert.ok(progress.some((p) => /8\/8 requests done/.test(p.message) && p.done === 100));
  const done = progress.map((p) => p.done);
  assert.deepEqual(
    done,
    [...done].sort((a, b) => a - b),
    'the bar only moves forward',
  );
});

test('cancelling a validation while it serves stops it, and the worker answers the next request', async () => {
  const client = start();
  const controller = new AbortController();
  let cancelledAt = 0;
  let lastServed = '';
  const running = client.request(
    'validate',
    // 1000 requests at tens per second: most of a minute of serving left when the cancel comes.
    { quick: true, requests: 1000 },
    {
      signal: controller.signal,
      onProgress: (_done, _total, message) => {
        if (!/requests done/.test(message ?? '')) return;
        lastServed = message ?? '';
        if (cancelledAt === 0) {
          cancelledAt = Date.now();
          controller.abort();
        }
      },
    },
  );
  await assert.rejects(running, (error: WorkerRequestError) => error.code === 'cancelled');
  assert.ok(cancelledAt > 0, 'the run reached the serving stage');
  assert.ok(
    Date.now() - cancelledAt < 10_000,
    `the cancel took effect promptly (${Date.now() - cancelledAt} ms)`,
  );
  const [, served, total] = /(\d+)\/(\d+) requests done/.exec(lastServed) ?? [];
  assert.ok(Number(served) < Number(total), `stopped before the end (${lastServed})`);
  assert.equal((await client.request('hello', {})).pid, client.pid);
});

test('validate without a GPU adapter fails with no-gpu and says what to install', async () => {
  // No Vulkan driver: Dawn finds no adapter.
  const client = start({ VK_ICD_FILENAMES: '/nonexistent-icd.json' });
  await assert.rejects(
    client.request('validate', { quick: true, requests: 4 }),
    (error: WorkerRequestError) => {
      assert.equal(error.code, 'no-gpu');
      assert.match(error.message, /No WebGPU adapter.*Vulkan/);
      return true;
    },
  );
  assert.equal((await client.request('hello', {})).pid, client.pid);
});
