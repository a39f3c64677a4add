import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { OpenAiServer } from '../../../../src/engine/serve/server.js';
import { TimerEngine } from '../../helpers/timer-engine.js';

interface Reply {
  status: number;
  body: string;
}

function call(base: string, method: string, path: string, body?: unknown, raw?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${path}`,
      { method, headers: { 'content-type': 'application/json' } },
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
    if (raw !== undefined) req.end(raw);
    else if (body !== undefined) req.end(JSON.stringify(body));
    else req.end();
  });
}

const sseEvents = (body: string) =>
  body
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice(6));

describe('OpenAI-compatible server', () => {
  const engine = new TimerEngine(2, 2);
  const server = new OpenAiServer({ engine, maxWaiting: 1 });
  let base = '';
  before(async () => {
    base = (await server.start()).url;
  });
  after(async () => {
    await server.shutdown();
  });

  it('lists its model and reports health', async () => {
    const models = await call(base, 'GET', '/v1/models');
    assert.equal(models.status, 200);
    assert.equal(JSON.parse(models.body).data[0].id, 'test-model');
    assert.equal((await call(base, 'GET', '/health')).status, 200);
  });

  it('answers a completion with exactly max_tokens tokens and usage', async () => {
    const reply = await call(base, 'POST', '/v1/completions', {
      model: 'test-model',
      prompt: [5, 6, 7],
      max_tokens: 4,
    });
    assert.equal(reply.status, 200, reply.body);
    const json = JSON.parse(reply.body);
    assert.equal(json.object, 'text_completion');
    assert.equal(json.choices[0].finish_reason, 'length');
    assert.equal(json.choices[0].text.length, 4);
    assert.deepEqual(json.usage, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
  });

  it('streams completions as server-sent events ending in [DONE], with usage when asked', async () => {
    const reply = await call(base, 'POST', '/v1/completions', {
      model: 'test-model',
      prompt: 'hello',
      max_tokens: 5,
      stream: true,
      stream_options: { include_usage: true },
    });
    const events = sseEvents(reply.body);
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    assert.equal(chunks.filter((c) => c.choices.length > 0 && c.choices[0].text !== '').length, 5);
    assert.equal(chunks.at(-2).choices[0].finish_reason, 'length');
    assert.deepEqual(chunks.at(-1).usage, { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });
  });

  it('streams chat completions with the role in the first delta', async () => {
    const reply = await call(base, 'POST', '/v1/chat/completions', {
      model: 'test-model',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 3,
      stream: true,
    });
    const chunks = sseEvents(reply.body)
      .slice(0, -1)
      .map((e) => JSON.parse(e));
    assert.equal(chunks[0].object, 'chat.completion.chunk');
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'length');
  });

  it('rejects bad requests with OpenAI-style errors naming the parameter', async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/v1/completions', { model: 'test-model' }, 400, /prompt/],
      ['POST', '/v1/completions', { model: 'other', prompt: 'x' }, 404, /The model `other` does not exist/],
      ['POST', '/v1/completions', { model: 'test-model', prompt: 'x', max_tokens: 0 }, 400, /max_tokens/],
      [
        'POST',
        '/v1/completions',
        { model: 'test-model', prompt: 'x', max_tokens: 100 },
        400,
        /maximum context length is 64 tokens/,
      ],
      [
        'POST',
        '/v1/completions',
        { model: 'test-model', prompt: [1, 5000] },
        400,
        /token id 5000 is out of vocabulary/,
      ],
      ['POST', '/v1/chat/completions', { model: 'test-model', messages: [] }, 400, /messages/],
      ['GET', '/v1/completions', undefined, 405, /not allowed/],
      ['GET', '/v2/nothing', undefined, 404, /Not found/],
    ];
    for (const [method, path, body, status, pattern] of cases) {
      const reply = await call(base, method, path, body);
      assert.equal(reply.status, status, `${method} ${path} ${JSON.stringify(body)}: ${reply.body}`);
      const error = JSON.parse(reply.body).error;
      assert.match(error.message, pattern);
      assert.equal(error.code, status);
    }
    const malformed = await call(base, 'POST', '/v1/completions', undefined, '{"model": ');
    assert.equal(malformed.status, 400);
    assert.match(JSON.parse(malformed.body).error.message, /not valid JSON/);
  });

  it('answers 429 when the queue is full', async () => {
    const long = { model: 'test-model', prompt: [1], max_tokens: 40 };
    const inFlight = [
      call(base, 'POST', '/v1/completions', long),
      call(base, 'POST', '/v1/completions', long),
    ];
    await new Promise((r) => setTimeout(r, 10));
    const queued = call(base, 'POST', '/v1/completions', long); // waits: 2 slots busy
    await new Promise((r) => setTimeout(r, 10));
    const refused = await call(base, 'POST', '/v1/completions', long);
    assert.equal(refused.status, 429);
    assert.match(JSON.parse(refused.body).error.message, /queue is full/);
    for (const reply of await Promise.all([...inFlight, queued])) assert.equal(reply.status, 200);
  });

  it('cancels the request when the client disconnects mid-stream', async () => {
    const before = engine.cancelled.length;
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        `${base}/v1/completions`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', () => {});
      req.end(JSON.stringify({ model: 'test-model', prompt: [1], max_tokens: 50, stream: true }));
      setTimeout(() => reject(new Error('no data')), 2000);
    });
    for (let i = 0; i < 50 && engine.cancelled.length === before; i++)
      await new Promise((r) => setTimeout(r, 5));
    assert.equal(engine.cancelled.length, before + 1);
    assert.equal(engine.stats().running, 0);
  });

  it('exposes Prometheus metrics under vLLM names', async () => {
    const reply = await call(base, 'GET', '/metrics');
    assert.equal(reply.status, 200);
    assert.match(reply.body, /^vllm:generation_tokens_total\{model_name="test-model"\} \d+$/m);
    assert.match(reply.body, /^vllm:time_to_first_token_seconds_count\{model_name="test-model"\} [1-9]\d*$/m);
    assert.match(reply.body, /^vllm:num_requests_waiting\{model_name="test-model"\} 0$/m);
  });
});

describe('server shutdown', () => {
  it('finishes in-flight requests, refuses new ones, then closes', async () => {
    const engine = new TimerEngine(4, 3);
    const server = new OpenAiServer({ engine, maxWaiting: 8 });
    const { url } = await server.start();
    const inFlight = call(url, 'POST', '/v1/completions', {
      model: 'test-model',
      prompt: [1],
      max_tokens: 20,
    });
    await new Promise((r) => setTimeout(r, 15));
    const stopping = server.shutdown();
    const reply = await inFlight;
    assert.equal(reply.status, 200);
    assert.equal(JSON.parse(reply.body).usage.completion_tokens, 20);
    await stopping;
    await assert.rejects(call(url, 'GET', '/health'));
  });
});
