import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LoadRequest, runLoad } from '../../../../src/engine/bench/load.js';
import type { MeasuredRequest } from '../../../../src/engine/bench/requests-file.js';
import { runBench } from '../../../../src/engine/bench/run.js';
import type { GenerationRequest } from '../../../../src/engine/serve/engine.js';
import { OpenAiServer } from '../../../../src/engine/serve/server.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { NO_SLO } from '../../../../src/engine/workload/slo-verdict.js';
import { peakInFlight } from '../../helpers/in-flight.js';
import { TimerEngine } from '../../helpers/timer-engine.js';

const target = (url: string) => ({ url, model: 'test-model', endpoint: 'completions' as const });
const base = {
  maxRequests: 1000,
  maxWallSeconds: 20,
  timeoutSeconds: 10,
  seed: 1,
  tokenIdRange: [3, 900] as [number, number],
};

/** The most requests sent and not finished at any instant. */
function peakOf(results: readonly MeasuredRequest[]): number {
  return peakInFlight(results.map((r) => ({ start: r.sentAt, end: r.finishedAt })));
}

describe('load generator against a live server', () => {
  it('closed loop: every request measured with exact lengths and one timestamp per token', async () => {
    const server = new OpenAiServer({ engine: new TimerEngine(4, 2), maxWaiting: 100 });
    const { url } = await server.start();
    const workload: LoadRequest[] = Array.from({ length: 12 }, (_, i) => ({
      arrival: 0,
      promptTokens: 5 + i,
      outputTokens: 3 + (i % 4),
    }));
    const results = await runLoad(target(url), workload, {
      ...base,
      mode: { kind: 'closed', concurrency: 3 },
    });
    await server.shutdown();
    assert.equal(results.length, 12);
    for (const r of results) {
      assert.equal(r.status, 'ok', r.error);
      assert.equal(r.outputTokens, workload[r.index].outputTokens);
      assert.equal(r.promptTokens, workload[r.index].promptTokens);
      assert.equal(r.tokenTimes.length, r.outputTokens);
      assert.ok(r.tokenTimes[0] > r.sentAt && r.finishedAt >= r.tokenTimes.at(-1)!);
      assert.match(r.responseId ?? '', /^cmpl-[0-9a-f]{32}$/, 'the response as the server named it');
    }
    assert.equal(new Set(results.map((r) => r.responseId)).size, 12, 'one id per response');
  });

  it('closed loop: never more than N in flight, the next sent as one ends, one after another at N = 1', async () => {
    const server = new OpenAiServer({ engine: new TimerEngine(16, 2), maxWaiting: 100 });
    const { url } = await server.start();
    const workload: LoadRequest[] = Array.from({ length: 24 }, (_, i) => ({
      arrival: 100 * i,
      promptTokens: 4,
      outputTokens: 2 + ((i * 5) % 9),
    }));
    try {
      for (const concurrency of [1, 3]) {
        const results = await runLoad(target(url), workload, {
          ...base,
          mode: { kind: 'closed', concurrency },
        });
        assert.ok(results.every((r) => r.status === 'ok'));
        assert.equal(peakOf(results), concurrency);
        const sends = results.map((r) => r.sentAt).sort((a, b) => a - b);
        const finishes = results.map((r) => r.finishedAt).sort((a, b) => a - b);
        assert.ok(sends[concurrency - 1] < 0.25, 'the first N go out at once, whatever their arrival times');
        // The i-th send after the first N follows the i-th end, at once.
        sends.slice(concurrency).forEach((send, i) => {
          const after = send - finishes[i];
          assert.ok(
            after >= 0 && after < 0.25,
            `send ${i + concurrency} ${(after * 1e3).toFixed(1)} ms after an end`,
          );
        });
      }
      const thinking = await runLoad(target(url), workload.slice(0, 6), {
        ...base,
        mode: { kind: 'closed', concurrency: 1, thinkSeconds: 0.03 },
      });
      for (let i = 1; i < thinking.length; i++) {
        const wait = thinking[i].sentAt - thinking[i - 1].finishedAt;
        assert.ok(
          wait >= 0.03 && wait < 0.3,
          `request ${i} sent ${(wait * 1e3).toFixed(1)} ms after the last ended`,
        );
      }
    } finally {
      await server.shutdown();
    }
  });

  it('a warm-up is left out of the summary as simulate leaves it out, and the loop is recorded', async () => {
    const server = new OpenAiServer({ engine: new TimerEngine(4, 2), maxWaiting: 100 });
    const { url } = await server.start();
    const spec = 'constant:rate=50,prompt=fixed(6),output=fixed(5),n=12';
    try {
      const summary = await runBench({
        url,
        servedModel: 'test-model',
        workload: loadWorkload(spec),
        workloadOrigin: { source: spec, seed: 0 },
        mode: { kind: 'closed', concurrency: 2, thinkSeconds: 0.01 },
        warmUpRequests: 4,
        maxRequests: 12,
        maxSeconds: 20,
        timeoutSeconds: 10,
        slo: NO_SLO,
        seed: 0,
        tokenIdRange: [3, 900],
      });
      assert.deepEqual(summary.load, {
        mode: 'closed',
        concurrency: 2,
        thinkSeconds: 0.01,
        warmUpRequests: 4,
      });
      assert.equal(summary.workload?.mode, 'closed');
      assert.equal(summary.requests.completed, 12, 'the counts cover the whole run');
      assert.ok(summary.ttft!.count <= 8 && summary.ttft!.count >= 6, `${summary.ttft!.count} counted`);
      assert.equal(summary.tokens.output, summary.ttft!.count * 5);
      assert.ok(summary.itl!.count < 12 * 4, 'gaps before the warm-up ended are left out');
    } finally {
      await server.shutdown();
    }
  });

  it('open loop: requests go out at their arrival times, not waiting for answers', async () => {
    const server = new OpenAiServer({ engine: new TimerEngine(8, 5), maxWaiting: 100 });
    const { url } = await server.start();
    const workload: LoadRequest[] = [0, 0.05, 0.1, 0.15].map((arrival) => ({
      arrival,
      promptTokens: 4,
      outputTokens: 40,
    }));
    const results = await runLoad(target(url), workload, { ...base, mode: { kind: 'open' } });
    await server.shutdown();
    // Each answer takes ~200 ms, four times the gaps: sends must not wait for earlier answers.
    results.forEach((r, i) => {
      assert.ok(Math.abs(r.sentAt - workload[i].arrival) < 0.1, `request ${i} sent at ${r.sentAt}`);
    });
  });

  it('open loop: no request goes out before its arrival time, at fractions of a millisecond too', async () => {
    const server = new OpenAiServer({ engine: new TimerEngine(8, 1), maxWaiting: 100 });
    const { url } = await server.start();
    const workload: LoadRequest[] = Array.from({ length: 30 }, (_, i) => ({
      arrival: 0.0013 + i * 0.0037,
      promptTokens: 4,
      outputTokens: 2,
    }));
    const results = await runLoad(target(url), workload, { ...base, mode: { kind: 'open' } });
    await server.shutdown();
    const early = results.filter((r) => r.sentAt < r.scheduledAt);
    assert.deepEqual(
      early.map((r) => `request ${r.index}: ${((r.scheduledAt - r.sentAt) * 1e3).toFixed(3)} ms early`),
      [],
    );
  });

  it('counts refused, timed-out and unfinished requests instead of dropping them', async () => {
    const workload: LoadRequest[] = Array.from({ length: 4 }, () => ({
      arrival: 0,
      promptTokens: 2,
      outputTokens: 30,
    }));
    const busy = new OpenAiServer({ engine: new TimerEngine(1, 20), maxWaiting: 1 });
    try {
      const { url } = await busy.start();
      const results = await runLoad(target(url), workload, {
        ...base,
        timeoutSeconds: 0.3,
        mode: { kind: 'open' },
      });
      const statuses = results.map((r) => r.status).sort();
      assert.equal(results.length, 4);
      // One runs (and times out at 0.3 s of its 0.6 s), one waits (times out), two are refused with 429.
      assert.deepEqual(
        statuses,
        ['http-error', 'http-error', 'timeout', 'timeout'],
        JSON.stringify(results.map((r) => r.error)),
      );
      assert.ok(
        results.filter((r) => r.status === 'http-error').every((r) => /HTTP 429/.test(r.error ?? '')),
      );
    } finally {
      await busy.shutdown();
    }
    const slow = new OpenAiServer({ engine: new TimerEngine(1, 20), maxWaiting: 1 });
    try {
      const { url } = await slow.start();
      const bounded = await runLoad(target(url), workload.slice(0, 1), {
        ...base,
        maxWallSeconds: 0.1,
        mode: { kind: 'open' },
      });
      assert.equal(bounded[0].status, 'cancelled', bounded[0].error);
    } finally {
      await slow.shutdown();
    }
  });

  it('a server that is not there is a network error per request, not a crash', async () => {
    const results = await runLoad(
      target('http://127.0.0.1:9'),
      [{ arrival: 0, promptTokens: 1, outputTokens: 1 }],
      {
        ...base,
        mode: { kind: 'closed', concurrency: 1 },
      },
    );
    assert.equal(results[0].status, 'network-error');
  });

  it('sends one 1-token test request before the run, and a failing one stops the run with its reason', async () => {
    const engine = new TimerEngine(4, 2);
    const seen: GenerationRequest[] = [];
    const submit = engine.submit.bind(engine);
    engine.submit = (request, sink) => {
      seen.push(request);
      return submit(request, sink);
    };
    const server = new OpenAiServer({ engine, maxWaiting: 100 });
    const { url } = await server.start();
    const spec = 'constant:rate=50,prompt=fixed(6),output=fixed(3)';
    const bench = (model: string, probe?: boolean) =>
      runBench({
        url,
        servedModel: model,
        workload: loadWorkload(spec, { count: 3 }),
        workloadOrigin: { source: spec, seed: 0, count: 3 },
        mode: { kind: 'open' },
        maxRequests: 3,
        maxSeconds: 20,
        timeoutSeconds: 10,
        slo: NO_SLO,
        seed: 0,
        tokenIdRange: [3, 900],
        probe,
      });
    try {
      const summary = await bench('test-model');
      assert.equal(summary.requests.completed, 3, 'the test request is not part of the run');
      assert.deepEqual(
        seen.map((r) => [r.promptTokens.length, r.maxTokens]),
        [
          [1, 1],
          [6, 3],
          [6, 3],
          [6, 3],
        ],
      );
      await assert.rejects(
        bench('no-such-model'),
        /did not complete a test request .* model no-such-model, so the run was not started: http-error: .*does not exist/,
      );
      const unprobed = await bench('no-such-model', false);
      assert.equal(
        unprobed.requests.failed,
        3,
        'without the test request, every request fails and is counted',
      );
    } finally {
      await server.shutdown();
    }
  });
});
