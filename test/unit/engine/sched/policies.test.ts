import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyName, policySwaps } from '../../../../src/engine/sched/config.js';
import { CountingKvBlockManager } from '../../../../src/engine/sched/kv-cache.js';
import { isDecoding, newSchedRequest, RequestStatus } from '../../../../src/engine/sched/request.js';
import { TestReplica } from '../../helpers/replica.js';

/** Runs until the given requests are all decoding. */
function warmDecodes(replica: TestReplica, count: number, prompt = 32, output = 200) {
  const decodes = Array.from({ length: count }, () => replica.add(prompt, output));
  while (!decodes.every(isDecoding)) replica.step();
  return decodes;
}

describe('sarathi / vllm-v1 (chunked prefill, decode first)', () => {
  it('never pauses running decodes while a long prompt is prefilled in chunks', () => {
    const replica = new TestReplica('sarathi', 10000, { maxNumBatchedTokens: 256 });
    const decodes = warmDecodes(replica, 4);
    const long = replica.add(2000, 4);
    let chunks = 0;
    while (long.generated === 0) {
      const step = replica.step();
      for (const d of decodes) assert.equal(step.get(d.id), 1, 'every running decode is in every step');
      const chunk = step.get(long.id) ?? 0;
      assert.ok(chunk <= 256 - decodes.length);
      if (chunk > 0) chunks++;
    }
    assert.ok(chunks >= 8, `prompt split into ${chunks} chunks`);
    assert.equal(replica.state.preemptions, 0);
  });

  it('vllm-v1 is the same policy as sarathi', () => {
    const a = new TestReplica('sarathi', 500, { maxNumBatchedTokens: 128 });
    const b = new TestReplica('vllm-v1', 500, { maxNumBatchedTokens: 128 });
    for (const r of [a, b]) for (let i = 0; i < 6; i++) r.add(100 + 37 * i, 20 + i);
    const trace = (r: TestReplica) => Array.from({ length: 60 }, () => [...r.step().entries()].join(';'));
    assert.deepEqual(trace(a), trace(b));
  });
});

describe('vllm-v0 (prefill first)', () => {
  it('pauses running decodes for a step that prefills a new whole prompt', () => {
    const replica = new TestReplica('vllm-v0', 10000);
    const decodes = warmDecodes(replica, 3);
    const fresh = replica.add(1500, 10);
    const step = replica.step();
    assert.deepEqual([...step.entries()], [[fresh.id, 1500]]);
    for (const d of decodes) assert.equal(step.get(d.id), undefined);
    const next = replica.step();
    for (const d of [...decodes, fresh]) assert.equal(next.get(d.id), 1);
  });
});

describe('static batching', () => {
  it('admits nothing new until the whole batch has finished', () => {
    const replica = new TestReplica('static', 10000, { maxNumSeqs: 4 });
    const batch = [replica.add(10, 3), replica.add(10, 8)];
    replica.step();
    const late = replica.add(10, 2);
    while (batch.some((r) => r.status !== RequestStatus.Finished)) {
      const step = replica.step();
      assert.equal(step.get(late.id), undefined, 'late arrival waits for the batch');
    }
    assert.equal(replica.step().get(late.id), 10);
  });
});

describe('orca', () => {
  it('lets a new request join the next iteration with its whole prompt, beside the decodes', () => {
    const replica = new TestReplica('orca', 10000);
    const decodes = warmDecodes(replica, 2);
    const fresh = replica.add(700, 5);
    const step = replica.step();
    assert.equal(step.get(fresh.id), 700);
    for (const d of decodes) assert.equal(step.get(d.id), 1);
  });

  it('reserves the whole output at admission, so it never preempts', () => {
    const replica = new TestReplica('orca', 40);
    for (let i = 0; i < 6; i++) replica.add(64, 100);
    replica.runToCompletion();
    assert.equal(replica.finished.length, 6);
    assert.equal(replica.state.preemptions, 0);
  });
});

