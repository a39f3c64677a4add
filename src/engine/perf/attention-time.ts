import { type AttentionPathCoefficients, attentionPathCost } from '../model/cost.js';
import type { Calibration } from './calibration.js';
import type { CompiledLayerKind } from './compiled-layer-kind.js';
import { type Curve, interpolateLogX } from './interpolate.js';
import type { MeasuredAttention } from './measured-layer.js';
import { type DevicePeaks, speedOfLight } from './roofline.js';
import { type BatchShape, windowedDecodeKeys, windowedPrefillKeys, windowedPrefillPairs } from './shape.js';

/**
 * DeepSeek Sparse Attention's indexer over the step's prefill (`prefill`) or decode tokens: every causal
 * pair and cached key, not the top-k.
 */
function indexerCost(
  c: AttentionPathCoefficients,
  shape: BatchShape,
  prefill: boolean,
): { flops: number; bytes: number } {
  if (prefill) {
    return attentionPathCost(
      c,
      shape.prefillTokens,
      shape.prefillPairs,
      shape.prefillKeys,
      shape.prefillSequences,
    );
  }
  const keys = shape.decodeContextSum + shape.decodeCount;
  return attentionPathCost(c, shape.decodeCount, keys, keys, shape.decodeCount);
}

/** An attention core's cost with its indexer's (shown as one entry, as timed). */
function withIndexer(
  core: { flops: number; bytes: number },
  indexer: { flops: number; bytes: number } | null,
) {
  return indexer ? { flops: core.flops + indexer.flops, bytes: core.bytes + indexer.bytes } : core;
}

/**
 * The attention core of one compiled layer kind in a step: prefill over its causal pairs and keys,
 * decode over its cached keys, a sparse layer's indexer, each from the engine's measured kernel or
 * module where the kind has one, else speed of light / the calibration's attention curve.
 */
export class AttentionTimer {
  constructor(
    private readonly calibration: Calibration,
    private readonly peaks: DevicePeaks,
    /** Peak FLOP/s of a sparse-attention indexer's fp8 scoring. */
    private readonly indexerFlops: number,
  ) {}

  /** The prefill coefficients a batch runs: padded sparse heads where a sequence reaches past the top-k. */
  private prefillPathOf(kind: CompiledLayerKind, shape: BatchShape): AttentionPathCoefficients {
    return kind.sparsePrefill && shape.prefillMaxKeys > kind.window ? kind.sparsePrefill : kind.prefill;
  }

  /** Prefill attention of one layer of `kind`; the step has prefill tokens. */
  prefillSeconds(kind: CompiledLayerKind, shape: BatchShape): number {
    const module = this.prefillModuleOf(kind, shape);
    // A measured DSA module ran the engine's own (padded or not) kernel: its efficiency is over the real shape.
    const p = module ? kind.prefill : this.prefillPathOf(kind, shape);
    const tokens = shape.prefillTokens;
    const pairs = kind.windowed ? windowedPrefillPairs(shape, kind.window) : shape.prefillPairs;
    const keys = kind.windowed ? windowedPrefillKeys(shape, kind.window) : shape.prefillKeys;
    const flops = p.flopsPerPair * pairs + p.flopsPerToken * tokens;
    const bytes =
      p.bytesPerToken * tokens + p.bytesPerKey * keys + p.bytesPerSequence * shape.prefillSequences;
    const sol = speedOfLight(flops, bytes, this.peaks.attentionFlops, this.peaks.bytesPerSecond);
    const sequences = Math.max(shape.prefillSequences, 1);
    if (module) return sol / module.grid.at(sequences, tokens / sequences);
    const indexer = kind.indexer ? this.indexerSeconds(kind.indexer, kind.prefillEfficiency, shape, true) : 0;
    if (kind.prefillMeasured)
      return sol / kind.prefillMeasured.grid.at(sequences, tokens / sequences) + indexer;
    const efficiency = interpolateLogX(kind.prefillEfficiency.xs, kind.prefillEfficiency.ys, flops);
    return sol / efficiency + this.calibration.kernelLaunchSeconds + indexer;
  }

