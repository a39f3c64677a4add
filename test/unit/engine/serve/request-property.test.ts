import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { OpenAiServer } from '../../../../src/engine/serve/server.js';
import { TimerEngine } from '../../helpers/timer-engine.js';

// The server's request handling under any body, path and method: every request gets an answer with a
// status that says what was wrong (never 500, never a hang) and an OpenAI-style error naming it, and the
// server goes on serving. A valid request's answer carries back what it asked for.

interface Reply {
  status: number;
  body: string;
}

function call(url: string, path: string, method: string, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${path}`,
      { method, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const server = new OpenAiServer({ engine: new TimerEngine(4, 0), maxWaiting: 64 });
let url = '';
before(async () => {
  url = (await server.start()).url;
});
after(() => server.shutdown());

function assertAnswered(reply: Reply, allowed: readonly number[]): void {
  assert.ok(allowed.includes(reply.status), `status ${reply.status}: ${reply.body.slice(0, 300)}`);
  if (reply.status >= 400) {
    const error = JSON.parse(reply.body).error as { message: unknown; code: unknown };
    assert.equal(typeof error.message, 'string');
    assert.ok((error.message as string).length > 0);
    assert.equal(error.code, reply.status);
  }
}

// biome-ignore format: a dense list of hostile values reads better packed
const hostile = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1.5, 1e308, 2 ** 53, '', 'x', [], [-1], [1.5], [1e300], [null], {}, { type: 'text' }, [{ role: 'user' }], [{ role: 'user', content: 5 }], [{ role: 'x', content: 'a' }]),
  fc.jsonValue({ maxDepth: 2 }),
);
const FIELDS = [
  'model',
  'prompt',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'stream',
  'stream_options',
  'ignore_eos',
  'temperature',
  'top_p',
  'seed',
  'n',
  '__proto__',
  'constructor',
];

const validCompletion = fc.record({
  model: fc.constant('test-model'),
  prompt: fc.oneof(
    fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 20 }),
    fc.string({ maxLength: 40 }),
  ),
  max_tokens: fc.integer({ min: 1, max: 8 }),
  stream: fc.boolean(),
  ignore_eos: fc.constant(true),
});

describe('serve: request handling (property)', () => {
  it('a completion or chat request with any field set to anything: answered, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        validCompletion,
        fc.constantFrom('/v1/completions', '/v1/chat/completions'),
        fc.array(fc.tuple(fc.constantFrom(...FIELDS), hostile), { maxLength: 3 }),
        async (request, path, changes) => {
          const body: Record<string, unknown> = { ...request, messages: [{ role: 'user', content: 'hi' }] };
          for (const [key, value] of changes) body[key] = value;
          assertAnswered(await call(url, path, 'POST', JSON.stringify(body)), [200, 400, 404, 429]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any body text, path and method: answered, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 60 }), fc.json({ maxDepth: 2 })),
        fc.constantFrom(
          '/v1/completions',
          '/v1/chat/completions',
          '/v1/models',
          '/health',
          '/metrics',
          '/v1/x',
          '/',
          '/v1/completions?x=1',
          '//v1/completions',
          '/v1/../v1/models',
        ),
        fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'PATCH'),
        async (text, path, method) => {
          const reply = await call(url, path, method, method === 'GET' ? undefined : text);
          assert.ok(
            [200, 400, 404, 405, 429].includes(reply.status),
            `${method} ${path}: ${reply.status} ${reply.body.slice(0, 200)}`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round trip: a valid completion comes back with the usage it asked for', async () => {
    await fc.assert(
      fc.asyncProperty(validCompletion, async (request) => {
        const reply = await call(
          url,
          '/v1/completions',
          'POST',
          JSON.stringify({ ...request, stream: false }),
        );
        if (reply.status === 400) {
          // Only an empty prompt or one longer than the model's context (64 tokens) is refused.
          assert.match(JSON.parse(reply.body).error.message, /empty|context|max_model_len|longer/i);
          return;
        }
        assert.equal(reply.status, 200, reply.body);
        const answer = JSON.parse(reply.body) as {
          usage: { completion_tokens: number; prompt_tokens: number };
        };
        assert.equal(answer.usage.completion_tokens, request.max_tokens);
        if (Array.isArray(request.prompt)) assert.equal(answer.usage.prompt_tokens, request.prompt.length);
      }),
      { numRuns: 60 },
    );
  });
});
