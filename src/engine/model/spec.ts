import { z } from 'zod';

export const ModelFamily = z.enum(['llama', 'mistral', 'mixtral', 'qwen2']);
export type ModelFamily = z.infer<typeof ModelFamily>;

const positiveInt = z.number().int().positive();

export const MoeSpec = z.object({
  numExperts: positiveInt,
  topK: positiveInt,
  /** FFN width of one expert. */
  expertIntermediateSize: positiveInt,
});
export type MoeSpec = z.infer<typeof MoeSpec>;

/**
 * The architecture of a decoder-only transformer, as much as serving cost depends on it. Every layer is
 * the same: RMSNorm, attention (GQA), RMSNorm, gated-SiLU FFN (dense, or MoE with a router).
 */
export const ModelSpec = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    family: ModelFamily,
    /** Where the numbers come from (Hugging Face repository or file). */
    source: z.string(),
    hiddenSize: positiveInt,
    numLayers: positiveInt,
    numHeads: positiveInt,
    numKvHeads: positiveInt,
    headDim: positiveInt,
    /** FFN width of the dense MLP; for MoE models the width of one expert (see `moe`). */
    intermediateSize: positiveInt,
    vocabSize: positiveInt,
    tiedEmbeddings: z.boolean(),
    /** Biases on the q, k, v projections (Qwen2). */
    qkvBias: z.boolean(),
    maxContextLength: positiveInt,
    moe: MoeSpec.optional(),
  })
  .refine((m) => m.numHeads % m.numKvHeads === 0, {
    message: 'numHeads must be a multiple of numKvHeads (grouped-query attention)',
    path: ['numKvHeads'],
  })
  .refine((m) => !m.moe || m.moe.topK <= m.moe.numExperts, {
    message: 'moe.topK must not exceed moe.numExperts',
    path: ['moe', 'topK'],
  });
export type ModelSpec = z.infer<typeof ModelSpec>;