describe('sglang', () => {
  it('runs prefill batches of at most chunked-prefill-size tokens, without decodes', () => {
    const replica = new TestReplica('sglang', 10000, { chunkedPrefillSize: 512 });
    const decodes = warmDecodes(replica, 2);
    const long = replica.add(1300, 5);
    const sizes: number[] = [];
    while (long.computed < long.promptTokens) {
      const step = replica.step();
      for (const d of decodes)
        assert.equal(step.get(d.id), undefined, 'decodes pause during prefill batches');
      sizes.push(step.get(long.id)!);
    }
    assert.deepEqual(sizes, [512, 512, 276]);
  });

  it('with mixed chunk, runs the decodes inside the prefill batch, out of its budget', () => {
    const replica = new TestReplica('sglang', 10000, { chunkedPrefillSize: 512, mixedChunk: true });
    const decodes = warmDecodes(replica, 2);
    const long = replica.add(1300, 5);
    const sizes: number[] = [];
    while (long.computed < long.promptTokens) {
      const step = replica.step();
      for (const d of decodes) assert.equal(step.get(d.id), 1, 'decodes run in every prefill batch');
      sizes.push(step.get(long.id)!);
    }
    assert.deepEqual(sizes, [510, 510, 280]);
  });

  it('with mixed chunk, prefills prompts that arrive while others decode without waiting for them', () => {
    // Two prompts a step apart: the first decodes in the second's prefill batch instead of waiting.
    const replica = new TestReplica('sglang', 10000, { chunkedPrefillSize: 4096, mixedChunk: true });
    const first = replica.add(1000, 50);
    replica.step();
    const second = replica.add(1000, 50);
    const step = replica.step();
    assert.equal(step.get(second.id), 1000);
    assert.equal(step.get(first.id), 1);
  });

  it('refuses admission when the running requests’ reserved future tokens leave no room', () => {
    const replica = new TestReplica('sglang', 100, { scheduleConservativeness: 1 });
    // 1600 tokens of KV. 2 running requests × ~500 max new tokens × 0.7 ≈ 700 reserved, 64 held: the
    // newcomer's prompt and whole output (100 + 1000) do not fit the ~836 left; at the running
    // requests' ratio (100 + 700) they would.
    warmDecodes(replica, 2, 16, 500);
    const fresh = replica.add(100, 1000);
    replica.step();
    assert.equal(fresh.status, RequestStatus.Waiting);
    assert.ok(
      replica.kv.availableBlocks() * 16 > 100 + 0.7 * 1000,
      'prompt and ratio-scaled output would fit',
    );
  });

  it('once the KV cache refuses a request, admits none until a running request leaves', () => {
    // 3200 tokens of KV. Two runners may write 1200 tokens each but stop at 300: 2 × 1200 × 0.7 = 1680
    // reserved and 64 held leave ~1456, short of a newcomer's prompt and whole output (300 + 1200). The
    // ratio decays 0.001 a decode step, so some 15 steps later the reservation would let it in; SGLang's
    // batch_is_full holds it until a runner finishes.
    const replica = new TestReplica('sglang', 200, { scheduleConservativeness: 1 });
    const runners = [replica.add(16, 300, [], 1200), replica.add(16, 300, [], 1200)];
    while (!runners.every(isDecoding)) replica.step();
    const fresh = replica.add(300, 200, [], 1200);
    let steps = 0;
    while (fresh.status === RequestStatus.Waiting && steps < 1000) {
      replica.step();
      steps++;
    }
    assert.ok(steps > 250, `admitted after ${steps} steps`);
    assert.ok(
      runners.every((r) => r.status === RequestStatus.Finished),
      'admitted only once the runners had finished',
    );
    assert.equal(replica.state.preemptions, 0);
  });

  it('admits again at the step after a running request finishes', () => {
    const replica = new TestReplica('sglang', 200, { scheduleConservativeness: 1 });
    const short = replica.add(16, 15, [], 1200);
    const long = replica.add(16, 600, [], 1200);
    while (!isDecoding(short) || !isDecoding(long)) replica.step();
    const fresh = replica.add(300, 200, [], 1200);
    while (short.status !== RequestStatus.Finished) {
      replica.step();
      assert.equal(fresh.status, RequestStatus.Waiting, 'held while both run');
    }
    replica.step();
    assert.equal(fresh.status, RequestStatus.Running, 'the finish cleared batch_is_full');
  });

  it('ends a prefill batch at a prompt that does not fit what is left of max-prefill-tokens', () => {
    // SGLang chunks only the batch's first request by the chunk budget; a later one must fit whole.
    const replica = new TestReplica('sglang', 10000, { chunkedPrefillSize: 8192, maxPrefillTokens: 1500 });
    const first = replica.add(1000, 5);
    const second = replica.add(1000, 5);
    const step = replica.step();
    assert.equal(step.get(first.id), 1000);
    assert.equal(step.get(second.id), undefined, 'not chunked into the 500 tokens left');
    assert.equal(replica.step().get(second.id), 1000);
  });
});

