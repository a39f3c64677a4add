import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import type { Link } from '../../../../src/engine/perf/comm.js';
import { compileStepModel, type StepModel } from '../../../../src/engine/perf/step-model.js';

const b200 = getHardware('b200');
const deepseek = getModel('deepseek-v3');
const llama70b = getModel('llama-3.1-70b');
/** A link without latency, so that times compare as bytes. */
const link: Link = { bytesPerSecond: 50e9, latencySeconds: 0 };

function stepModel(model: typeof deepseek, tp: number): StepModel {
  const plan: Plan = { tp, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
  return compileStepModel(model, b200, plan, { engine: { id: 'trtllm' } });
}

describe('KV transfer from a prefill replica to a decode replica', () => {
  const tokens = 8192;

  it("repeats MLA's unsplit latent KV for each decode TP rank a sender serves", () => {
    const prefill = stepModel(deepseek, 1);
    const alone = prefill.kvTransferSeconds(tokens, link);
    // TP1 prefill (an attention-DP rank) to a TP8 decode replica: the whole cache, eight times.
    const toTp8 = prefill.kvTransferSeconds(tokens, link, stepModel(deepseek, 8));
    assert.ok(Math.abs(toTp8 / alone - 8) < 1e-9, `${toTp8 / alone}`);
    // To an attention-DP decode rank (TP1): once.
    assert.equal(prefill.kvTransferSeconds(tokens, link, stepModel(deepseek, 1)), alone);
  });

  it('has every receiving rank take the whole latent from one sender where the prefill has more ranks', () => {
    const prefill = stepModel(deepseek, 4);
    const shard = prefill.kvTransferSeconds(tokens, link);
    const toTp2 = prefill.kvTransferSeconds(tokens, link, stepModel(deepseek, 2));
    assert.ok(Math.abs(toTp2 / shard - 4) < 1e-9, `${toTp2 / shard}`);
  });

  it('leaves KV heads split over TP as shards, and repeats only heads replicated beyond their count', () => {
    const prefill = stepModel(llama70b, 2);
    const alone = prefill.kvTransferSeconds(tokens, link);
    assert.equal(prefill.kvTransferSeconds(tokens, link, stepModel(llama70b, 8)), alone);
    // Eight KV heads over sixteen decode ranks: each head lives on two ranks, so twice the bytes.
    const toTp16 = prefill.kvTransferSeconds(tokens, link, stepModel(llama70b, 16));
    assert.ok(Math.abs(toTp16 / alone - 2) < 1e-9, `${toTp16 / alone}`);
  });
});
