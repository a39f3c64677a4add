import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { kvBlockShapeOf, memoryReport } from '../../../../src/engine/memory/model.js';
import { DEFAULT_PLAN, type Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { kvBlocksForSequence } from '../../../../src/engine/model/geometry.js';
import { CountingKvBlockManager } from '../../../../src/engine/sched/kv-cache.js';
import { newSchedRequest } from '../../../../src/engine/sched/request.js';

const B = 16;
const h100 = getHardware('h100-sxm');
const plan = (overrides: Partial<Plan>): Plan => ({ ...DEFAULT_PLAN, ...overrides });

/** The block manager the simulator builds for `model` (see sim/pools.ts), with `blocks` blocks. */
function managerFor(id: string, p: Plan, context: number, blocks: number, prefixCaching = false) {
  const model = getModel(id);
  const shape = kvBlockShapeOf(model, p, context, B);
  return { shape, kv: new CountingKvBlockManager(blocks, B, 64, prefixCaching, shape) };
}

describe('the simulator charges a sequence what its layers hold', () => {
  it('gpt-oss-120b: t tokens take ceil(t / 16) full-layer blocks plus ceil(min(t, 128) / 16) sliding ones', () => {
    const { shape, kv } = managerFor('gpt-oss-120b', plan({ weightDtype: 'mxfp4' }), 8192, 100_000);
    assert.deepEqual(
      { fullShare: shape.fullShare, slidingShare: shape.slidingShare, window: shape.window },
      { fullShare: 1, slidingShare: 1, window: 128 },
    );
    assert.equal(kv.blocksFor(0), 0);
    assert.equal(kv.blocksFor(1), 1 + 1);
    assert.equal(kv.blocksFor(100), 7 + 7);
    assert.equal(kv.blocksFor(8192), 512 + 8);
    assert.equal(kv.blocksFor(100_000), 6250 + 8);
  });

  it('agrees with the memory model for every kind of layer, token by token', () => {
    const cases: [string, Plan][] = [
      ['gpt-oss-120b', plan({ weightDtype: 'mxfp4' })],
      ['gemma-3-27b', plan({})],
      ['qwen3-next-80b-a3b', plan({ tp: 4 })],
      ['phi-3-mini-4k', plan({})],
      ['llama-4-scout', plan({ tp: 8 })],
      ['llama-3.1-8b', plan({})],
    ];
    for (const [id, p] of cases) {
      const { shape, kv } = managerFor(id, p, 4096, 1_000_000);
      for (const t of [1, 15, 16, 17, 127, 128, 129, 1000, 1024, 1025, 2047, 2048, 4096]) {
        assert.equal(kv.blocksFor(t), kvBlocksForSequence(shape, t, B), `${id} at ${t} tokens`);
      }
    }
  });

  it('keeps the arithmetic of models whose layers all keep every token: ceil(t / 16)', () => {
    const { kv } = managerFor('llama-3.1-8b', plan({}), 8192, 1000);
    for (const t of [0, 1, 16, 17, 8192]) assert.equal(kv.blocksFor(t), Math.ceil(t / B));
  });

  it('grows a sequence token by token to the same blocks as at once, and frees them all', () => {
    const { kv } = managerFor('gemma-3-27b', plan({}), 32768, 10_000);
    const stepwise = newSchedRequest(0, 3000, 1);
    for (let t = 1; t <= 3000; t++) assert.ok(kv.growTo(stepwise, t));
    const atOnce = newSchedRequest(1, 3000, 1);
    assert.ok(kv.growTo(atOnce, 3000));
    assert.equal(stepwise.blocks, atOnce.blocks);
    // 3000 / 16 → 188 full-layer blocks; 52 / 10 layers × 1024 tokens / 16 = 332.8 → 333 window blocks.
    assert.equal(atOnce.blocks, 188 + 333);
    kv.release(stepwise);
    kv.release(atOnce);
    assert.equal(kv.availableBlocks(), 10_000);
  });

  it('admits as many sequences of max-model-len as the memory report counts', () => {
    const model = getModel('qwen3-next-80b-a3b');
    const p = plan({ tp: 4 });
    const report = memoryReport(model, h100, p, { contextLength: 65536 });
    const kv = new CountingKvBlockManager(
      report.perReplica.kvBlocks,
      B,
      64,
      false,
      kvBlockShapeOf(model, p, 65536, B),
    );
    let admitted = 0;
    while (kv.growTo(newSchedRequest(admitted, 65536, 1), 65536)) admitted++;
    assert.equal(admitted, report.perReplica.maxConcurrentSequences);
    assert.ok(admitted > 0);
  });

  it('with prefix caching, shared prompt blocks and private window blocks add up', () => {
    const { kv } = managerFor('gpt-oss-120b', plan({ weightDtype: 'mxfp4' }), 8192, 1000, true);
    const hashes = [11, 12, 13, 14];
    const first = newSchedRequest(0, 300, 1, hashes);
    kv.acquirePrefix(first);
    assert.ok(kv.growTo(first, 300));
    first.computed = 300;
    kv.publishPrefix(first);
    const second = newSchedRequest(1, 300, 1, hashes);
    // Four 64-token hashes cached; the last prompt token is always recomputed, so 256 tokens hit.
    assert.equal(kv.acquirePrefix(second), 256);
    assert.ok(kv.growTo(second, 300));
    // Its own: the rest of the 300 tokens' 19 full-layer blocks beyond the 16 shared, and 8 window blocks.
    assert.equal(second.blocks, 19 - 16 + 8);
    kv.release(first);
    kv.release(second);
    assert.equal(kv.availableBlocks(), 1000);
    assert.equal(kv.usedBlocks(), 0);
  });
});
