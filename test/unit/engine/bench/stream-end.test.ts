import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { type LoadRequest, runLoad } from '../../../../src/engine/bench/load.js';
import { runBench } from '../../../../src/engine/bench/run.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { NO_SLO } from '../../../../src/engine/workload/slo-verdict.js';
import { chunk, fakeEndpoint, type SeenRequest, sseHeaders } from './fake-endpoint.js';

const options = {
  maxRequests: 10,
  maxWallSeconds: 10,
  timeoutSeconds: 5,
  seed: 1,
  tokenIdRange: [3, 200] as [number, number],
  mode: { kind: 'closed', concurrency: 2 } as const,
};
const INCOMPLETE_STREAM = 'stream ended before [DONE]/finish_reason';
const oneRequest: LoadRequest[] = [{ arrival: 0, promptTokens: 3, outputTokens: 3 }];

/** The load generator against an endpoint that answers every request with `reply`. */
async function replay(reply: (seen: SeenRequest, res: ServerResponse) => void, workload = oneRequest) {
  const endpoint = await fakeEndpoint(reply);
  try {
    return await runLoad({ url: endpoint.url, model: 'm', endpoint: 'completions' }, workload, options);
  } finally {
    await endpoint.close();
  }
}

/**
 * A bench run (no test request) of `n` requests of 4 prompt and 3 output tokens against `reply` (which
 * sees only the completions; /v1/models is not found).
 */
async function bench(reply: (seen: SeenRequest, res: ServerResponse) => void, n = 4) {
  const endpoint = await fakeEndpoint((seen, res) => {
    if (seen.method === 'POST') reply(seen, res);
    else res.writeHead(404).end();
  });
  const spec = 'constant:rate=100,prompt=fixed(4),output=fixed(3)';
  try {
    return await runBench({
      url: endpoint.url,
      servedModel: 'm',
      workload: loadWorkload(spec, { count: n }),
      workloadOrigin: { source: spec, seed: 0, count: n },
      mode: { kind: 'closed', concurrency: 2 },
      maxRequests: n,
      maxSeconds: 10,
      timeoutSeconds: 5,
      slo: NO_SLO,
      seed: 0,
      probe: false,
    });
  } finally {
    await endpoint.close();
  }
}

describe('load generator: when a stream counts as complete', () => {
  it('a stream closed after one token, without [DONE] or a finish_reason, is a failed request', async () => {
    const [r] = await replay((_, res) => {
      res.writeHead(200, sseHeaders);
      res.end(chunk('a'));
    });
    assert.equal(r.status, 'incomplete');
    assert.equal(r.error, INCOMPLETE_STREAM);
    assert.equal(r.tokenTimes.length, 1, 'the token that came is still recorded');

    const summary = await bench((_, res) => {
      res.writeHead(200, sseHeaders);
      res.end(chunk('a'));
    });
    assert.equal(summary.requests.completed, 0, 'not "4/4 completed"');
    assert.equal(summary.requests.failed, 4);
    assert.ok(
      summary.problems.includes(`4 requests failed: incomplete — 4× ${INCOMPLETE_STREAM}`),
      summary.problems.join('\n'),
    );
  });

  it('a finish_reason or [DONE] ends a stream, with or without the other, CRLF or LF', async () => {
    const finishOnly = await replay((_, res) => {
      res.writeHead(200, sseHeaders);
      res.end(chunk('a') + chunk('b') + chunk('c') + chunk('', 'length'));
    });
    assert.equal(finishOnly[0].status, 'ok', finishOnly[0].error);
    const doneOnly = await replay((_, res) => {
      res.writeHead(200, sseHeaders);
      res.end(`${chunk('a') + chunk('b') + chunk('c')}data: [DONE]`.replace(/\n/g, '\r\n'));
    });
    assert.equal(doneOnly[0].status, 'ok', doneOnly[0].error);
    assert.equal(doneOnly[0].tokenTimes.length, 3);
  });

  it('counts completed requests that streamed fewer tokens than asked under ignore_eos as a warning', async () => {
    let n = 0;
    const ignoreEos: unknown[] = [];
    const summary = await bench((seen, res) => {
      ignoreEos.push(JSON.parse(seen.body).ignore_eos);
      res.writeHead(200, sseHeaders);
      // Every other request stops after 1 of its 3 tokens: an end-of-sequence the server did not skip.
      res.end(++n % 2 === 0 ? chunk('a', 'stop') : chunk('a') + chunk('b') + chunk('c', 'length'));
    }, 6);
    assert.deepEqual(ignoreEos, [true, true, true, true, true, true]);
    assert.equal(summary.requests.completed, 6);
    assert.ok(
      summary.problems.some((p) =>
        p.startsWith(
          'warning: 3 completed requests streamed fewer tokens than the max_tokens they asked for although ignore_eos was sent',
        ),
      ),
      summary.problems.join('\n'),
    );
  });
});

describe('load generator: the server’s error text in the summary', () => {
  it('shows the first distinct messages with counts, numbers that vary grouped', async () => {
    let n = 0;
    const summary = await bench((_, res) => {
      n++;
      if (n === 4) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('upstream unavailable');
        return;
      }
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message: `context is 256 tokens; you requested ${300 + n} tokens`,
            type: 'BadRequestError',
          },
        }),
      );
    });
    assert.equal(summary.requests.failed, 4);
    const line = summary.problems.find((p) => p.startsWith('4 requests failed: http-error'));
    assert.ok(line, summary.problems.join('\n'));
    assert.match(
      line,
      /— 3× HTTP 400: context is 256 tokens; you requested 30\d tokens \(numbers vary\); 1× HTTP 503: upstream unavailable$/,
    );
  });
});
