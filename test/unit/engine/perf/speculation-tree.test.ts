import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { createBatchShape } from '../../../../src/engine/perf/shape.js';
import {
  acceptanceRates,
  expectedTokensPerStep,
  parseSpeculation,
  SpeculationConfig,
  speculationProblems,
  treeTokensOf,
} from '../../../../src/engine/perf/speculation.js';
import { addVerifications, SpeculationCost } from '../../../../src/engine/perf/speculation-cost.js';
import {
  buildDraftTree,
  candidateRate,
  SIBLING_FACTOR,
  treePaths,
  treeShapeOfPaths,
} from '../../../../src/engine/perf/speculation-tree.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';

const rates = (alpha: number) => new Float64Array([alpha]);

describe('draft trees', () => {
  it('a tree of width 1 is the chain: (1 − α^(k+1)) / (1 − α)', () => {
    const tree = buildDraftTree(rates(0.7), 4, 1, 5);
    assert.equal(tree.size, 4);
    assert.ok(Math.abs(tree.expectedTokens - (1 - 0.7 ** 5) / (1 - 0.7)) < 1e-12);
  });

  it('E[T] = 1 + Σ over nodes of the path probability, siblings exclusive', () => {
    const a = 0.6;
    const c = SIBLING_FACTOR * a;
    // Depth 1, two candidates: the top one, then the second catching c of what the first missed.
    const two = buildDraftTree(rates(a), 1, 2, 3);
    assert.ok(Math.abs(two.expectedTokens - (1 + a + (1 - a) * c)) < 1e-12);
    // The third candidate catches c of what both missed; the three rates sum below 1.
    assert.ok(Math.abs(candidateRate(a, 3) - (1 - a) * c * (1 - c)) < 1e-12);
    assert.ok(candidateRate(a, 1) + candidateRate(a, 2) + candidateRate(a, 3) < 1);
    // A budget of 3 nodes at depth 2, width 2: the top chain (a, a²) beats the second candidate ((1 − a)c).
    const budget = buildDraftTree(rates(a), 2, 2, 3);
    assert.deepEqual(treePaths(budget), [[0], [0, 0]]);
  });

  it('a wider tree (same depth) accepts more per step', () => {
    const expected = [1, 2, 4, 8].map(
      (topk) => buildDraftTree(rates(0.75), 5, topk, 1 + 5 * topk).expectedTokens,
    );
    for (let i = 1; i < expected.length; i++) assert.ok(expected[i] > expected[i - 1], `${expected}`);
    // EAGLE-2's tree (depth 6, top-10, 60 tokens) at EAGLE's chain rate: about 4.9 against a chain's 3.5.
    assert.ok(Math.abs(buildDraftTree(rates(0.75), 6, 10, 60).expectedTokens - 4.87) < 0.05);
    assert.ok(Math.abs(expectedTokensPerStep(new Float64Array(6).fill(0.75), 6) - 3.47) < 0.01);
  });

  it("gives vLLM's node paths and reads a tree's shape back from them", () => {
    const tree = buildDraftTree(rates(0.8), 3, 2, 6);
    const paths = treePaths(tree);
    assert.equal(paths.length, 5);
    assert.deepEqual(paths[0], [0]);
    assert.deepEqual(treeShapeOfPaths(paths), { depth: 3, topk: 2, tokens: 6 });
  });

  it('is parsed from the CLI form; a tree needs a fixed policy and a drafter that can branch', () => {
    const config = parseSpeculation('eagle:k=5,topk=8,tokens=64', '--speculative');
    assert.equal(config.topk, 8);
    assert.equal(treeTokensOf(config), 64);
    assert.equal(treeTokensOf(SpeculationConfig.parse({ method: 'eagle', k: 5, topk: 4 })), 21);
    assert.equal(treeTokensOf(SpeculationConfig.parse({ method: 'eagle', k: 5 })), 6);
    const llama = getModel('llama-3.1-70b');
    assert.deepEqual(speculationProblems(config, llama), []);
    assert.match(speculationProblems({ ...config, policy: 'adaptive' }, llama).join(), /fixed tree/);
    assert.match(speculationProblems({ ...config, method: 'ngram' }, llama).join(), /chain/);
  });

  it('a wider tree costs more verification and wider draft passes', () => {
    const plan = { tp: 4, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };
    const model = compileStepModel(getModel('llama-3.1-70b'), getHardware('h100-sxm'), plan);
    const verify = (nodes: number) => {
      const shape = createBatchShape();
      addVerifications(shape, 64, 64 * 1000, 1000, nodes);
      return model.stepSeconds(shape);
    };
    assert.ok(verify(15) > 1.5 * verify(4), `${verify(15)} against ${verify(4)}`);
    const cost = (topk: number) =>
      new SpeculationCost(
        model,
        SpeculationConfig.parse({ method: 'eagle3', k: 4, topk }),
        null,
      ).draftSeconds(64, 64 * 1000, 1000, 4);
    assert.ok(cost(4) > cost(1));
    assert.equal(acceptanceRates(SpeculationConfig.parse({ method: 'eagle3', k: 4, topk: 4 })).length, 4);
  });
});
