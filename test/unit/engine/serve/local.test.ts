import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MeasuredRequestsFile } from '../../../../src/engine/bench/requests-file.js';
import { runBench } from '../../../../src/engine/bench/run.js';
import { measuredSummary } from '../../../../src/engine/bench/summary.js';
import { scaleCalibrationTime } from '../../../../src/engine/calibrate/fit.js';
import { createStorageBuffer, readBytes, uploadTensor } from '../../../../src/engine/gpu/buffers.js';
import { BufferArena } from '../../../../src/engine/kernels/arena.js';
import { argmax } from '../../../../src/engine/kernels/sampling.js';
import { presetModel } from '../../../../src/engine/serve/local/presets.js';
import { type LocalServer, startLocalServer } from '../../../../src/engine/serve/local/start.js';
import { RunSummary } from '../../../../src/engine/sim/summary.js';
import { SeededRandom } from '../../../../src/engine/util/random.js';
import { startBenchSession } from '../../../../src/engine/validate/bench-process.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { NO_SLO, SloDefinition } from '../../../../src/engine/workload/slo-verdict.js';
import { requireGpu, run } from '../../helpers/gpu-fixture.js';

const gpu = await requireGpu();
after(() => gpu.destroy());

function post(base: string, path: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('greedy argmax kernel', () => {
  it('matches the CPU on rows wider than a workgroup, lowest index on ties', async () => {
    const rows = 5;
    const width = 300;
    const x = new SeededRandom(7).floats(rows * width, 1);
    x[2 * width + 17] = 5;
    x[2 * width + 200] = 5;
    const arena = new BufferArena(gpu.device);
    const ids = createStorageBuffer(gpu.device, rows * 4, 'ids');
    await run(gpu, [
      argmax(gpu, arena, { dtype: 'f32', rows, width, x: uploadTensor(gpu.device, x, 'f32', 'x'), ids }),
    ]);
    const got = Array.from(new Uint32Array(await readBytes(gpu.device, ids, rows * 4)));
    const expected = Array.from({ length: rows }, (_, r) => {
      let best = 0;
      for (let i = 1; i < width; i++) if (x[r * width + i] > x[r * width + best]) best = i;
      return best;
    });
    assert.deepEqual(got, expected);
    assert.equal(got[2], 17);
    arena.destroy();
  });
});

describe('local reference engine behind the OpenAI server (tiny preset, real kernels)', () => {
  let served: LocalServer;
  before(async () => {
    served = await startLocalServer({
      model: presetModel('tiny'),
      gpu,
      port: 0,
      policy: 'vllm-v1',
      maxNumSeqs: 4,
      maxNumBatchedTokens: 32,
      maxWaiting: 64,
    });
  });
  after(async () => {
    await served.stop();
  });

  it('generates exactly max_tokens greedy tokens, the same for the same prompt', async () => {
    const body = {
      model: 'servetune-tiny',
      prompt: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
      max_tokens: 12,
      ignore_eos: true,
    };
    const a = await post(served.url, '/v1/completions', body);
    const b = await post(served.url, '/v1/completions', body);
    assert.equal(a.status, 200, a.body);
    const first = JSON.parse(a.body);
    assert.equal(first.usage.completion_tokens, 12);
    assert.equal(first.choices[0].text.length, 12);
    assert.equal(first.choices[0].text, JSON.parse(b.body).choices[0].text);
    assert.equal(served.engine.freeKvBlocks, served.engine.kv.totalBlocks);
  });

  it('runs what a sink defers to the next tick before the next step starts (a streamed token goes out at once)', async () => {
    // Node's HTTP responses defer each write to the next tick (corked until process.nextTick).
    const engine = served.engine;
    engine.steps.length = 0;
    const deferredRanAt: number[] = [];
    await new Promise<void>((resolve, reject) => {
      engine.submit(
        { id: 'deferred-write-probe', promptTokens: [3, 4, 5, 6, 7], maxTokens: 6, ignoreEos: true },
        {
          token: () => process.nextTick(() => deferredRanAt.push(performance.now())),
          finish: (reason, error) =>
            reason === 'length' ? resolve() : reject(new Error(`finished ${reason}: ${error}`)),
        },
      );
    });
    // The last step is recorded once its commit (where the request finished) is done.
    await new Promise((r) => setImmediate(r));
    const steps = engine.steps.slice();
    assert.equal(steps.length, 6, 'one prefill step and five decode steps');
    assert.equal(deferredRanAt.length, 6);
    for (let k = 0; k + 1 < steps.length; k++) {
      assert.ok(
        deferredRanAt[k] < steps[k + 1].startedAt,
        `token ${k + 1}'s deferred write ran ${(deferredRanAt[k] - steps[k + 1].startedAt).toFixed(3)} ms after step ${k + 2} began`,
      );
    }
  });

  it('answers 400 for a prompt longer than the preset’s context', async () => {
    const reply = await post(served.url, '/v1/completions', {
      model: 'servetune-tiny',
      prompt: Array.from({ length: 250 }, () => 9),
      max_tokens: 10,
    });
    assert.equal(reply.status, 400);
    assert.match(JSON.parse(reply.body).error.message, /maximum context length is 256/);
  });

  it('frees a request’s KV blocks at once when its client disconnects mid-stream', async () => {
    const total = served.engine.kv.totalBlocks;
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        `${served.url}/v1/completions`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.once('data', () => {
            assert.ok(served.engine.freeKvBlocks < total, 'the streaming request holds blocks');
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', () => {});
      req.end(
        JSON.stringify({
          model: 'servetune-tiny',
          prompt: [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
          max_tokens: 200,
          ignore_eos: true,
          stream: true,
        }),
      );
      setTimeout(() => reject(new Error('no token within 60 s')), 60_000).unref();
    });
    const deadline = Date.now() + 5000;
    while (served.engine.freeKvBlocks < total && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    assert.equal(served.engine.freeKvBlocks, total);
    assert.equal(served.engine.stats().running, 0);
  });

  it('the load generator measures a workload end to end in the simulator’s schema', async () => {
    const spec = 'poisson:rate=40,prompt=uniform(8,40),output=uniform(2,12)';
    const workload = loadWorkload(spec, { seed: 3, count: 12 });
    const summary = RunSummary.parse(
      await runBench({
        url: served.url,
        servedModel: 'servetune-tiny',
        workload,
        workloadOrigin: { source: spec, seed: 3, count: 12 },
        mode: { kind: 'open' },
        maxRequests: 12,
        maxSeconds: 120,
        timeoutSeconds: 60,
        slo: SloDefinition.parse({ ttft: 10 }),
        seed: 3,
      }),
    );
    const expectedOutput = workload.requests.reduce((s, r) => s + Math.round(r.outputTokens), 0);
    assert.equal(summary.kind, 'measured');
    assert.equal(summary.requests.completed, 12);
    assert.equal(summary.requests.failed, 0);
    assert.equal(summary.tokens.output, expectedOutput);
    assert.equal(summary.ttft?.count, 12);
    assert.equal(summary.itl?.count, expectedOutput - 12);
    assert.ok((summary.tpot?.mean ?? 0) > 0);
    assert.equal(summary.goodput?.fraction, 1);
  });

  it('servetune bench writes every request’s times, and they give its summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-bench-'));
    const spec = 'poisson:rate=30,prompt=uniform(8,40),output=uniform(2,10)';
    const summaryFile = join(dir, 'summary.json');
    const requestsFile = join(dir, 'requests.json');
    const child = spawn(
      process.execPath,
      ['dist/cli.mjs', 'bench', '--url', served.url, '--model', 'servetune-tiny', '--workload', spec].concat([
        '--seed',
        '4',
        '--max-requests',
        '10',
        '--out',
        summaryFile,
        '--requests-out',
        requestsFile,
      ]),
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);
    const file = MeasuredRequestsFile.parse(JSON.parse(readFileSync(requestsFile, 'utf8')));
    const summary = RunSummary.parse(JSON.parse(readFileSync(summaryFile, 'utf8')));
    const workload = loadWorkload(spec, { seed: 4, count: 10 });
    assert.equal(file.requests.length, 10);
    assert.deepEqual(
      file.requests.map((r) => r.promptTokens).sort((a, b) => a - b),
      workload.requests.map((r) => Math.round(r.promptTokens)).sort((a, b) => a - b),
    );
    for (const r of file.requests) {
      assert.equal(r.status, 'ok');
      assert.equal(r.tokenTimes.length, r.outputTokens);
      assert.ok(r.tokenTimes[0] > r.sentAt && r.finishedAt >= r.tokenTimes[r.tokenTimes.length - 1]);
    }
    assert.ok(Math.abs(file.startedAtEpochMs - Date.now()) < 120_000);
    assert.ok(summary.workload);
    const again = measuredSummary(file.requests, {
      label: summary.label,
      url: served.url,
      servedModel: 'servetune-tiny',
      workload: summary.workload,
      planned: 10,
      slo: NO_SLO,
      seed: 4,
      wallSeconds: summary.wallSeconds,
    });
    assert.deepEqual(again.ttft, summary.ttft);
    assert.deepEqual(again.tpot, summary.tpot);
    assert.deepEqual(again.itl, summary.itl);
  });

  it('servetune bench --session serves runs one after another in one process, each as asked', async () => {
    const spec = 'poisson:rate=30,n=10,prompt=uniform(8,40),output=uniform(2,10)';
    const session = startBenchSession(
      { command: process.execPath, args: ['dist/cli.mjs'] },
      { url: served.url, servedModel: 'servetune-tiny', workload: spec },
    );
    try {
      const first = await session.run({ seed: 4, count: 5, rate: null });
      const second = await session.run({ seed: 4, skip: 5, count: 5, rate: 40 });
      const workload = loadWorkload(spec, { seed: 4, count: 10 });
      const prompts = (requests: readonly { promptTokens: number }[]) =>
        requests.map((r) => Math.round(r.promptTokens)).sort((a, b) => a - b);
      for (const [result, part] of [
        [first, workload.requests.slice(0, 5)],
        [second, workload.requests.slice(5)],
      ] as const) {
        assert.equal(result.summary.requests.completed, 5);
        assert.deepEqual(
          prompts(result.requests),
          prompts(part),
          'the run sent the requests it was asked for',
        );
      }
      assert.equal(second.summary.workload?.skip, 5);
      assert.equal(second.summary.workload?.rate, 40);
      await assert.rejects(
        session.run({ seed: 4, skip: 10, count: 5, rate: null }),
        /run failed: .*no requests to send after skipping 10/,
      );
      // A failed run leaves the session serving.
      assert.equal((await session.run({ seed: 5, count: 2, rate: null })).summary.requests.completed, 2);
    } finally {
      await session.close();
    }
  });

  it("servetune bench --session takes a run's skip and rate from its flags where the line leaves them out", async () => {
    const spec = 'poisson:rate=30,n=10,prompt=uniform(8,40),output=uniform(2,10)';
    const child = spawn(
      process.execPath,
      [
        'dist/cli.mjs',
        'bench',
        '--session',
        '--url',
        served.url,
        '--model',
        'servetune-tiny',
        '--workload',
        spec,
      ].concat(['--skip', '6', '--rate', '25']),
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stdin.end(
      `${JSON.stringify({ seed: 4, maxRequests: 3 })}\n${JSON.stringify({ seed: 4, maxRequests: 3, skip: 0, rate: 50 })}\n`,
    );
    assert.equal(await new Promise<number | null>((resolve) => child.on('exit', resolve)), 0);
    const [fromFlags, fromLine] = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { summary: RunSummary });
    assert.equal(fromFlags.summary.workload?.skip, 6);
    assert.equal(fromFlags.summary.workload?.rate, 25);
    assert.equal(fromFlags.summary.requests.completed, 3);
    assert.equal(fromLine.summary.workload?.skip, undefined, "a line's own skip of 0 wins");
    assert.equal(fromLine.summary.workload?.rate, 50);
  });

  it('counts requests the server refuses as failed, never drops them', async () => {
    const spec = 'constant:rate=100,prompt=fixed(300),output=fixed(4)';
    const summary = await runBench({
      url: served.url,
      servedModel: 'servetune-tiny',
      workload: loadWorkload(spec, { count: 3 }),
      workloadOrigin: { source: spec, seed: 0, count: 3 },
      mode: { kind: 'closed', concurrency: 2 },
      maxRequests: 3,
      maxSeconds: 60,
      timeoutSeconds: 30,
      slo: NO_SLO,
      seed: 0,
    });
    assert.equal(summary.requests.total, 3);
    assert.equal(summary.requests.failed, 3);
    assert.match(summary.problems.join(';'), /3 requests failed: http-error/);
  });
});

