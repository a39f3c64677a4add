import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CancelParams,
  isWorkerMethod,
  WORKER_METHODS,
  WorkerCall,
  WorkerReply,
} from '../../../../src/engine/protocol/worker.js';

test('every method has a params and a result schema, and long methods are marked', () => {
  for (const [name, spec] of Object.entries(WORKER_METHODS)) {
    assert.equal(typeof spec.params.safeParse, 'function', name);
    assert.equal(typeof spec.result.safeParse, 'function', name);
  }
  assert.equal(WORKER_METHODS.echo.long, true);
  assert.equal(WORKER_METHODS.adapter.gpu, true);
  assert.equal(WORKER_METHODS.plans.gpu, false);
});

test('every method has a timeout, and a call may ask for a shorter one', () => {
  for (const [name, spec] of Object.entries(WORKER_METHODS)) {
    assert.ok(spec.timeoutSeconds > 0 && Number.isFinite(spec.timeoutSeconds), name);
    // setTimeout holds at most 2^31 − 1 ms.
    assert.ok(spec.timeoutSeconds * 1000 < 2 ** 31 - 10_000, name);
  }
  assert.equal(WorkerCall.parse({ id: 1, method: 'echo', timeoutSeconds: 0.5 }).timeoutSeconds, 0.5);
  assert.equal(WorkerCall.safeParse({ id: 1, method: 'echo', timeoutSeconds: -1 }).success, false);
  assert.equal(WorkerCall.safeParse({ id: 1, method: 'echo', timeoutSeconds: Infinity }).success, false);
});

test('isWorkerMethod knows the table and nothing inherited', () => {
  assert.equal(isWorkerMethod('plans'), true);
  assert.equal(isWorkerMethod('cancel'), false);
  assert.equal(isWorkerMethod('toString'), false);
});

test('a call needs an integer id and a method name', () => {
  assert.equal(WorkerCall.safeParse({ id: 1, method: 'plans', params: {} }).success, true);
  assert.equal(WorkerCall.safeParse({ id: 1, method: 'hello' }).success, true);
  assert.equal(WorkerCall.safeParse({ id: 1.5, method: 'plans' }).success, false);
  assert.equal(WorkerCall.safeParse({ id: 1, method: '' }).success, false);
  assert.equal(CancelParams.safeParse({ target: 'x' }).success, false);
});

test('plans params fill their defaults and reject a bad GPU count', () => {
  const parsed = WORKER_METHODS.plans.params.parse({ model: 'm', hardware: 'h', gpus: 4 });
  // No weight dtype: the handler takes the model's published format, as `servetune plans` does.
  assert.equal(parsed.weightDtype, undefined);
  const fp8 = WORKER_METHODS.plans.params.parse({ model: 'm', hardware: 'h', gpus: 4, weightDtype: 'fp8' });
  assert.equal(fp8.weightDtype, 'fp8');
  assert.equal(parsed.gpuMemoryUtilization, 0.9);
  assert.equal(WORKER_METHODS.plans.params.safeParse({ model: 'm', hardware: 'h', gpus: 0 }).success, false);
});

test('replies are a closed set of types', () => {
  assert.equal(WorkerReply.safeParse({ type: 'progress', id: 1, done: 1, total: 2 }).success, true);
  assert.equal(WorkerReply.safeParse({ type: 'log', level: 'info', message: 'x' }).success, true);
  assert.equal(WorkerReply.safeParse({ type: 'log', level: 'loud', message: 'x' }).success, false);
  assert.equal(WorkerReply.safeParse({ type: 'shout', id: 1 }).success, false);
  assert.equal(
    WorkerReply.safeParse({ type: 'error', id: null, error: { message: 'm', code: 'c' } }).success,
    true,
  );
});

test("tuneBlock params carry a disaggregated side (the editor's Tune this side) and refuse another", () => {
  const call = {
    path: '/w/disagg.yaml',
    block: 1,
    workload: 'poisson:rate=4,n=10',
    slo: { ttft: 2, tbt: 0.1 },
  };
  const params = WORKER_METHODS.tuneBlock.params;
  assert.equal(params.parse({ ...call, side: 'decode' }).side, 'decode');
  assert.equal(params.parse(call).side, undefined, 'a whole server: no side');
  assert.equal(params.safeParse({ ...call, side: 'both' }).success, false);
});

test("simulate params carry max_tokens as a positive whole number or 'output', and refuse others naming it", () => {
  const base = {
    config: {
      model: 'llama-3.1-8b',
      hardware: 'l40s',
      deployment: {
        kind: 'colocated',
        pool: {
          plan: { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
          scheduler: { policy: 'orca' },
        },
      },
    },
    workload: 'poisson:rate=1,n=4',
  };
  const params = WORKER_METHODS.simulate.params;
  assert.equal(params.parse({ ...base, maxTokens: 'output' }).maxTokens, 'output');
  assert.equal(params.parse({ ...base, maxTokens: 256 }).maxTokens, 256);
  assert.equal(params.parse(base).maxTokens, undefined);
  for (const bad of [0, -3, 1.5, 'all', null]) {
    const parsed = params.safeParse({ ...base, maxTokens: bad });
    assert.equal(parsed.success, false, `maxTokens ${String(bad)} is refused`);
    assert.deepEqual(
      parsed.error?.issues.map((i) => i.path.join('.')),
      ['maxTokens'],
      `the refusal of ${String(bad)} names the field`,
    );
  }
});
