import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitToContext, MAX_PROMPT_TOKENS } from '../../../../src/engine/bench/request-sizes.js';
import { runBench } from '../../../../src/engine/bench/run.js';
import type { GenerationRequest } from '../../../../src/engine/serve/engine.js';
import { OpenAiServer } from '../../../../src/engine/serve/server.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';
import { NO_SLO } from '../../../../src/engine/workload/slo-verdict.js';
import type { Workload } from '../../../../src/engine/workload/types.js';
import { TimerEngine } from '../../helpers/timer-engine.js';
import { fakeEndpoint } from './fake-endpoint.js';

const workloadOf = (lengths: [number, number][]): Workload => ({
  source: 'trace.csv',
  hashBlockTokens: 512,
  requests: lengths.map(([promptTokens, outputTokens], i) => ({
    arrival: i * 0.01,
    promptTokens,
    outputTokens,
  })),
});

function bench(url: string, workload: Workload, onNotice?: (line: string) => void) {
  return runBench({
    url,
    servedModel: 'test-model',
    workload,
    workloadOrigin: { source: workload.source, seed: 0 },
    mode: { kind: 'closed', concurrency: 2 },
    maxRequests: workload.requests.length,
    maxSeconds: 20,
    timeoutSeconds: 10,
    slo: NO_SLO,
    seed: 0,
    tokenIdRange: [3, 900],
    fitToServer: true,
    onNotice,
  });
}

describe('bench: prompt sizes', () => {
  it('refuses a prompt past 1M tokens (a 1e12-token trace row) before sending anything', async () => {
    const endpoint = await fakeEndpoint((_, res) => res.writeHead(500).end());
    try {
      await assert.rejects(
        bench(
          endpoint.url,
          workloadOf([
            [10, 5],
            [1e12, 5],
          ]),
        ),
        (error: unknown) => {
          assert.ok(error instanceof ServeTuneError, String(error));
          assert.equal(error.where, '--workload');
          assert.match(
            error.message,
            /^--workload trace\.csv: request 2 of the run has a 1,000,000,000,000-token prompt; the load generator builds prompts of at most 1,000,000 tokens, so nothing was sent/,
          );
          return true;
        },
      );
      assert.equal(endpoint.seen.length, 0);
    } finally {
      await endpoint.close();
    }
    assert.equal(MAX_PROMPT_TOKENS, 1_000_000);
  });

  it('scales requests longer than the context down, prompt and output in proportion', () => {
    const { requests, fitted } = fitToContext(
      [
        { arrival: 0, promptTokens: 1024, outputTokens: 256 },
        { arrival: 1, promptTokens: 100, outputTokens: 100 },
        { arrival: 2, promptTokens: 1, outputTokens: 1000 },
        { arrival: 3, promptTokens: 5000, outputTokens: 1 },
      ],
      256,
    );
    assert.equal(fitted, 3);
    assert.deepEqual(
      requests.map((r) => [r.arrival, r.promptTokens, r.outputTokens]),
      [
        [0, 204, 52],
        [1, 100, 100],
        [2, 1, 255],
        [3, 255, 1],
      ],
    );
  });

  it("fits requests to the max_model_len the server's /v1/models reports, and says how many", async () => {
    const engine = new TimerEngine(4, 1); // max_model_len 64
    const seen: GenerationRequest[] = [];
    const submit = engine.submit.bind(engine);
    engine.submit = (request, sink) => {
      seen.push(request);
      return submit(request, sink);
    };
    const server = new OpenAiServer({ engine, maxWaiting: 100 });
    const { url } = await server.start();
    const notices: string[] = [];
    try {
      const summary = await bench(
        url,
        workloadOf([
          [100, 28],
          [20, 10],
          [60, 60],
        ]),
        (line) => notices.push(line),
      );
      assert.equal(summary.requests.completed, 3, summary.problems.join('; '));
      assert.deepEqual(
        seen
          .slice(1)
          .map((r) => [r.promptTokens.length, r.maxTokens])
          .sort((a, b) => a[0] - b[0]),
        [
          [20, 10],
          [32, 32],
          [50, 14],
        ],
      );
      assert.deepEqual(notices, [
        `2 of 3 requests are longer than test-model's max_model_len (64 tokens, prompt + output) as ${url} reports it: each is scaled down to fit, its prompt and output in proportion`,
      ]);
      assert.ok(
        summary.problems.includes(
          "2 of 3 requests were longer than the server's max_model_len (64 tokens, prompt + output) and were scaled down to fit it",
        ),
        summary.problems.join('; '),
      );
    } finally {
      await server.shutdown();
    }
  });
});
