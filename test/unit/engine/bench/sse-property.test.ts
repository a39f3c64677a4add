import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { MeasuredRequest } from '../../../../src/engine/bench/requests-file.js';
import { INCOMPLETE_STREAM, streamOnce } from '../../../../src/engine/bench/stream-client.js';
import { fakeEndpoint, sseHeaders } from './fake-endpoint.js';

// The load generator's event-stream reader under any bytes a server may send, split anywhere: every
// request is recorded as a valid MeasuredRequest (what --requests-out writes), never a raw exception;
// a well-formed stream reads back as the tokens, id and usage it carried.

let body: Buffer[] = [];
let endpoint: Awaited<ReturnType<typeof fakeEndpoint>>;
before(async () => {
  endpoint = await fakeEndpoint((seen, res) => {
    if (seen.method !== 'POST') return void res.writeHead(404).end();
    res.writeHead(200, sseHeaders);
    const parts = body;
    const write = (i: number) => {
      if (i === parts.length) return void res.end();
      res.write(parts[i], () => setImmediate(() => write(i + 1)));
    };
    write(0);
  });
});
after(() => endpoint.close());

/** `timeoutSeconds`: the request's limit; a loaded machine streams 17 MiB in more than the default 5 s. */
async function send(parts: Buffer[], timeoutSeconds = 5) {
  body = parts;
  const record = await streamOnce(
    { url: endpoint.url, model: 'm', endpoint: 'completions' },
    { index: 0, promptTokenIds: [1, 2], promptText: 'a b', maxTokens: 4 },
    { start: performance.now() },
    0,
    timeoutSeconds,
    new AbortController().signal,
  );
  const checked = MeasuredRequest.safeParse(record);
  assert.ok(checked.success, `not a valid record: ${JSON.stringify(record)}`);
  return record;
}

/** `text` as bytes cut at the given points (multi-byte characters and CR LF pairs cut too). */
function split(text: string, cuts: number[]): Buffer[] {
  const bytes = Buffer.from(text);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p > from) parts.push(bytes.subarray(from, p));
    from = p;
  }
  return parts.length > 0 ? parts : [bytes];
}

const token = fc.string({ minLength: 1, maxLength: 4, unit: 'binary' });
const lineEnd = fc.constantFrom('\n', '\r\n');

describe('bench event-stream reader (property)', () => {
  it('round trip: a well-formed stream split anywhere reads back its tokens, id and usage', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(token, { minLength: 1, maxLength: 8 }),
        fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
        fc.boolean(),
        lineEnd,
        fc.array(fc.nat(), { maxLength: 6 }),
        async (tokens, usage, withDone, nl, cuts) => {
          const events = tokens.map((text, i) =>
            JSON.stringify({
              id: 'cmpl-7',
              choices: [{ text, finish_reason: i === tokens.length - 1 && !withDone ? 'length' : null }],
            }),
          );
          if (usage !== undefined)
            events.push(JSON.stringify({ id: 'cmpl-7', choices: [], usage: { completion_tokens: usage } }));
          if (withDone) events.push('[DONE]');
          const text = events.map((e) => `data: ${e}${nl}${nl}`).join('');
          const record = await send(split(text, cuts));
          assert.equal(record.status, 'ok', record.error);
          assert.equal(record.tokenTimes.length, tokens.length);
          assert.equal(record.outputTokens, usage ?? tokens.length);
          assert.equal(record.responseId, 'cmpl-7');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('any bytes, and hostile events among good ones: a valid record with a status that says why', async () => {
    // biome-ignore format: a dense list of hostile events reads better packed
    const hostile = fc.oneof(
      fc.constantFrom(
        'data: {"error":{"message":{"nested":1}}}\n\n', 'data: {"error":"plain"}\n\n', 'data: {"error":true}\n\n',
        'data: {"choices":[null]}\n\n', 'data: {"choices":"x"}\n\n', 'data: {"choices":[{"text":5}]}\n\n',
        'data: {"choices":[{"delta":null}]}\n\n', 'data: {"usage":{"completion_tokens":-3}}\n\n',
        'data: {"usage":{"completion_tokens":1e300}}\n\n', 'data: {"id":5}\n\n', 'data: null\n\n', 'data: 5\n\n',
        'data: [DONE]\n\n', 'data:\n\n', ': comment\n\n', 'event: x\n\n', '\r\n\r\n', 'data: {\n\n', '\n',
      ),
      fc.string({ maxLength: 30 }).map((s) => `data: ${s}\n\n`),
      fc.string({ maxLength: 30 }),
    );
    const good = fc.constant('data: {"id":"c","choices":[{"text":"a"}]}\n\n');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(good, hostile), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (events, cuts) => {
          const record = await send(split(events.join(''), cuts));
          if (record.status === 'incomplete') assert.equal(record.error, INCOMPLETE_STREAM);
          assert.ok(record.outputTokens <= 1e9, `output tokens ${record.outputTokens}`);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('bench event-stream reader: what the properties found', () => {
  it('an error event whose message is not text is recorded as text', async () => {
    const record = await send([Buffer.from('data: {"error":{"message":{"nested":1}}}\n\n')]);
    assert.equal(record.status, 'http-error');
    assert.equal(record.error, '{"error":{"message":{"nested":1}}}');
  });

  it('a usage count no request could have is ignored: the content chunks count', async () => {
    for (const usage of ['1e300', '-3', '2.5']) {
      const record = await send([
        Buffer.from(
          `data: {"choices":[{"text":"a"}]}\n\ndata: {"choices":[],"usage":{"completion_tokens":${usage}}}\n\ndata: [DONE]\n\n`,
        ),
      ]);
      assert.equal(record.outputTokens, 1, usage);
    }
  });

  it('an event that never ends is cut at 16 MiB, not held without bound', async () => {
    const mib = Buffer.alloc(1024 * 1024, 'a');
    const record = await send([Buffer.from('data: '), ...Array.from({ length: 17 }, () => mib)], 120);
    assert.equal(record.status, 'http-error');
    assert.match(record.error ?? '', /grew past 16777216 characters/);
  });
});
