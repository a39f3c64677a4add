import { attendedPairs, windowedKeys, windowedPairs } from '../model/cost.js';

/**
 * The shape of one engine iteration, aggregated so that its cost never needs the list of sequences:
 * prefill chunks as sums (tokens, attended pairs, keys read), decodes as count, Σcontext and max context.
 * One object is reused for every step (`resetBatchShape`), so forming a batch allocates nothing.
 */
export interface BatchShape {
  /** New tokens of prefill chunks (prompt or recompute) in this step. */
  prefillTokens: number;
  /** Σ attendedPairs(chunk, context) over the prefill chunks. */
  prefillPairs: number;
  /** Σ (context + chunk): keys whose K and V the prefill attention reads. */
  prefillKeys: number;
  prefillSequences: number;
  /**
   * Of prefillSequences, the chunks of a prompt (or a recompute), not speculative verifications: a step
   * with one is a context step, which an engine that replays CUDA graphs only for generation runs eagerly.
   */
  promptChunks: number;
  /** The longest prefill sequence's keys (context + chunk): whether any attends beyond a top-k. */
  prefillMaxKeys: number;
  /** Sequences decoding one token each. */
  decodeCount: number;
  /** Σ context over decodes (keys already cached before the new token). */
  decodeContextSum: number;
  decodeMaxContext: number;
  /** Sequences that sample a token at the end of this step (decodes and prefills that finish their prompt). */
  sampledTokens: number;
  /**
   * The sliding window (keys a query sees at most, itself included) the model's sliding layers have,
   * for which the windowed sums below are kept as the batch forms: they cannot be capped afterwards.
   * Infinity: none kept (a model without sliding layers pays nothing for them).
   */
  readonly window: number;
  /** window < Infinity: a boolean, which the hot adds below test faster than a double. */
  readonly keepsWindow: boolean;
  /** Σ windowedPairs(chunk, context, window) over the prefill chunks. */
  prefillWindowedPairs: number;
  /** Σ windowedKeys(chunk, context, window) over the prefill chunks. */
  prefillWindowedKeys: number;
  /** Σ min(context + 1, window) over decodes: the keys they attend to in a sliding layer. */
  decodeWindowedKeys: number;
  /**
   * Whether a speculative verification (k + 1 query tokens after a cached context) runs as k + 1 decodes
   * rather than a prefill chunk: MLA models, whose engines verify on the absorbed decode kernel (FlashMLA
   * takes several query tokens) instead of decompressing the whole cached context as a prefill does.
   */
  readonly verifiesAsDecodes: boolean;
}

/**
 * A shape for a model whose sliding layers see `window` keys (ModelSpec.slidingWindow), or none;
 * `verifiesAsDecodes` for an MLA model (BatchShape.verifiesAsDecodes).
 */
export function createBatchShape(window = Number.POSITIVE_INFINITY, verifiesAsDecodes = false): BatchShape {
  return {
    prefillTokens: 0,
    prefillPairs: 0,
    prefillKeys: 0,
    prefillSequences: 0,
    promptChunks: 0,
    prefillMaxKeys: 0,
    decodeCount: 0,
    decodeContextSum: 0,
    decodeMaxContext: 0,
    sampledTokens: 0,
    window,
    keepsWindow: window !== Number.POSITIVE_INFINITY,
    prefillWindowedPairs: 0,
    prefillWindowedKeys: 0,
    decodeWindowedKeys: 0,
    verifiesAsDecodes,
  };
}

export function resetBatchShape(shape: BatchShape): void {
  shape.prefillTokens = 0;
  shape.prefillPairs = 0;
  shape.prefillKeys = 0;
  shape.prefillSequences = 0;
  shape.promptChunks = 0;
  shape.prefillMaxKeys = 0;
  shape.decodeCount = 0;
  shape.decodeContextSum = 0;
  shape.decodeMaxContext = 0;
  shape.sampledTokens = 0;
  shape.prefillWindowedPairs = 0;
  shape.prefillWindowedKeys = 0;
  shape.decodeWindowedKeys = 0;
}

/** Adds `tokens` new tokens of one sequence after `context` cached ones; `samples` when the chunk ends the prompt. */
export function addPrefillChunk(shape: BatchShape, tokens: number, context: number, samples: boolean): void {
  shape.prefillTokens += tokens;
  shape.prefillPairs += attendedPairs(tokens, context);
  shape.prefillKeys += context + tokens;
  shape.prefillSequences += 1;
  shape.promptChunks += 1;
  if (context + tokens > shape.prefillMaxKeys) shape.prefillMaxKeys = context + tokens;
  if (samples) shape.sampledTokens += 1;
  if (shape.keepsWindow) {
    shape.prefillWindowedPairs += windowedPairs(tokens, context, shape.window);
    shape.prefillWindowedKeys += windowedKeys(tokens, context, shape.window);
  }
}

export function addDecode(shape: BatchShape, context: number): void {
  shape.decodeCount += 1;
  shape.decodeContextSum += context;
  if (context > shape.decodeMaxContext) shape.decodeMaxContext = context;
  shape.sampledTokens += 1;
  if (shape.keepsWindow) shape.decodeWindowedKeys += Math.min(context + 1, shape.window);
}

/** Adds `count` decodes that all have `context` cached tokens (a uniform batch, as the CLI describes one). */
export function addUniformDecodes(shape: BatchShape, count: number, context: number): void {
  if (count <= 0) return;
  shape.decodeCount += count;
  shape.decodeContextSum += count * context;
  if (context > shape.decodeMaxContext) shape.decodeMaxContext = context;
  shape.sampledTokens += count;
  if (shape.keepsWindow) shape.decodeWindowedKeys += count * Math.min(context + 1, shape.window);
}

/*
 * The sums a layer whose queries see at most `window` keys attends over. Exact when the shape keeps
 * that window; otherwise the tightest bound the plain sums give (every piece capped alike): exact
 * when every piece lies wholly within the window or wholly beyond it, above the truth for a batch
 * that mixes both.
 */

export function windowedPrefillPairs(shape: BatchShape, window: number): number {
  if (window === Number.POSITIVE_INFINITY) return shape.prefillPairs;
  if (window === shape.window) return shape.prefillWindowedPairs;
  return Math.min(shape.prefillPairs, shape.prefillTokens * window);
}

export function windowedPrefillKeys(shape: BatchShape, window: number): number {
  if (window === Number.POSITIVE_INFINITY) return shape.prefillKeys;
  if (window === shape.window) return shape.prefillWindowedKeys;
  return Math.min(shape.prefillKeys, shape.prefillTokens + (window - 1) * shape.prefillSequences);
}

/** Keys the decodes attend to (context and the new token each), at most `window` each. */
export function windowedDecodeKeys(shape: BatchShape, window: number): number {
  if (window === Number.POSITIVE_INFINITY) return shape.decodeContextSum + shape.decodeCount;
  if (window === shape.window) return shape.decodeWindowedKeys;
  return Math.min(shape.decodeContextSum + shape.decodeCount, shape.decodeCount * window);
}
