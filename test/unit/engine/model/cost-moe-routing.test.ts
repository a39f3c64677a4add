import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BatchPiece,
  busiestRankActiveExperts,
  expectedActiveExperts,
  type LayerCostOptions,
  layerCosts,
} from '../../../../src/engine/model/cost.js';
import { layerGeometry } from '../../../../src/engine/model/geometry.js';
import type { ModelSpec } from '../../../../src/engine/model/spec.js';
import { SeededRandom } from '../../../../src/engine/util/random.js';
import { deepseekV3 } from '../../helpers/modern-models.js';

/** The busiest rank's distinct active experts, drawn: each token routes to top-k distinct experts uniformly. */
function sampledBusiestRank(
  experts: number,
  topK: number,
  tokens: number,
  ep: number,
  trials: number,
): number {
  const rng = new SeededRandom(7);
  const perRank = experts / ep;
  let sum = 0;
  for (let t = 0; t < trials; t++) {
    const active = new Uint8Array(experts);
    for (let n = 0; n < tokens; n++) {
      const picked = new Set<number>();
      while (picked.size < topK) picked.add(rng.int(experts));
      for (const e of picked) active[e] = 1;
    }
    let busiest = 0;
    for (let r = 0; r < ep; r++) {
      let count = 0;
      for (let e = r * perRank; e < (r + 1) * perRank; e++) count += active[e];
      busiest = Math.max(busiest, count);
    }
    sum += busiest;
  }
  return sum / trials;
}

/** One MoE layer's ops (DeepSeek-V3's layer 3) with fp8 weights. */
const costs = (model: ModelSpec, pieces: BatchPiece[], options: LayerCostOptions) =>
  new Map(
    layerCosts(model, layerGeometry(model, 3), { weight: { dtype: 'fp8' }, kv: 'fp8' }, pieces, options).map(
      (op) => [op.name, op],
    ),
  );

describe('MoE routing on the busiest expert-parallel rank', () => {
  it('the busiest rank holds more active experts than the mean at a few tokens, the mean once all are active', () => {
    // One token's 8 of 256 experts over 8 ranks of 32: one a rank on average.
    const one = busiestRankActiveExperts(256, 8, 1, 8);
    assert.ok(Math.abs(expectedActiveExperts(256, 8, 1) / 8 - 1) < 1e-12);
    assert.ok(one > 2.2 && one < 2.9, String(one));
    for (const [tokens, ep] of [
      [1, 8],
      [4, 8],
      [2, 32],
      [16, 32],
    ] as const) {
      const drawn = sampledBusiestRank(256, 8, tokens, ep, 4000);
      const expected = busiestRankActiveExperts(256, 8, tokens, ep);
      assert.ok(
        Math.abs(expected / drawn - 1) < 0.08,
        `${tokens} tokens EP${ep}: ${expected} vs drawn ${drawn}`,
      );
      assert.ok(expected > expectedActiveExperts(256, 8, tokens) / ep);
    }
    // Every expert active: the busiest rank holds all of its own, no more.
    assert.ok(Math.abs(busiestRankActiveExperts(256, 8, 4096, 8) - 32) < 1e-9);
    assert.equal(busiestRankActiveExperts(256, 8, 0, 8), 0);
  });

  it("under EP the grouped GEMMs read the busiest rank's experts, with a row for each", () => {
    const ops = costs(deepseekV3, [{ tokens: 1, context: 100 }], { tp: 8, ep: 8 });
    const gateUp = ops.get('experts_gate_up')!;
    const busiest = busiestRankActiveExperts(256, 8, 1, 8);
    const expertWeights = 2 * 7168 * 2048;
    // fp8: a byte a weight; each of its active experts gets its one routed row.
    assert.ok(Math.abs(gateUp.bytes - (busiest * expertWeights + busiest * (7168 + 2 * 2048) * 2)) < 1e-3);
    assert.ok(Math.abs(gateUp.flops - 2 * busiest * expertWeights) < 1e-3);
    // Under TP every GPU holds a slice of every expert: no busiest rank.
    const tp = costs(deepseekV3, [{ tokens: 1, context: 100 }], { tp: 8 }).get('experts_gate_up')!;
    assert.ok(Math.abs(tp.bytes - ((8 * expertWeights) / 8 + 8 * (7168 + (2 * 2048) / 8) * 2)) < 1e-3);
  });

  it('the top-k is picked, the routed rows gathered into expert order and scattered back: kernels of their own', () => {
    const ops = costs(deepseekV3, [{ tokens: 4, context: 100 }], { tp: 8 });
    const names = [...ops.keys()];
    const at = (name: string) => names.indexOf(name);
    assert.ok(at('experts_topk') > at('router') && at('experts_topk') < at('experts_permute'));
    assert.ok(at('experts_permute') >= 0 && at('experts_permute') < at('experts_gate_up'));
    // The top-k reads each token's 256 fp32 logits and writes its 8 expert ids and weights.
    assert.equal(ops.get('experts_topk')!.bytes, 4 * (256 + 2 * 8) * 4);
    assert.ok(at('experts_finalize') > at('experts_down'));
    // 32 routed rows of 7168 16-bit values read and written; the finalize writes the 4 tokens' rows back.
    assert.equal(ops.get('experts_permute')!.bytes, 2 * 32 * 7168 * 2);
    assert.equal(ops.get('experts_finalize')!.bytes, (32 + 4) * 7168 * 2);
    assert.equal(ops.get('experts_permute')!.kind, 'elementwise');
  });
});