  /** The whole-DSA-module prefill grid where it times this step's prompts (long enough), else undefined. */
  prefillModuleOf(kind: CompiledLayerKind, shape: BatchShape): MeasuredAttention | undefined {
    const mean = shape.prefillTokens / Math.max(shape.prefillSequences, 1);
    return mean >= kind.prefillModuleFrom ? kind.prefillModule : undefined;
  }

  /**
   * DeepSeek Sparse Attention's indexer over the step's prefill (`prefill`) or decode tokens: every
   * causal pair and cached key, at the attention curve's efficiency (no table measures it alone).
   */
  private indexerSeconds(
    c: AttentionPathCoefficients,
    curve: Curve,
    shape: BatchShape,
    prefill: boolean,
  ): number {
    const cost = indexerCost(c, shape, prefill);
    // The indexer scores in fp8 (DeepGEMM's fp8 MQA logits, in vLLM and SGLang): fp8 tensor-core peak.
    const sol = speedOfLight(cost.flops, cost.bytes, this.indexerFlops, this.peaks.bytesPerSecond);
    const efficiency = interpolateLogX(curve.xs, curve.ys, prefill ? cost.flops : cost.bytes);
    return sol / efficiency + this.calibration.kernelLaunchSeconds;
  }

  /** Decode attention of one layer of `kind`; the step has decodes. */
  decodeSeconds(kind: CompiledLayerKind, shape: BatchShape): number {
    const d = kind.decode;
    const count = shape.decodeCount;
    let keys = shape.decodeContextSum + count;
    let longestKeys = shape.decodeMaxContext + 1;
    if (kind.windowed) {
      keys = windowedDecodeKeys(shape, kind.window);
      longestKeys = Math.min(longestKeys, kind.window);
    }
    const flops = d.flopsPerPair * keys + d.flopsPerToken * count;
    const bytes = (d.bytesPerToken + d.bytesPerSequence) * count + d.bytesPerKey * keys;
    const sol = speedOfLight(flops, bytes, this.peaks.attentionFlops, this.peaks.bytesPerSecond);
    // The whole DSA module's time grows with the context its indexer scores, not the top-k it attends.
    const length = kind.decodeModule ? (shape.decodeContextSum + count) / count : keys / count;
    const efficiency = kind.decodeMeasured
      ? kind.decodeMeasured.grid.at(count, length)
      : interpolateLogX(kind.decodeEfficiency.xs, kind.decodeEfficiency.ys, bytes);
    const whole = sol / efficiency;
    // The longest sequence cannot spread its KV read over the whole chip.
    const longest =
      (longestKeys * d.bytesPerKey + d.bytesPerSequence) /
      (this.peaks.bytesPerSecond * this.calibration.singleSequenceBandwidthShare);
    const indexer =
      kind.indexer && !kind.decodeModule
        ? this.indexerSeconds(kind.indexer, kind.decodeEfficiency, shape, false)
        : 0;
    // A measured kernel's time includes its launch.
    return (
      Math.max(whole, longest) + (kind.decodeMeasured ? 0 : this.calibration.kernelLaunchSeconds) + indexer
    );
  }

  /** FLOPs and bytes of one layer's prefill attention (for display; allocates). */
  prefillCost(kind: CompiledLayerKind, shape: BatchShape) {
    const pairs = windowedPrefillPairs(shape, kind.window);
    const keys = windowedPrefillKeys(shape, kind.window);
    const path = this.prefillPathOf(kind, shape);
    const core = attentionPathCost(path, shape.prefillTokens, pairs, keys, shape.prefillSequences);
    return withIndexer(core, kind.indexer && indexerCost(kind.indexer, shape, true));
  }

  /** FLOPs and bytes of one layer's decode attention (for display; allocates). */
  decodeCost(kind: CompiledLayerKind, shape: BatchShape) {
    const keys = windowedDecodeKeys(shape, kind.window);
    const core = attentionPathCost(kind.decode, shape.decodeCount, keys, keys, shape.decodeCount);
    return withIndexer(core, kind.indexer && indexerCost(kind.indexer, shape, false));
  }
}