describe('lightllm (past-future)', () => {
  it('admits while the predicted peak fits and holds back when it would not', () => {
    // Capacity 80 blocks × 16 = 1280 tokens. Without history a request is predicted at its max_tokens.
    const replica = new TestReplica('lightllm', 80);
    const a = replica.add(100, 500);
    const b = replica.add(100, 500);
    replica.step();
    assert.equal(a.status, RequestStatus.Running);
    // a and b together peak at 2 × 600 = 1200 ≤ 1280; b is admitted too (same step or the next).
    replica.step();
    assert.equal(b.status, RequestStatus.Running);
    const c = replica.add(50, 400);
    replica.step();
    assert.equal(c.status, RequestStatus.Waiting, 'three would peak past the capacity');
    assert.ok(replica.kv.availableBlocks() * 16 >= 450, 'though its own tokens fit right now');
  });

  it('learns output lengths from history', () => {
    const replica = new TestReplica('lightllm', 200);
    for (let i = 0; i < 20; i++) replica.add(16, 10);
    replica.runToCompletion();
    assert.equal(replica.state.history.quantileAbove(0, 0.9), 10);
    assert.equal(replica.state.history.size, 20);
  });
});

describe('preemption', () => {
  it('recompute frees the victim’s blocks, re-queues it first, and it finishes with every token', () => {
    const replica = new TestReplica('vllm-v1', 24, { maxNumBatchedTokens: 512 });
    const requests = Array.from({ length: 4 }, () => replica.add(64, 60));
    let sawPreemption = false;
    for (let i = 0; i < 2000 && replica.state.outstanding() > 0; i++) {
      const before = replica.state.preemptions;
      replica.step();
      if (replica.state.preemptions > before) {
        sawPreemption = true;
        const victim = replica.state.waiting.peek();
        assert.ok(victim && victim.blocks === 0 && victim.computed === 0, 'victim holds nothing');
        assert.ok(victim.generated > 0, 'it keeps its generated tokens, to be recomputed');
      }
      assert.ok(replica.kv.usedBlocks() <= 24);
    }
    assert.ok(sawPreemption);
    assert.equal(replica.finished.length, 4);
    for (const r of requests) assert.equal(r.generated, 60);
  });

  it('swap moves the victim to host memory and brings it back', () => {
    const replica = new TestReplica('vllm-v0', 24, { preemption: 'swap', watermark: 0 });
    for (let i = 0; i < 4; i++) replica.add(64, 60);
    let swappedOut = 0;
    let swappedIn = 0;
    for (let i = 0; i < 2000 && replica.state.outstanding() > 0; i++) {
      replica.step();
      swappedOut += replica.plan.swapOutTokens;
      swappedIn += replica.plan.swapInTokens;
    }
    assert.ok(swappedOut > 0 && swappedIn === swappedOut, `${swappedOut} out, ${swappedIn} in`);
    assert.equal(replica.finished.length, 4);
    assert.equal(replica.state.swapUsedBlocks, 0);
  });
});

