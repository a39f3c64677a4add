import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { addVerifications } from '../../../../src/engine/perf/speculation-cost.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';

describe('speculative verification of an MLA model', () => {
  const deepseek = getModel('deepseek-v3');
  const plan: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
  const model = compileStepModel(deepseek, getHardware('h200'), plan, { engine: { id: 'trtllm' } });
  const sequences = 22;
  const context = 1500;
  const k = 3;

  it('runs k + 1 query tokens per sequence on the decode path, not by decompressing the context', () => {
    const decode = createBatchShape(deepseek.slidingWindow, true);
    addUniformDecodes(decode, sequences, context);
    const asDecodes = createBatchShape(deepseek.slidingWindow, true);
    addVerifications(asDecodes, sequences, sequences * context, context, k);
    assert.equal(asDecodes.prefillTokens, 0);
    assert.equal(asDecodes.decodeCount, sequences * (k + 1));
    assert.equal(asDecodes.decodeContextSum, sequences * ((k + 1) * context + (k * (k + 1)) / 2));
    const asPrefill = createBatchShape(deepseek.slidingWindow, false);
    addVerifications(asPrefill, sequences, sequences * context, context, k);
    const plain = model.stepSeconds(decode);
    const verified = model.stepSeconds(asDecodes);
    // Four query tokens a sequence cost more than one, far less than a prefill over the whole context.
    assert.ok(verified > plain, `${verified} vs ${plain}`);
    assert.ok(verified < 2 * plain, `verification ${verified} s against a decode step of ${plain} s`);
    assert.ok(model.stepSeconds(asPrefill) > verified, 'the prefill path decompresses every cached latent');
  });
});
