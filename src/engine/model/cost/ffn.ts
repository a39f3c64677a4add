import { SIXTEEN_BIT } from '../checkpoint.js';
import { ACTIVATION_BYTES, weightBytesPerParam } from '../dtypes.js';
import type { MoeFfnGeometry } from '../geometry.js';
import { type LayerCostSetup, linearOp, type OpCost } from './common.js';

const a = ACTIVATION_BYTES;

/**
 * Expected number of distinct experts that `tokens` tokens route to when each picks `topK` of
 * `experts` uniformly: the experts whose weights one MoE layer must read.
 */
export function expectedActiveExperts(experts: number, topK: number, tokens: number): number {
  if (tokens <= 0) return 0;
  return experts * (1 - (1 - topK / experts) ** tokens);
}

/** SiLU(gate) × up over `rows` rows of `width`. */
function siluAndMul(name: string, rows: number, width: number): OpCost {
  return { name, kind: 'elementwise', flops: 5 * rows * width, bytes: 3 * rows * width * a };
}

/** The FFN of one layer on one GPU for `tokens` tokens: a gated MLP, or a router, experts and shared experts. */
export function ffnOps(s: LayerCostSetup, tokens: number): OpCost[] {
  const ffn = s.layer.ffn;
  const h = s.hiddenSize;
  if (ffn.kind === 'dense') {
    const width = ffn.width / s.tp;
    return [
      linearOp('gate_up_proj', tokens, 2 * h * width, h, 2 * width, s.weights.dense),
      siluAndMul('silu_and_mul', tokens, width),
      linearOp('down_proj', tokens, width * h, width, h, s.weights.dense),
    ];
  }
  const ops = [routerOp(s, ffn, tokens), ...routedExpertOps(s, ffn, tokens)];
  if (ffn.sharedWidth > 0) ops.push(sharedExpertsOp(s, ffn.sharedWidth, tokens));
  return ops;
}

/** The gate: hidden × experts logits for every token, replicated on every GPU and kept in 16-bit. */
function routerOp(s: LayerCostSetup, ffn: MoeFfnGeometry, tokens: number): OpCost {
  const weights = s.hiddenSize * ffn.experts;
  return {
    name: 'router',
    kind: 'linear',
    flops: 2 * tokens * weights,
    bytes: weights * a + tokens * (s.hiddenSize + ffn.experts) * a,
    weight: SIXTEEN_BIT,
  };
}

/**
 * Expected number of active experts on the busiest of `ep` ranks, each holding a contiguous block of
 * experts / ep, when `tokens` tokens each route to `topK` of `experts` uniformly: the expected maximum
 * of `ep` binomial counts (each of a rank's experts active with expectedActiveExperts' probability).
 * The MoE layer waits for that rank, which at a few tokens holds well above the mean (one token's 8 of
 * 256 experts over 8 ranks: 1 per rank on average, the busiest 2.5); from a few hundred tokens on every
 * expert is active and it is the mean. Sampling alone: a skew in expert popularity comes on top.
 */
export function busiestRankActiveExperts(experts: number, topK: number, tokens: number, ep: number): number {
  const perRank = experts / ep;
  if (tokens <= 0) return 0;
  const p = 1 - (1 - topK / experts) ** tokens;
  if (ep <= 1 || p >= 1 - 1e-12) return perRank * Math.min(1, p);
  const m = Math.round(perRank);
  // E[max] = Σ_x P(max > x) = Σ_x (1 − F(x)^ep), F the binomial(m, p) CDF.
  let pmf = (1 - p) ** m;
  let cdf = 0;
  let expected = 0;
  for (let x = 0; x < m; x++) {
    cdf += pmf;
    expected += 1 - Math.min(1, cdf) ** ep;
    pmf *= ((m - x) / (x + 1)) * (p / (1 - p));
  }
  return expected;
}

/**
 * The routed experts each EP rank holds, as the op's note prints them: whole where EP divides them,
 * else to one decimal (EPLB's redundant slots let EP divide experts + slots, e.g. DeepSeek-V3's 256 + 32
 * over EP 72, so a rank holds 3.6 of the routed experts on average).
 */
function expertsPerRank(experts: number, ep: number): string {
  const perRank = experts / ep;
  return Number.isInteger(perRank) ? String(perRank) : perRank.toFixed(1);
}

