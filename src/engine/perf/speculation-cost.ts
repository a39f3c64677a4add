import { attendedPairs, windowedKeys, windowedPairs } from '../model/cost.js';
import { type BatchShape, createBatchShape, resetBatchShape } from './shape.js';
import { MAX_SPECULATIVE_TOKENS, type SpeculationConfig } from './speculation.js';
import { createStepTiming, type StepModel } from './step-model.js';

/**
 * What speculation adds to a step, allocation-free:
 * - the draft's passes: k sequential decode steps of a draft model over the speculating sequences, or k
 *   passes of a drafting head (EAGLE, EAGLE-3, MTP: one decoder layer of the target's shape and the LM
 *   head each), or nothing on the GPU for n-gram lookup (a CPU match over the prompt); a tree's passes
 *   after the first take its width (top-k) tokens per sequence;
 * - the draft's prefill of the step's prompt chunks: a draft model prefills every prompt itself (its
 *   own forward over the chunk); a head reads the target's hidden states over the chunk through its
 *   one layer;
 * - the verification: each speculating sequence runs k + 1 query tokens after its context, as a prefill
 *   chunk does (its keys read once, k + 1 rows through every linear, k + 1 logits), so at large batch it
 *   costs what k + 1 times the tokens cost.
 */
export class SpeculationCost {
  private readonly draftShape: BatchShape;
  private readonly draftTiming = createStepTiming();
  /** The step's prompt chunks, which the drafter prefills too (the simulator adds them). */
  readonly prefillShape: BatchShape;
  /** Per draft pass of the step: sequences drafting in it and their contexts (`addDrafting`). */
  private readonly passCount = new Float64Array(MAX_SPECULATIVE_TOKENS);
  private readonly passContext = new Float64Array(MAX_SPECULATIVE_TOKENS);
  private passMaxContext = 0;
  /** Tokens per sequence of each draft pass after the first: the tree's width, 1 for a chain. */
  readonly width: number;

  constructor(
    private readonly target: StepModel,
    readonly config: SpeculationConfig,
    /** `draft-model`: the draft's own step model (same hardware, its own TP); else null. */
    private readonly draft: StepModel | null,
  ) {
    const mla = target.model.mla !== undefined;
    this.draftShape = createBatchShape(target.model.slidingWindow, mla);
    this.prefillShape = createBatchShape(target.model.slidingWindow, mla);
    this.width = config.topk ?? 1;
  }

  /** Whether the target verifies as decodes (an MLA model: BatchShape.verifiesAsDecodes). */
  get verifiesAsDecodes(): boolean {
    return this.draftShape.verifiesAsDecodes;
  }

  /** Whether the drafter runs on the GPU (n-gram lookup does not). */
  get onGpu(): boolean {
    return this.config.method !== 'ngram';
  }

  /**
   * Seconds of the k draft passes for `count` speculating sequences whose contexts sum to `contextSum`
   * (the longest `maxContext`). Each pass sees one more token of context than the last.
   */
  draftSeconds(count: number, contextSum: number, maxContext: number, k: number): number {
    if (k <= 0 || count <= 0 || !this.onGpu) return 0;
    let seconds = 0;
    for (let pass = 0; pass < k; pass++) {
      seconds += this.passSeconds(
        count,
        contextSum + pass * count,
        maxContext + pass,
        pass === 0 ? 1 : this.width,
      );
    }
    return seconds;
  }

  /** Starts a step: no prompt chunk and no drafting sequence yet. */
  resetStep(): void {
    resetBatchShape(this.prefillShape);
    this.passCount.fill(0);
    this.passContext.fill(0);
    this.passMaxContext = 0;
  }

  /** A sequence of the step drafts in its first `passes` passes after `context` cached tokens. */
  addDrafting(context: number, passes: number): void {
    for (let pass = 0; pass < passes; pass++) {
      this.passCount[pass]++;
      this.passContext[pass] += context + pass;
    }
    if (passes > 0 && context > this.passMaxContext) this.passMaxContext = context;
  }

  /** Seconds the drafter adds to the step: its passes over the drafting sequences and its prefill. */
  stepSeconds(): number {
    if (!this.onGpu) return 0;
    let seconds = this.prefillSeconds();
    for (let pass = 0; pass < MAX_SPECULATIVE_TOKENS && this.passCount[pass] > 0; pass++) {
      const width = pass === 0 ? 1 : this.width;
      seconds += this.passSeconds(
        this.passCount[pass],
        this.passContext[pass],
        this.passMaxContext + pass,
        width,
      );
    }
    return seconds;
  }

  /**
   * Seconds of the drafter's prefill of the step's prompt chunks: a draft model's forward over them, or
   * a head's one layer over the target's hidden states (no LM head: only the last position drafts, in
   * the first draft pass).
   */
  prefillSeconds(): number {
    const shape = this.prefillShape;
    if (!this.onGpu || shape.prefillTokens === 0) return 0;
    return this.draft ? this.draftModelPass(shape) : this.layerPass(shape);
  }

