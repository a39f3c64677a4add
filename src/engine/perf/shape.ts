import { attendedPairs } from '../model/cost.js';

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
  /** Sequences decoding one token each. */
  decodeCount: number;
  /** Σ context over decodes (keys already cached before the new token). */
  decodeContextSum: number;
  decodeMaxContext: number;
  /** Sequences that sample a token at the end of this step (decodes and prefills that finish their prompt). */
  sampledTokens: number;
}

export function createBatchShape(): BatchShape {
  return {
    prefillTokens: 0,
    prefillPairs: 0,
    prefillKeys: 0,
    prefillSequences: 0,
    decodeCount: 0,
    decodeContextSum: 0,
    decodeMaxContext: 0,
    sampledTokens: 0,
  };
}

export function resetBatchShape(shape: BatchShape): void {
  shape.prefillTokens = 0;
  shape.prefillPairs = 0;
  shape.prefillKeys = 0;
  shape.prefillSequences = 0;
  shape.decodeCount = 0;
  shape.decodeContextSum = 0;
  shape.decodeMaxContext = 0;
  shape.sampledTokens = 0;
}

/** Adds `tokens` new tokens of one sequence after `context` cached ones; `samples` when the chunk ends the prompt. */
export function addPrefillChunk(shape: BatchShape, tokens: number, context: number, samples: boolean): void {
  shape.prefillTokens += tokens;
  shape.prefillPairs += attendedPairs(tokens, context);
  shape.prefillKeys += context + tokens;
  shape.prefillSequences += 1;
  if (samples) shape.sampledTokens += 1;
}

export function addDecode(shape: BatchShape, context: number): void {
  shape.decodeCount += 1;
  shape.decodeContextSum += context;
  if (context > shape.decodeMaxContext) shape.decodeMaxContext = context;
  shape.sampledTokens += 1;
}

/** Adds `count` decodes that all have `context` cached tokens (a uniform batch, as the CLI describes one). */
export function addUniformDecodes(shape: BatchShape, count: number, context: number): void {
  if (count <= 0) return;
  shape.decodeCount += count;
  shape.decodeContextSum += count * context;
  if (context > shape.decodeMaxContext) shape.decodeMaxContext = context;
  shape.sampledTokens += count;
}
