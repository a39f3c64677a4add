import { attendedPairs, windowedKeys, windowedPairs } from '../model/cost.js';
import { type BatchShape, createBatchShape, resetBatchShape } from './shape.js';
import type { SpeculationConfig } from './speculation.js';
import { createStepTiming, type StepModel } from './step-model.js';

/**
 * What speculation adds to a step, allocation-free:
 * - the draft's passes: k sequential decode steps of a draft model over the speculating sequences, or k
 *   passes of a drafting head (EAGLE, EAGLE-3, MTP: one decoder layer of the target's shape and the LM
 *   head each), or nothing on the GPU for n-gram lookup (a CPU match over the prompt);
 * - the verification: each speculating sequence runs k + 1 query tokens after its context, as a prefill
 *   chunk does (its keys read once, k + 1 rows through every linear, k + 1 logits), so at large batch it
 *   costs what k + 1 times the tokens cost.
 */
export class SpeculationCost {
  private readonly draftShape: BatchShape = createBatchShape();
  private readonly draftTiming = createStepTiming();

  constructor(
    private readonly target: StepModel,
    readonly config: SpeculationConfig,
    /** `draft-model`: the draft's own step model (same hardware, its own TP); else null. */
    private readonly draft: StepModel | null,
  ) {}

  /**
   * Seconds of the k draft passes for `count` speculating sequences whose contexts sum to `contextSum`
   * (the longest `maxContext`). Each pass sees one more token of context than the last.
   */
  draftSeconds(count: number, contextSum: number, maxContext: number, k: number): number {
    if (k <= 0 || count <= 0 || this.config.method === 'ngram') return 0;
    const shape = this.draftShape;
    let seconds = 0;
    for (let pass = 0; pass < k; pass++) {
      resetBatchShape(shape);
      shape.decodeCount = count;
      shape.decodeContextSum = contextSum + pass * count;
      shape.decodeMaxContext = maxContext + pass;
      shape.sampledTokens = count;
      seconds += this.draft ? this.draftModelPass(shape) : this.headPass(shape);
    }
    return seconds;
  }

  /** A draft model's decode step, without its host overhead (engines run the passes in one graph). */
  private draftModelPass(shape: BatchShape): number {
    const timing = this.draftTiming;
    this.draft!.timeStep(shape, timing);
    return timing.totalSeconds - timing.overheadSeconds;
  }

  /** A drafting head: one decoder layer of the target's shape plus the LM head. */
  private headPass(shape: BatchShape): number {
    const timing = this.draftTiming;
    this.target.timeStep(shape, timing);
    const plan = this.target.plan;
    const perLayer = (timing.stageSeconds * plan.pp) / this.target.model.numLayers;
    return perLayer + timing.headSeconds;
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
  shape.prefillTokens += count * tokens;
  // attendedPairs is linear in the context: Σ over sequences = tokens·Σcontext + count·tokens(tokens+1)/2.
  shape.prefillPairs += tokens * contextSum + (count * tokens * (tokens + 1)) / 2;
  shape.prefillKeys += contextSum + count * tokens;
  shape.prefillSequences += count;
  shape.sampledTokens += count * tokens;
  if (shape.keepsWindow) {
    const mean = contextSum / count;
    shape.prefillWindowedPairs += count * windowedPairs(tokens, mean, shape.window);
    shape.prefillWindowedKeys += count * windowedKeys(tokens, mean, shape.window);
  }
}

/** One sequence verifying `k` drafted tokens after `context` cached ones (exact, windowed sums included). */
export function addVerification(shape: BatchShape, context: number, k: number): void {
  const tokens = k + 1;
  shape.prefillTokens += tokens;
  shape.prefillPairs += attendedPairs(tokens, context);
  shape.prefillKeys += context + tokens;
  shape.prefillSequences += 1;
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
  to.decodeCount = from.decodeCount;
  to.decodeContextSum = from.decodeContextSum;
  to.decodeMaxContext = from.decodeMaxContext;
  to.sampledTokens = from.sampledTokens;
  to.prefillWindowedPairs = from.prefillWindowedPairs;
  to.prefillWindowedKeys = from.prefillWindowedKeys;
  to.decodeWindowedKeys = from.decodeWindowedKeys;
}