  /** One draft pass: `count` sequences, each `width` query tokens after its context. */
  private passSeconds(count: number, contextSum: number, maxContext: number, width: number): number {
    const shape = this.draftShape;
    resetBatchShape(shape);
    if (width <= 1) {
      shape.decodeCount = count;
      shape.decodeContextSum = contextSum;
      shape.decodeMaxContext = maxContext;
      shape.sampledTokens = count;
    } else addVerifications(shape, count, contextSum, maxContext, width - 1);
    return this.draft ? this.draftModelPass(shape) : this.layerPass(shape) + this.draftTiming.headSeconds;
  }

  /** A draft model's step, without its host overhead (engines run the passes in one graph). */
  private draftModelPass(shape: BatchShape): number {
    const timing = this.draftTiming;
    this.draft!.timeStep(shape, timing);
    return timing.totalSeconds - timing.overheadSeconds;
  }

  /** One decoder layer of the target's shape over `shape` (its head's time left in `draftTiming`). */
  private layerPass(shape: BatchShape): number {
    const timing = this.draftTiming;
    this.target.timeStep(shape, timing);
    const plan = this.target.plan;
    return (timing.stageSeconds * plan.pp) / this.target.model.numLayers;
  }
}

/**
 * Adds `count` sequences verifying `k` drafted tokens each (contexts summing to `contextSum`, the
 * longest `maxContext`) to `shape`: k + 1 query tokens after each context, all sampled. With k = 0
 * they are plain decodes. Sliding-window sums take every context as the mean (the adaptive policy's
 * trial shapes); the simulator adds each sequence exactly with `addVerification`.
 */
export function addVerifications(
  shape: BatchShape,
  count: number,
  contextSum: number,
  maxContext: number,
  k: number,
): void {
  if (count <= 0) return;
  if (k === 0) {
    shape.decodeCount += count;
    shape.decodeContextSum += contextSum;
    if (maxContext > shape.decodeMaxContext) shape.decodeMaxContext = maxContext;
    shape.sampledTokens += count;
    if (shape.keepsWindow) shape.decodeWindowedKeys += count * Math.min(contextSum / count + 1, shape.window);
    return;
  }
  const tokens = k + 1;
  if (shape.verifiesAsDecodes) {
    // k + 1 decodes per sequence, at contexts context … context + k (Σ = tokens·context + k(k+1)/2 each).
    shape.decodeCount += count * tokens;
    shape.decodeContextSum += tokens * contextSum + (count * k * tokens) / 2;
    if (maxContext + k > shape.decodeMaxContext) shape.decodeMaxContext = maxContext + k;
    shape.sampledTokens += count * tokens;
    if (shape.keepsWindow)
      for (let j = 0; j < tokens; j++)
        shape.decodeWindowedKeys += count * Math.min(contextSum / count + j + 1, shape.window);
    return;
  }
  shape.prefillTokens += count * tokens;
  // attendedPairs is linear in the context: Σ over sequences = tokens·Σcontext + count·tokens(tokens+1)/2.
  shape.prefillPairs += tokens * contextSum + (count * tokens * (tokens + 1)) / 2;
  shape.prefillKeys += contextSum + count * tokens;
  shape.prefillSequences += count;
  if (maxContext + tokens > shape.prefillMaxKeys) shape.prefillMaxKeys = maxContext + tokens;
  shape.sampledTokens += count * tokens;
  if (shape.keepsWindow) {
    const mean = contextSum / count;
    shape.prefillWindowedPairs += count * windowedPairs(tokens, mean, shape.window);
    shape.prefillWindowedKeys += count * windowedKeys(tokens, mean, shape.window);
  }
}

/** One sequence verifying `k` drafted tokens after `context` cached ones (exact, windowed sums included). */
export function addVerification(shape: BatchShape, context: number, k: number): void {
  if (shape.verifiesAsDecodes) {
    addVerifications(shape, 1, context, context, k);
    return;
  }
  const tokens = k + 1;
  shape.prefillTokens += tokens;
  shape.prefillPairs += attendedPairs(tokens, context);
  shape.prefillKeys += context + tokens;
  shape.prefillSequences += 1;
  if (context + tokens > shape.prefillMaxKeys) shape.prefillMaxKeys = context + tokens;
  shape.sampledTokens += tokens;
  if (shape.keepsWindow) {
    shape.prefillWindowedPairs += windowedPairs(tokens, context, shape.window);
    shape.prefillWindowedKeys += windowedKeys(tokens, context, shape.window);
  }
}

/** Copies every sum of `from` into `to` (both of the same window). */
export function copyBatchShape(from: BatchShape, to: BatchShape): void {
  to.prefillTokens = from.prefillTokens;
  to.prefillPairs = from.prefillPairs;
  to.prefillKeys = from.prefillKeys;
  to.prefillSequences = from.prefillSequences;
  to.promptChunks = from.promptChunks;
  to.prefillMaxKeys = from.prefillMaxKeys;
  to.decodeCount = from.decodeCount;
  to.decodeContextSum = from.decodeContextSum;
  to.decodeMaxContext = from.decodeMaxContext;
  to.sampledTokens = from.sampledTokens;
  to.prefillWindowedPairs = from.prefillWindowedPairs;
  to.prefillWindowedKeys = from.prefillWindowedKeys;
  to.decodeWindowedKeys = from.decodeWindowedKeys;
}
