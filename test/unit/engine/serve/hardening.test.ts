import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { OpenAiServer } from '../../../../src/engine/serve/server.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';
import { TimerEngine } from '../../helpers/timer-engine.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Whether the whole body arrived. */
  complete: boolean;
}

/** One request to a server this test started on 127.0.0.1; `body` is sent as it is. */
function call(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; chunked?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${path}`,
      {
        method: options.method ?? 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        // 'close' also comes when the server cuts the body short (then without 'end').
        res.on('close', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, complete: res.complete }),
        );
      },
    );
    req.on('error', reject);
    if (options.chunked && options.body !== undefined) {
      // No Content-Length: the size is only known as the body arrives.
      for (let i = 0; i < options.body.length; i += 64 * 1024)
        req.write(options.body.slice(i, i + 64 * 1024));
      req.end();
    } else req.end(options.body);
  });
}

const errorOf = (reply: Reply) =>
  JSON.parse(reply.body).error as { message: string; type: string; code: number };
const completion = JSON.stringify({ model: 'test-model', prompt: [5, 6], max_tokens: 2 });

describe('serve: request bodies', () => {
  const server = new OpenAiServer({ engine: new TimerEngine(2, 1), maxWaiting: 8 });
  let url = '';
  before(async () => {
    url = (await server.start()).url;
  });
  after(() => server.shutdown());

  it('answers 413 for a body over 1 MiB, naming the limit, declared or streamed', async () => {
    const big = JSON.stringify({ model: 'test-model', prompt: 'x'.repeat(1_100_000), max_tokens: 1 });
    for (const chunked of [false, true]) {
      const reply = await call(url, '/v1/completions', { body: big, chunked });
      assert.equal(reply.status, 413, `chunked ${chunked}: ${reply.body}`);
      assert.match(errorOf(reply).message, /larger than the server's limit of 1 MiB \(1,048,576 bytes\)/);
      assert.equal(errorOf(reply).code, 413);
    }
    assert.equal(
      (await call(url, '/v1/completions', { body: completion })).status,
      200,
      'the server goes on',
    );
  });

  it('answers 400 with what is wrong for a body that is not a JSON object', async () => {
    const cases: [string, RegExp][] = [
      ['{"model": ', /^the request body is not valid JSON: /],
      ['', /^the request body is not valid JSON: the body is empty$/],
      ['null', /^the request body must be a JSON object, got null$/],
      ['[1, 2]', /^the request body must be a JSON object, got an array$/],
      ['"text"', /^the request body must be a JSON object, got a string$/],
    ];
    for (const [body, message] of cases) {
      const reply = await call(url, '/v1/completions', { body });
      assert.equal(reply.status, 400, body);
      assert.match(errorOf(reply).message, message, body);
      assert.equal(errorOf(reply).type, 'BadRequestError');
    }
  });
});

describe('serve --api-key', () => {
  const server = new OpenAiServer({ engine: new TimerEngine(2, 1), maxWaiting: 8, apiKey: 'sk-test-123' });
  let url = '';
  before(async () => {
    url = (await server.start()).url;
  });
  after(() => server.shutdown());

  it('refuses /v1/ requests without the bearer key with an OpenAI-style 401', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /no API key given/],
      [{ authorization: 'Bearer sk-test-12' }, /incorrect API key/],
      [{ authorization: 'Bearer sk-test-1234' }, /incorrect API key/],
      [{ authorization: 'sk-test-123' }, /incorrect API key/],
      [{ authorization: 'Basic c2stdGVzdC0xMjM=' }, /incorrect API key/],
    ];
    for (const [headers, message] of cases) {
      for (const [method, path] of [
        ['POST', '/v1/completions'],
        ['GET', '/v1/models'],
      ]) {
        const reply = await call(url, path, {
          method,
          headers,
          body: method === 'POST' ? completion : undefined,
        });
        assert.equal(reply.status, 401, `${method} ${path} ${JSON.stringify(headers)}`);
        const error = errorOf(reply);
        assert.match(error.message, message);
        assert.equal(error.type, 'AuthenticationError');
        assert.equal(error.code, 401);
        assert.equal(reply.headers['www-authenticate'], 'Bearer');
      }
    }
  });

  it('serves requests with the key; /health and /metrics stay open', async () => {
    const headers = { authorization: 'Bearer sk-test-123' };
    const reply = await call(url, '/v1/completions', { headers, body: completion });
    assert.equal(reply.status, 200, reply.body);
    assert.equal(JSON.parse(reply.body).usage.completion_tokens, 2);
    assert.equal(
      (await call(url, '/v1/models', { method: 'GET', headers: { authorization: 'bearer sk-test-123' } }))
        .status,
      200,
    );
    assert.equal((await call(url, '/health', { method: 'GET' })).status, 200);
    assert.equal((await call(url, '/metrics', { method: 'GET' })).status, 200);
  });
});

describe('serve: listening and shutting down', () => {
  it('a port in use is a named error suggesting --port 0, not a stack', async () => {
    const first = new OpenAiServer({ engine: new TimerEngine(1, 1), maxWaiting: 1 });
    const { port } = await first.start();
    const second = new OpenAiServer({ engine: new TimerEngine(1, 1), maxWaiting: 1, port });
    try {
      await assert.rejects(second.start(), (error: unknown) => {
        assert.ok(error instanceof ServeTuneError, String(error));
        assert.equal(error.where, '--port');
        assert.match(
          error.message,
          new RegExp(
            `^port ${port} on 127\\.0\\.0\\.1 is already in use .*--port, or --port 0 for any free port`,
          ),
        );
        return true;
      });
    } finally {
      await first.shutdown();
    }
  });

  it('closes what is left after the drain deadline: a client stalled mid-body, a long generation', async () => {
    const engine = new TimerEngine(2, 50);
    const logged: string[] = [];
    const server = new OpenAiServer({ engine, maxWaiting: 8, drainSeconds: 0.5, log: (l) => logged.push(l) });
    const { url, port } = await server.start();
    // Sends its headers and 9 of the 1000 bytes it announced, then nothing.
    const stalled = connect(port, '127.0.0.1');
    stalled.on('error', () => {});
    await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
    stalled.write(
      'POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":',
    );
    // 60 tokens at 50 ms: 3 s, past the deadline.
    const long = call(url, '/v1/completions', {
      body: JSON.stringify({ model: 'test-model', prompt: [1], max_tokens: 60, stream: true }),
    }).catch((error: Error) => error);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const outcome = await Promise.race([
      server.shutdown().then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('still open after 2.5 s'), 2500)),
    ]);
    const seconds = (Date.now() - started) / 1000;
    stalled.destroy();
    assert.equal(outcome, 'closed');
    assert.ok(seconds >= 0.45, `closed after ${seconds} s, before the deadline`);
    assert.equal(engine.cancelled.length, 1, 'the generation in flight was cancelled');
    const cut = await long;
    assert.ok(cut instanceof Error || !cut.complete, 'the long stream was cut');
    assert.match(
      logged.join('\n'),
      /drain deadline \(0\.5 s\) passed: closing the connections left, cancelling 1 requests/,
    );
  });
});
