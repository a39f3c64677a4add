import { type BatchShape, createBatchShape } from '../perf/shape.js';
import {
  acceptanceRates,
  expectedTokensPerStep,
  type SpeculationConfig,
  treeTokensOf,
} from '../perf/speculation.js';
import { addVerifications, copyBatchShape, type SpeculationCost } from '../perf/speculation-cost.js';
import { buildDraftTree, candidateRate, type DraftTree } from '../perf/speculation-tree.js';
import type { StepModel } from '../perf/step-model.js';
import { Rng } from '../workload/rng.js';

/** What the decoder keeps of a request: its own rate (−1: the pool's) and its observed acceptance. */
export interface DraftingRequest {
  readonly acceptance: number;
  /** Drafted tokens it accepted, and the draws that decided them (accepted ones plus each rejection). */
  specAccepted: number;
  specTrials: number;
  /** Tokens drafted for it, and tokens its verifications emitted. */
  specDrafted: number;
  specEmitted: number;
}

/** Pseudo-draws of the pool's rate a request's running estimate starts from. */
const PRIOR_TRIALS = 4;

/**
 * One pool's speculative decoding in the simulator: how many tokens a step drafts (fixed k, the k an
 * adaptive policy picks for the step's batch, or each request's own k from its observed acceptance)
 * and how many of them the target accepts (seeded draws, per-position rates, along a chain or down a
 * draft tree). Allocation-free per step.
 */
export class SpeculativeDecoder {
  readonly kMax: number;
  readonly rates: Float64Array;
  /** Expected tokens per verification step for each k in 0..kMax (a tree: its own at kMax). */
  readonly expected: Float64Array;
  /** Tree drafting's tree (topk > 1); null: a chain. */
  readonly tree: DraftTree | null;
  private readonly trial: BatchShape;
  private readonly rng: Rng;
  /** Per-request policy: the acceptance a drafted token must reach to pay for itself this step. */
  private threshold = 0;
  /** Verification steps (a speculating sequence's step) and the tokens they emitted, for the summary. */
  verifications = 0;
  emitted = 0;
  drafted = 0;
  /** What the acceptance model expects the verifications to emit, each at the k it drafted. */
  expectedEmitted = 0;

  constructor(
    readonly config: SpeculationConfig,
    readonly cost: SpeculationCost,
    seed: number,
    window: number | undefined,
  ) {
    this.kMax = config.k;
    this.rates = acceptanceRates(config);
    this.expected = new Float64Array(config.k + 1);
    for (let k = 0; k <= config.k; k++) this.expected[k] = expectedTokensPerStep(this.rates, k);
    const topk = config.topk ?? 1;
    this.tree = topk > 1 ? buildDraftTree(this.rates, config.k, topk, treeTokensOf(config)) : null;
    if (this.tree) this.expected[config.k] = this.tree.expectedTokens;
    this.trial = createBatchShape(window, cost.verifiesAsDecodes);
    this.rng = new Rng(seed);
  }

  /**
   * The k this step drafts for its `count` speculating decodes (contexts summing to `contextSum`),
   * beside the rest of the step already in `base`. Fixed and per-request: kMax (per-request then caps
   * each request's own with `draftFor`). Adaptive: the k of 0..kMax whose step emits the most tokens
   * per second, draft and verification included (SmartSpec's criterion), so a large batch, where
   * verifying k + 1 tokens costs about k + 1 times a decode, drafts less or nothing.
   */
  chooseK(base: BatchShape, count: number, contextSum: number, maxContext: number, model: StepModel): number {
    if (count === 0) return 0;
    if (this.config.policy === 'per-request')
      this.threshold = this.paybackThreshold(base, count, contextSum, maxContext, model);
    if (this.config.policy !== 'adaptive') return this.kMax;
    let best = 0;
    let bestRate = 0;
    const prefill = this.cost.prefillSeconds();
    for (let k = 0; k <= this.kMax; k++) {
      const rate =
        (base.sampledTokens + count * this.expected[k]) /
        this.trialSeconds(base, count, contextSum, maxContext, k, model, prefill);
      if (rate > bestRate * (1 + 1e-9)) {
        bestRate = rate;
        best = k;
      }
    }
    return best;
  }