describe('prefix caching', () => {
  it('skips the prefill of cached prefix blocks', () => {
    const replica = new TestReplica('vllm-v1', 1000, {}, { hashBlockTokens: 64 });
    const first = replica.add(300, 2, [1, 2, 3, 4, 5]);
    replica.runToCompletion();
    assert.equal(first.status, RequestStatus.Finished);
    const second = replica.add(290, 2, [1, 2, 3, 9, 10]);
    const step = replica.step();
    assert.equal(second.cachedPromptTokens, 192, 'three shared 64-token blocks');
    assert.equal(step.get(second.id), 290 - 192);
  });

  it('evicts the least recently used cached blocks first', () => {
    // 8 blocks of 16 tokens; each hash covers 64 tokens = 4 blocks.
    const replica = new TestReplica('vllm-v1', 12, {}, { hashBlockTokens: 64 });
    replica.add(65, 1, [100, 101]);
    replica.runToCompletion();
    replica.add(65, 1, [200, 201]);
    replica.runToCompletion();
    assert.equal(replica.kv.cachedPrefixTokens([100]), 64);
    assert.equal(replica.kv.cachedPrefixTokens([200]), 64);
    replica.add(65, 1, [300]);
    replica.runToCompletion();
    assert.equal(replica.kv.cachedPrefixTokens([100]), 0, 'the oldest entry went first');
    assert.equal(replica.kv.cachedPrefixTokens([200]), 64);
  });
});

describe('swap preemption in every policy that swaps', () => {
  it('sarathi brings swapped requests back and every request finishes', () => {
    const replica = new TestReplica('sarathi', 24, { preemption: 'swap', maxNumBatchedTokens: 512 });
    for (let i = 0; i < 4; i++) replica.add(64, 60);
    let swappedOut = 0;
    let swappedIn = 0;
    for (let i = 0; i < 5000 && replica.state.outstanding() > 0; i++) {
      replica.step();
      swappedOut += replica.plan.swapOutTokens;
      swappedIn += replica.plan.swapInTokens;
    }
    assert.ok(swappedOut > 0, 'KV ran out and a request was swapped out');
    assert.equal(swappedIn, swappedOut);
    assert.equal(replica.finished.length, 4);
    assert.equal(replica.state.swapped.length, 0);
  });

  it('names the policies whose engines have no swap', () => {
    assert.deepEqual(
      PolicyName.options.filter((p) => !policySwaps(p)),
      ['vllm-v1', 'sglang', 'lightllm'],
    );
  });
});

describe('prefix caching across preemption (vLLM v1 recompute)', () => {
  it('a recomputed request hits its own freed-but-cached prompt blocks', () => {
    // 48 blocks of 16 tokens; prompts of 256 tokens (4 hashes of 64), no trace hashes.
    const replica = new TestReplica('vllm-v1', 48, { maxNumBatchedTokens: 512 }, { hashBlockTokens: 64 });
    const a = replica.add(256, 300);
    const b = replica.add(256, 300);
    let readmittedHit = -1;
    for (let i = 0; i < 5000 && replica.state.outstanding() > 0; i++) {
      const wasWaiting = b.status === RequestStatus.Waiting && b.preemptions > 0;
      replica.step();
      if (wasWaiting && b.status === RequestStatus.Running && readmittedHit < 0)
        readmittedHit = b.cachedPromptTokens;
    }
    assert.ok(b.preemptions > 0, 'b was preempted');
    assert.equal(readmittedHit, 192, 'three of its four prompt hashes (the last prompt token is recomputed)');
    assert.equal(a.generated, 300);
    assert.equal(b.generated, 300);
  });

  it('a request preempted mid-prompt keeps the blocks it had computed', () => {
    const kv = new CountingKvBlockManager(64, 16, 64, true);
    const r = newSchedRequest(7, 1000, 10);
    assert.ok(kv.growTo(r, 320));
    r.computed = 320;
    kv.release(r);
    r.computed = 0;
    assert.equal(kv.acquirePrefix(r), 320, 'five computed 64-token blocks come back');
  });

  it('evicts a freed request’s last blocks first, so its prefix stays reachable', () => {
    const kv = new CountingKvBlockManager(16, 16, 64, true);
    const r = newSchedRequest(1, 256, 10, [11, 12, 13, 14]);
    assert.ok(kv.growTo(r, 256));
    r.computed = 256;
    kv.release(r);
    const other = newSchedRequest(2, 64, 10);
    assert.ok(kv.growTo(other, 64), 'takes one hash worth of blocks, evicting one entry');
    assert.equal(kv.cachedPrefixTokens([11, 12, 13, 14]), 192, 'hash 14 went, 11-13 remain');
  });
});
