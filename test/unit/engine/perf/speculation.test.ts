import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { createBatchShape, resetBatchShape } from '../../../../src/engine/perf/shape.js';
import {
  acceptanceRates,
  describeSpeculation,
  expectedTokensPerStep,
  parseSpeculation,
  SpeculationConfig,
  speculationProblems,
} from '../../../../src/engine/perf/speculation.js';
import {
  addVerification,
  addVerifications,
  SpeculationCost,
} from '../../../../src/engine/perf/speculation-cost.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';

const plan = { tp: 4, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };

describe('speculation acceptance', () => {
  it('i.i.d. acceptance gives (1 − α^(k+1)) / (1 − α) tokens per step', () => {
    const rates = acceptanceRates(SpeculationConfig.parse({ method: 'eagle', k: 4, acceptance: 0.7 }));
    assert.ok(Math.abs(expectedTokensPerStep(rates, 4) - (1 - 0.7 ** 5) / (1 - 0.7)) < 1e-12);
    assert.equal(expectedTokensPerStep(rates, 0), 1);
  });

  it('a per-position table multiplies along the prefix and repeats its last rate', () => {
    const rates = acceptanceRates(SpeculationConfig.parse({ method: 'mtp', k: 4, acceptance: [0.9, 0.5] }));
    assert.deepEqual([...rates], [0.9, 0.5, 0.5, 0.5]);
    const expected = 1 + 0.9 + 0.45 + 0.225 + 0.1125;
    assert.ok(Math.abs(expectedTokensPerStep(rates, 4) - expected) < 1e-12);
  });

  it('parses the CLI form and gives it back', () => {
    const c = parseSpeculation('draft-model:k=4,draft=llama-3.2-1b,acceptance=0.9/0.8', '--speculative');
    assert.deepEqual(c, {
      method: 'draft-model',
      k: 4,
      policy: 'fixed',
      draftModel: 'llama-3.2-1b',
      acceptance: [0.9, 0.8],
    });
    assert.equal(describeSpeculation(c), 'draft-model:k=4,draft=llama-3.2-1b,acceptance=0.9/0.8');
    assert.equal(parseSpeculation('eagle3:k=3,policy=adaptive', 'x').policy, 'adaptive');
  });

  it('rejects an unknown method, a missing k and a rate of 1 with the option named', () => {
    for (const bad of ['medusa:k=3', 'eagle', 'eagle:k=3,acceptance=1', 'eagle:k=3,depth=2']) {
      assert.throws(
        () => parseSpeculation(bad, '--speculative'),
        (e: unknown) => e instanceof ServeTuneError && e.message.startsWith('--speculative'),
      );
    }
  });

  it('MTP needs the model to have MTP layers', () => {
    const mtp = SpeculationConfig.parse({ method: 'mtp', k: 1 });
    assert.deepEqual(speculationProblems(mtp, getModel('deepseek-v3')), []);
    assert.equal(speculationProblems(mtp, getModel('llama-3.1-70b')).length, 1);
  });
});

describe('speculation cost', () => {
  const model = compileStepModel(getModel('llama-3.1-70b'), getHardware('h100-sxm'), plan);

  it('aggregated verifications equal the per-sequence sums for equal contexts', () => {
    const a = createBatchShape();
    const b = createBatchShape();
    addVerifications(a, 3, 3 * 500, 500, 4);
    for (let i = 0; i < 3; i++) addVerification(b, 500, 4);
    assert.deepEqual(a, b);
    assert.equal(a.sampledTokens, 15);
  });

  it('verifying k + 1 tokens costs about a decode at batch 1 and about k + 1 decodes at a large batch', () => {
    const shape = createBatchShape();
    const time = (count: number, k: number) => {
      resetBatchShape(shape);
      addVerifications(shape, count, count * 300, 300, k);
      return model.stepSeconds(shape);
    };
    assert.ok(time(1, 3) / time(1, 0) < 1.1);
    assert.ok(time(1024, 3) / time(1024, 0) > 2.5);
  });

  it('a head drafts for a fraction of a target step; n-gram costs nothing; a draft model more than a head', () => {
    const head = new SpeculationCost(model, SpeculationConfig.parse({ method: 'eagle3', k: 3 }), null);
    const ngram = new SpeculationCost(model, SpeculationConfig.parse({ method: 'ngram', k: 3 }), null);
    const draftModel = compileStepModel(getModel('llama-3.2-1b'), getHardware('h100-sxm'), plan);
    const draft = new SpeculationCost(
      model,
      SpeculationConfig.parse({ method: 'draft-model', k: 3 }),
      draftModel,
    );
    const shape = createBatchShape();
    addVerifications(shape, 8, 8 * 300, 300, 0);
    const step = model.stepSeconds(shape);
    const headSeconds = head.draftSeconds(8, 8 * 300, 300, 3);
    assert.ok(headSeconds > 0 && headSeconds < 0.15 * step);
    assert.equal(ngram.draftSeconds(8, 8 * 300, 300, 3), 0);
    assert.ok(draft.draftSeconds(8, 8 * 300, 300, 3) > headSeconds);
  });
});