  /** The step's seconds with every speculating sequence drafting `k`, draft passes and prefill included. */
  private trialSeconds(
    base: BatchShape,
    count: number,
    contextSum: number,
    maxContext: number,
    k: number,
    model: StepModel,
    prefill: number,
  ): number {
    copyBatchShape(base, this.trial);
    addVerifications(this.trial, count, contextSum, maxContext, k);
    return model.stepSeconds(this.trial) + this.cost.draftSeconds(count, contextSum, maxContext, k) + prefill;
  }

  /**
   * The per-request policy's bar: a request's i-th drafted token adds its chance of acceptance p to the
   * step's tokens and δ (one drafted token's share of the step's extra time, verification and draft
   * pass) to its seconds; that raises the step's tokens per second R₀ only where p > δ·R₀. δ and R₀ are
   * those of drafting one token each against none (SmartSpec's goodput criterion, taken per request).
   */
  private paybackThreshold(
    base: BatchShape,
    count: number,
    contextSum: number,
    maxContext: number,
    model: StepModel,
  ): number {
    const prefill = this.cost.prefillSeconds();
    const plain = this.trialSeconds(base, count, contextSum, maxContext, 0, model, prefill);
    const one = this.trialSeconds(base, count, contextSum, maxContext, 1, model, prefill);
    return (((one - plain) / count) * (base.sampledTokens + count)) / plain;
  }

  /**
   * Tokens `r` drafts this step under a step-wide `k`: the tree's nodes for a tree, else k, or under
   * the per-request policy the longest draft whose every token's chance of acceptance (its running
   * estimate to the power of the position) clears the step's bar.
   */
  draftFor(r: DraftingRequest, k: number): number {
    if (this.tree !== null) return k > 0 ? this.tree.size : 0;
    if (this.config.policy !== 'per-request') return k;
    const estimate = (r.specAccepted + this.rates[0] * PRIOR_TRIALS) / (r.specTrials + PRIOR_TRIALS);
    let drafted = 0;
    let reach = estimate;
    while (drafted < k && reach >= this.threshold) {
      drafted++;
      reach *= estimate;
    }
    return drafted;
  }

  /** `drafted` tokens of a sequence after `context` cached ones: its share of the draft passes. */
  addDrafting(context: number, drafted: number): void {
    if (drafted > 0) this.cost.addDrafting(context, this.tree !== null ? this.tree.depth : drafted);
  }

  /**
   * Drafted tokens the target accepts in `r`'s verification of `k`, at most `room` (the tokens it may
   * still emit beyond the target's own): along a chain, each position in turn with its rate up to the
   * first rejection; down a tree, at each node one draw against its children's ranks. The request's
   * own rate (`acceptance` ≥ 0, the workload's) replaces the pool's at every position.
   */
  accepted(r: DraftingRequest, k: number, room: number): number {
    const a = this.tree !== null ? this.treeAccepted(r.acceptance) : this.chainAccepted(k, r.acceptance);
    const kept = Math.min(a, room);
    r.specAccepted += a;
    r.specTrials += a + (a < (this.tree !== null ? this.tree.depth : k) ? 1 : 0);
    r.specDrafted += k;
    r.specEmitted += kept + 1;
    this.verifications++;
    // An adaptive or per-request policy drafts fewer than kMax at times: expect what was drafted.
    this.expectedEmitted += this.tree !== null ? this.expected[this.kMax] : this.expected[k];
    this.drafted += k;
    this.emitted += kept + 1;
    return kept;
  }

  private chainAccepted(k: number, own: number): number {
    const rates = this.rates;
    let a = 0;
    if (own >= 0) while (a < k && this.rng.next() < own) a++;
    else while (a < k && this.rng.next() < rates[a]) a++;
    return a;
  }

  /** Down the tree from the root: the child whose rank the draw lands in, until none does. */
  private treeAccepted(own: number): number {
    const tree = this.tree!;
    let node = 0;
    let depth = 0;
    for (;;) {
      const children = tree.childCount[node];
      if (children === 0) return depth;
      const alpha = own >= 0 ? own : this.rates[Math.min(depth, this.rates.length - 1)];
      const u = this.rng.next();
      let reach = 0;
      let next = -1;
      for (let j = 1; j <= children && next < 0; j++) {
        reach += candidateRate(alpha, j);
        if (u < reach) next = tree.firstChild[node] + j - 1;
      }
      if (next < 0) return depth;
      node = next;
      depth++;
    }
  }
}
