import { type BatchShape, createBatchShape } from '../perf/shape.js';
import { acceptanceRates, expectedTokensPerStep, type SpeculationConfig } from '../perf/speculation.js';
import { addVerifications, copyBatchShape, type SpeculationCost } from '../perf/speculation-cost.js';
import type { StepModel } from '../perf/step-model.js';
import { Rng } from '../workload/rng.js';

/**
 * One pool's speculative decoding in the simulator: how many tokens a step drafts (fixed k, or the k
 * an adaptive policy picks for the step's batch) and how many of them the target accepts (seeded
 * draws, per-position rates). Allocation-free per step.
 */
export class SpeculativeDecoder {
  readonly kMax: number;
  readonly rates: Float64Array;
  /** Expected tokens per verification step for each k in 0..kMax. */
  readonly expected: Float64Array;
  private readonly trial: BatchShape;
  private readonly rng: Rng;
  /** Verification steps (a speculating sequence's step) and the tokens they emitted, for the summary. */
  verifications = 0;
  emitted = 0;
  drafted = 0;

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
    this.trial = createBatchShape(window);
    this.rng = new Rng(seed);
  }

  /**
   * The k this step drafts for its `count` speculating decodes (contexts summing to `contextSum`),
   * beside the rest of the step already in `base`. Fixed: kMax. Adaptive: the k of 0..kMax whose step
   * emits the most tokens per second, draft and verification included (SmartSpec's criterion), so a
   * large batch, where verifying k + 1 tokens costs about k + 1 times a decode, drafts less or nothing.
   */
  chooseK(base: BatchShape, count: number, contextSum: number, maxContext: number, model: StepModel): number {
    if (count === 0) return 0;
    if (this.config.policy === 'fixed') return this.kMax;
    let best = 0;
    let bestRate = 0;
    const trial = this.trial;
    for (let k = 0; k <= this.kMax; k++) {
      copyBatchShape(base, trial);
      addVerifications(trial, count, contextSum, maxContext, k);
      const seconds = model.stepSeconds(trial) + this.cost.draftSeconds(count, contextSum, maxContext, k);
      const tokens = base.sampledTokens + count * this.expected[k];
      const rate = tokens / seconds;
      if (rate > bestRate * (1 + 1e-9)) {
        bestRate = rate;
        best = k;
      }
    }
    return best;
  }

  /** Seconds of the draft passes for the step (see SpeculationCost.draftSeconds). */
  draftSeconds(count: number, contextSum: number, maxContext: number, k: number): number {
    return this.cost.draftSeconds(count, contextSum, maxContext, k);
  }

  /**
   * Drafted tokens the target accepts in one sequence's verification of `k`, at most `room` (the
   * tokens it may still emit beyond the target's own): each position in turn with its rate, up to the
   * first rejection. `own`: the request's own rate for every position (the workload's), where ≥ 0;
   * else the pool's per-position rates.
   */
  accepted(k: number, room: number, own = -1): number {
    const rates = this.rates;
    let a = 0;
    if (own >= 0) while (a < k && this.rng.next() < own) a++;
    else while (a < k && this.rng.next() < rates[a]) a++;
    const kept = Math.min(a, room);
    this.verifications++;
    this.drafted += k;
    this.emitted += kept + 1;
    return kept;
  }
}