describe('servetune serve as a process', () => {
  it('drains on SIGTERM: the request in flight completes and the process exits 0', async () => {
    const child = spawn(process.execPath, ['dist/cli.mjs', 'serve', '--preset', 'tiny', '--port', '0'], {
      env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening on (http:\/\/[^\s]+)/.exec(out);
        if (m) resolve(m[1]);
      });
      setTimeout(() => reject(new Error(`no listening line within 90 s: ${out}`)), 90_000).unref();
    });
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        `${url}/v1/completions`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          let signalled = false;
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
            if (!signalled) {
              signalled = true;
              child.kill('SIGTERM');
            }
          });
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(
        JSON.stringify({
          model: 'servetune-tiny',
          prompt: [5, 6, 7],
          max_tokens: 60,
          ignore_eos: true,
          stream: true,
        }),
      );
    });
    const events = body.split('\n\n').filter((e) => e.startsWith('data: {'));
    assert.equal(events.length, 61, 'every token and the final chunk arrived');
    assert.ok(body.trimEnd().endsWith('data: [DONE]'));
    assert.equal(await exited, 0);
  });
});

describe('validation on this machine', () => {
  it('predicts and measures the same workload and reports the error of every metric', async () => {
    const { runValidation } = await import('../../../../src/engine/validate/validate.js');
    const report = await runValidation({
      quick: true,
      model: presetModel('tiny'),
      workload: 'poisson:rate=40,prompt=uniform(8,40),output=uniform(4,12)',
      requests: 16,
      seed: 1,
      policy: 'vllm-v1',
      maxNumSeqs: 4,
      maxNumBatchedTokens: 32,
      blockSize: 16,
      dtype: 'f32',
      utilization: 0.8,
      warmUpRequests: 8,
      blockRequests: 5,
      // The load generator in its own process, as the CLI runs it.
      benchCommand: { command: process.execPath, args: ['dist/cli.mjs'] },
      gpu,
    });
    assert.equal(report.measured.requests.completed, 16);
    // A warm-up of 8 other requests (seed 2) was served first, then a twin of the validated run (16
    // requests, seed 3) at the rate the warm-up's fit gave, in blocks of 5, 5, 5 and 1 alternating with
    // the validated run's, and the step model fitted to the twin's steps.
    assert.equal(report.servedStepFit?.warmUpRequests, 8);
    assert.equal(report.servedStepFit?.requests, 16);
    assert.equal(report.servedStepFit?.seed, 3);
    assert.equal(report.servedStepFit?.blockRequests, 5);
    assert.equal(report.servedStepFit?.blocks, 4);
    assert.ok((report.servedStepFit?.rate ?? 0) > 0);
    const blocks = report.servedBlocks ?? [];
    assert.deepEqual(
      blocks.map((b) => `${b.kind}:${b.skip}+${b.requests}`),
      [
        'twin:0+5',
        'validated:0+5',
        'twin:5+5',
        'validated:5+5',
        'twin:10+5',
        'validated:10+5',
        'twin:15+1',
        'validated:15+1',
      ],
    );
    const stepsOf = (kind: string) => blocks.filter((b) => b.kind === kind).reduce((n, b) => n + b.steps, 0);
    assert.equal(
      stepsOf('twin'),
      report.servedStepFit?.steps,
      'the fit used the twin blocks’ steps, all of them',
    );
    assert.equal(report.steps.find((s) => s.kind === 'all')?.steps, stepsOf('validated'));
    // The validated blocks are summarized as one run and predicted as served: block after block.
    assert.equal(report.measured.workload?.blockRequests, 5);
    // …with the load generator on this host, as it was (so `calibrate` replays it so too).
    assert.equal(report.measured.workload?.clientSharesHost, true);
    // The validated run kept the twin's rate: a served step's time depends on the rate.
    assert.equal(report.workload.rate, report.servedStepFit?.rate);
    assert.ok((report.servedStepFit?.steps ?? 0) >= 16);
    // One step-time factor per fitted step: the engine's rare long steps keep their weight.
    assert.equal(report.calibration.stepTimeSpread?.length, report.servedStepFit?.steps);
    assert.ok((report.servedStepFit?.frontEndSeconds ?? -1) >= 0, 'the front end was measured');
    // …response by response: every twin request's client TTFT paired with the engine's own by its id.
    assert.equal(report.servedStepFit?.frontEndPairs, 16);
    // The prediction from the profile alone is reported beside it, for the same workload.
    assert.equal(report.profileOnly?.predicted.requests.completed, 16);
    assert.equal(report.profileOnly?.errors.length, 8);
    // The step model was fitted to the engine's own steps, measured by the profile at its shapes.
    assert.equal(report.profile.engineSteps?.model, 'servetune-tiny');
    assert.equal(report.profile.engineSteps?.maxTokens, 32);
    assert.ok((report.engineStepFit?.steps.length ?? 0) >= 4);
    // The rate was chosen from the predicted capacity.
    const capacity = report.workload.predictedCapacity ?? 0;
    assert.ok(capacity > 0);
    assert.equal(report.workload.utilization, 0.8);
    assert.ok(Math.abs((report.workload.rate ?? 0) / capacity - 0.8) < 1e-9);
    assert.equal(report.predicted.requests.completed, 16);
    assert.equal(report.measured.tokens.output, report.predicted.tokens.output);
    assert.deepEqual(
      report.errors.map((e) => `${e.metric}:${e.stat}`),
      ['ttft:mean', 'ttft:p90', 'tpot:mean', 'tpot:p90', 'itl:mean', 'itl:p90', 'e2e:mean', 'e2e:p90'],
    );
    assert.ok((report.profile.stepDispatchSeconds ?? 0) > 0);
    const all = report.steps.find((s) => s.kind === 'all');
    assert.ok(all && all.steps > 0 && all.predictedMeanSeconds > 0);

    // The measured run records its workload and deployment: calibrate fits the model to it. The recorded
    // calibration is made ten times as slow first, so the fit has something to correct.
    const dir = mkdtempSync(join(tmpdir(), 'servetune-calibrate-'));
    const config = report.measured.config;
    assert.ok(config, 'the measured run records its deployment');
    const offByTen = {
      ...config,
      calibration: scaleCalibrationTime(config.calibration!, 10, 'ten times as slow'),
    };
    writeFileSync(join(dir, 'bench.json'), JSON.stringify({ ...report.measured, config: offByTen }));
    const fit = spawnSync(
      process.execPath,
      [
        'dist/cli.mjs',
        'calibrate',
        '--measured',
        join(dir, 'bench.json'),
        '--out',
        join(dir, 'cal.json'),
        '--json',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(fit.status, 0, fit.stderr);
    const result = JSON.parse(fit.stdout);
    const measuredTpot = report.measured.tpot?.mean ?? 0;
    // Over 16 requests mean TPOT moves in jumps with the time factor (batches shift), so the fit lands
    // near the measured value, not on it, and far nearer than the model it started from.
    assert.ok(
      Math.abs(result.before.tpotMean / measuredTpot - 1) > 0.3,
      JSON.stringify({ before: result.before, measuredTpot }),
    );
    assert.ok(
      Math.abs(result.after.tpotMean / measuredTpot - 1) < 0.1,
      JSON.stringify({ after: result.after, measuredTpot }),
    );
    assert.ok(result.factor < 0.8, `the fit speeds the model up: factor ${result.factor}`);
    assert.ok(
      Math.abs(result.after.tpotMean - measuredTpot) <= Math.abs(result.before.tpotMean - measuredTpot),
      JSON.stringify({ before: result.before, after: result.after, measuredTpot }),
    );
    assert.equal(JSON.parse(readFileSync(join(dir, 'cal.json'), 'utf8')).source, result.calibration.source);
  });
});