/**
 * The routed experts as one grouped GEMM over the tokens' top-k copies. Weights are read only for the
 * experts the batch routes to (expectedActiveExperts). Under TP each GPU holds a 1/TP slice of every
 * expert and runs every routed token; under EP it holds experts/EP whole experts and runs its share of
 * the routed tokens, the busiest GPU `expertImbalance` times the mean, and at least one row for each
 * of its active experts, of which it holds the most (busiestRankActiveExperts; the others wait for it).
 * Around the grouped GEMMs every engine's MoE picks each token's top-k experts from the router's
 * logits, gathers the routed rows into expert order (permute) and scatters the top-k outputs back,
 * weighted, into each token's row (finalize): kernels of their own where no fused MoE kernel is measured.
 */
function routedExpertOps(s: LayerCostSetup, ffn: MoeFfnGeometry, tokens: number): OpCost[] {
  const h = s.hiddenSize;
  // Under attention DP the EP group's experts see every rank's batch (epGroupBatches of them).
  const groupTokens = tokens * s.epGroupBatches;
  const routed = groupTokens * ffn.topK;
  const active = expectedActiveExperts(ffn.experts, ffn.topK, groupTokens);
  // MoE tensor parallelism over the EP group: every GPU a 1/ep slice of every expert, every routed row.
  const ep = s.moeTensorParallel ? 1 : s.ep;
  const width = ep > 1 ? ffn.width : ffn.width / (s.moeTensorParallel ? s.ep : s.tp);
  const touched = ep > 1 ? busiestRankActiveExperts(ffn.experts, ffn.topK, groupTokens, ep) : active;
  const rows = ep > 1 ? Math.min(routed, Math.max((s.expertImbalance * routed) / ep, touched)) : routed;
  const detail =
    ep > 1
      ? `${active.toFixed(1)} of ${ffn.experts} experts active, ${touched.toFixed(1)} of ${expertsPerRank(ffn.experts, ep)} per GPU on the busiest, its tokens × ${s.expertImbalance.toFixed(2)} the mean`
      : `${active.toFixed(1)} of ${ffn.experts} experts active, top-${ffn.topK}`;
  const weight = s.weights.experts;
  const perExpert = touched > 0 ? rows / touched : 0;
  const grouped = (name: string, weights: number, io: number, dense: { n: number; k: number }): OpCost => ({
    name,
    kind: 'linear',
    flops: 2 * rows * weights,
    bytes: touched * weights * weightBytesPerParam(weight) + rows * io * a,
    weight,
    detail,
    groupedGemm: { m: perExpert, ...dense },
  });
  // Top-k over each token's router logits (fp32 in), its experts' ids and weights (fp32 out).
  const topKBytes = groupTokens * (ffn.experts + 2 * ffn.topK) * 4;
  return [
    { name: 'experts_topk', kind: 'elementwise', flops: groupTokens * ffn.experts, bytes: topKBytes },
    { name: 'experts_permute', kind: 'elementwise', flops: rows * h, bytes: 2 * rows * h * a },
    grouped('experts_gate_up', 2 * h * width, h + 2 * width, { n: touched * 2 * width, k: h }),
    siluAndMul('silu_and_mul', rows, width),
    grouped('experts_down', width * h, width + h, { n: h, k: touched * width }),
    {
      name: 'experts_finalize',
      kind: 'elementwise',
      flops: 2 * rows * h,
      bytes: (rows + groupTokens) * h * a,
    },
  ];
}

/**
 * The shared experts every token runs (DeepSeek's, Qwen2-MoE's): a gated MLP of their total width,
 * sliced over TP, as one op: gate, up and down matmuls (the activation between them is not counted);
 * input and output rows, and the intermediate written and read around the activation.
 */
function sharedExpertsOp(s: LayerCostSetup, sharedWidth: number, tokens: number): OpCost {
  const h = s.hiddenSize;
  const width = sharedWidth / s.tp;
  const weights = 3 * h * width;
  return {
    name: 'shared_experts',
    kind: 'linear',
    flops: 2 * tokens * weights,
    bytes: weights * weightBytesPerParam(s.weights.shared) + tokens * (2 * h + 6 * width) * a,
    weight: s.weights.shared,
  };
}
