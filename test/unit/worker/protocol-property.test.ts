import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { WorkerCall, WorkerReply } from '../../../src/engine/protocol/worker.js';

// The worker protocol's envelopes under any line a client may write: the real worker (dist/worker.mjs)
// answers every request line with a valid reply (an error naming what was wrong for a bad one), never
// an `internal` error (a raw exception in a handler), never exits, and still answers the next request.
// Replies round-trip through their schema.

const workerPath = resolve('dist/worker.mjs');
const empty = mkdtempSync(join(tmpdir(), 'servetune-worker-prop-'));

interface Worker {
  child: ChildProcessWithoutNullStreams;
  replies: WorkerReply[];
  waiters: ((reply: WorkerReply) => void)[];
}

function startWorker(): Promise<Worker> {
  const child = spawn(process.execPath, [workerPath], {
    // No network and no cache: a repository id must fail at once, not ask the Hub.
    env: { ...process.env, HF_HUB_OFFLINE: '1', HF_HOME: empty, XDG_RUNTIME_DIR: empty },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const worker: Worker = { child, replies: [], waiters: [] };
  child.stderr.resume();
  return new Promise((ready) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = WorkerReply.safeParse(JSON.parse(line));
      assert.ok(parsed.success, `the worker wrote an invalid reply: ${line.slice(0, 300)}`);
      if (parsed.data.type === 'ready') return ready(worker);
      worker.replies.push(parsed.data);
      for (const waiter of worker.waiters) waiter(parsed.data);
    });
  });
}

function answerTo(worker: Worker, id: number): Promise<WorkerReply> {
  const seen = worker.replies.find((r) => (r.type === 'result' || r.type === 'error') && r.id === id);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolveReply, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${id} within 20 s`)), 20_000);
    worker.waiters.push((reply) => {
      if ((reply.type === 'result' || reply.type === 'error') && reply.id === id) {
        clearTimeout(timer);
        resolveReply(reply);
      }
    });
  });
}

// biome-ignore format: a dense list of hostile values reads better packed
const hostile = fc.oneof(
  fc.constantFrom(null, 0, -1, 1.5, 1e308, '', 'x', [], {}, true, 'llama-3.1-8b', 'no/such-repo', '/dev/zero', '/', '.', '../x.json', 'h100-sxm', 99999999999),
  fc.jsonValue({ maxDepth: 2 }),
);
// Methods that answer in a moment whatever their params (the long ones have their own tests).
const METHODS = [
  'hello',
  'plans',
  'checkConfig',
  'importTrace',
  'cancel',
  'nope',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
];
const paramsOf = fc.oneof(
  hostile,
  fc.dictionary(
    fc.constantFrom(
      'model',
      'hardware',
      'gpus',
      'path',
      'text',
      'file',
      'target',
      'weightDtype',
      'kvDtype',
      'gpuMemoryUtilization',
      '__proto__',
    ),
    hostile,
    { maxKeys: 4 },
  ),
);
const call = fc.record(
  {
    id: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), hostile),
    method: fc.oneof(fc.constantFrom(...METHODS), hostile),
    params: paramsOf,
    timeoutSeconds: hostile,
  },
  { requiredKeys: [] },
);
const line = fc.oneof(
  call.map((c) => JSON.stringify(c)),
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' ')),
  fc.json({ maxDepth: 2 }),
);

const workers: Worker[] = [];
after(() => {
  for (const w of workers) w.child.kill();
});

describe('worker protocol envelopes (property)', () => {
  it('any lines: valid replies only, no internal error, and the worker still answers', async () => {
    const worker = await startWorker();
    workers.push(worker);
    let probe = 2_000_000;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 5 }), async (lines) => {
        worker.child.stdin.write(`${lines.join('\n')}\n`);
        const id = probe++;
        worker.child.stdin.write(`${JSON.stringify({ id, method: 'hello' })}\n`);
        const reply = await answerTo(worker, id);
        assert.equal(reply.type, 'result');
        const internal = worker.replies.find((r) => r.type === 'error' && r.error.code === 'internal');
        assert.equal(internal, undefined, `internal error: ${JSON.stringify(internal)}`);
        const raw = worker.replies.find((r) => r.type === 'error' && /\[\s*\{\s*"/.test(r.error.message));
        assert.equal(raw, undefined, `a ZodError's JSON reached the client: ${JSON.stringify(raw)}`);
      }),
      { numRuns: 150 },
    );
    assert.equal(worker.child.exitCode, null, 'the worker is still running');
  });

  it('a request with a fractional id is refused in words, with no id to answer', async () => {
    const worker = await startWorker();
    workers.push(worker);
    worker.child.stdin.write('{"id":1.5,"method":"hello"}\n{"id":7,"method":"hello"}\n');
    await answerTo(worker, 7);
    const refusal = worker.replies.find((r) => r.type === 'error');
    assert.deepEqual(refusal, {
      type: 'error',
      id: null,
      error: {
        message: 'invalid request: id: Invalid input: expected int, received number',
        code: 'protocol',
      },
    });
  });

  it('round trip: calls and replies read back as written', () => {
    const reply = fc.oneof(
      fc.record({ type: fc.constant('ready' as const), version: fc.string() }),
      fc.record({
        type: fc.constant('result' as const),
        id: fc.integer(),
        method: fc.string(),
        result: fc.jsonValue(),
      }),
      fc.record({
        type: fc.constant('error' as const),
        id: fc.option(fc.integer(), { nil: null }),
        error: fc.record(
          { message: fc.string(), code: fc.string(), where: fc.string() },
          { requiredKeys: ['message', 'code'] },
        ),
      }),
      fc.record({
        type: fc.constant('progress' as const),
        id: fc.integer(),
        done: fc.double({ noNaN: true, noDefaultInfinity: true }),
        total: fc.double({ noNaN: true, noDefaultInfinity: true }),
      }),
      fc.record({
        type: fc.constant('log' as const),
        level: fc.constantFrom('debug', 'info', 'warn', 'error'),
        message: fc.string(),
      }),
    );
    fc.assert(
      fc.property(reply, (r) => {
        const plain = JSON.parse(JSON.stringify(r));
        assert.deepEqual(WorkerReply.parse(plain), plain);
      }),
    );
    fc.assert(
      fc.property(fc.integer(), fc.string({ minLength: 1 }), fc.jsonValue(), (id, method, params) => {
        const plain = JSON.parse(JSON.stringify({ id, method, params }));
        assert.deepEqual(WorkerCall.parse(plain), plain);
      }),
    );
  });
});
