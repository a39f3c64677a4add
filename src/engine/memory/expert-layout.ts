import { z } from 'zod';
import {
  ACTIVATION_BYTES,
  type WeightFormat,
  weightBytesPerParam,
  weightScaleBytesPerParam,
} from '../model/dtypes.js';

/**
 * How a serving engine lays out a MoE layer's routed experts in GPU memory where that differs from the
 * checkpoint's bytes: the kernel it runs them with wants each expert's widths padded, keeps the scales
 * in more than one copy, or widens the biases. Which engine, kernel and GPU give which layout is the
 * engine's fact (perf/expert-weight-layout.ts); the memory model only applies it. Absent: the checkpoint's
 * own shapes and formats.
 */
export const ExpertWeightLayout = z.object({
  /** Who lays the experts out so, as the memory report names it: `vLLM Triton MXFP4 (Hopper)`. */
  label: z.string().min(1),
  /** Each expert's hidden size (gate/up input, down output) is padded to a multiple of this. */
  hiddenMultiple: z.number().int().positive(),
  /** Each expert's width on one rank (its intermediate size over the ranks splitting it) is padded to a multiple of this. */
  widthMultiple: z.number().int().positive(),
  /** Copies of the block scales held at once: 2 where the engine re-lays them out and keeps the old ones. */
  scaleCopies: z.number().int().positive(),
  /** Bytes of one expert bias value: 4 where the engine widens them to fp32. */
  biasBytes: z.number().positive(),
});
export type ExpertWeightLayout = z.infer<typeof ExpertWeightLayout>;

/** One layer's routed experts as a rank holds them: how many, each one's widths, and their format. */
export interface RankExperts {
  /** Experts (and EPLB's redundant copies) this rank holds a share of. */
  experts: number;
  hidden: number;
  /** One expert's intermediate size on this rank. */
  width: number;
  format: WeightFormat;
  /** Whether the experts carry biases (gpt-oss). */
  biases: boolean;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/**
 * Bytes of one layer's routed experts on one rank: gate/up (2 × width × hidden) and down (hidden ×
 * width) in the experts' format, biases (2 × width for gate/up, hidden for down). Under `layout`, the
 * widths are padded, the scales counted `scaleCopies` times and the biases in `biasBytes`; without
 * it, the checkpoint's shapes, one copy of the scales and 16-bit biases.
 */
export function rankExpertBytes(rank: RankExperts, layout?: ExpertWeightLayout): number {
  const hidden = layout ? roundUp(rank.hidden, layout.hiddenMultiple) : rank.hidden;
  const width = layout ? roundUp(rank.width, layout.widthMultiple) : rank.width;
  const scale = weightScaleBytesPerParam(rank.format);
  const perParam = weightBytesPerParam(rank.format) + (layout ? (layout.scaleCopies - 1) * scale : 0);
  const biasValues = rank.biases ? 2 * width + hidden : 0;
  const biasBytes = layout?.biasBytes ?? ACTIVATION_BYTES;
  return rank.experts * (3 * hidden * width * perParam + biasValues * biasBytes);
}

/** What a layout changes, in words: `width per rank padded to a multiple of 64, block scales held twice, fp32 expert biases`. */
export function describeExpertLayout(layout: ExpertWeightLayout): string {
  return [
    layout.widthMultiple > 1 ? `width per rank padded to a multiple of ${layout.widthMultiple}` : undefined,
    layout.hiddenMultiple > 1 ? `hidden size padded to a multiple of ${layout.hiddenMultiple}` : undefined,
    layout.scaleCopies > 1
      ? `block scales held ${layout.scaleCopies === 2 ? 'twice' : `${layout.scaleCopies} times`}`
      : undefined,
    layout.biasBytes === 4 ? 'fp32 expert biases' : undefined,
  ]
    .filter((p) => p !== undefined)
    .join(', ');
}
