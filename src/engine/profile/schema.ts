import { z } from 'zod';
import { ShaderDtype, Timing } from '../gpu/types.js';

/**
 * What the profiler measured on one GPU adapter: the contract between the measure stage (writes it)
 * and the step-time model (reads it). Times are seconds; rates are FLOP/s and bytes/s. Tables may be
 * extended with new optional fields; a reader must not depend on fields beyond those defined here.
 */
export const AdapterInfo = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  /** vulkan, metal, d3d12… as reported by Dawn, or 'unknown'. */
  backend: z.string(),
  isFallbackAdapter: z.boolean(),
  features: z.array(z.string()),
  limits: z.record(z.string(), z.number()),
});
export type AdapterInfo = z.infer<typeof AdapterInfo>;

export const GemmMeasurement = z.object({
  kernel: z.enum(['tiled', 'naive', 'gemv']),
  dtype: ShaderDtype,
  /** Rows of the activation (tokens), output features, input features. */
  m: z.number().int().positive(),
  n: z.number().int().positive(),
  k: z.number().int().positive(),
  time: Timing,
  flopsPerSecond: z.number().nonnegative(),
  bytesPerSecond: z.number().nonnegative(),
});

export const PrefillAttentionMeasurement = z.object({
  dtype: ShaderDtype,
  chunk: z.number().int().positive(),
  context: z.number().int().nonnegative(),
  heads: z.number().int().positive(),
  kvHeads: z.number().int().positive(),
  headDim: z.number().int().positive(),
  time: Timing,
  flopsPerSecond: z.number().nonnegative(),
});

export const DecodeAttentionMeasurement = z.object({
  dtype: ShaderDtype,
  batch: z.number().int().positive(),
  context: z.number().int().positive(),
  heads: z.number().int().positive(),
  kvHeads: z.number().int().positive(),
  headDim: z.number().int().positive(),
  blockSize: z.number().int().positive(),
  time: Timing,
  /** KV bytes read per second. */
  bytesPerSecond: z.number().nonnegative(),
});

export const CopyMeasurement = z.object({
  bytes: z.number().int().positive(),
  /** Which copy variant gave this (the fastest is kept), e.g. 'vec4<u32> words, 8 per workgroup'. Optional, added later. */
  variant: z.string().optional(),
  time: Timing,
  /** Bytes read plus bytes written, per second. */
  bytesPerSecond: z.number().nonnegative(),
});

export const ElementwiseMeasurement = z.object({
  op: z.enum(['rmsnorm', 'rope', 'silu_and_mul', 'residual_add']),
  dtype: ShaderDtype,
  tokens: z.number().int().positive(),
  width: z.number().int().positive(),
  time: Timing,
  bytesPerSecond: z.number().nonnegative(),
});

export const LayerMeasurement = z.object({
  /** The model whose layer shapes were used, and the factor they were scaled down by to fit (1 = full). */
  model: z.string(),
  scale: z.number().positive().max(1),
  hiddenSize: z.number().int().positive(),
  intermediateSize: z.number().int().positive(),
  heads: z.number().int().positive(),
  kvHeads: z.number().int().positive(),
  headDim: z.number().int().positive(),
  prefillTokens: z.number().int().nonnegative(),
  prefillContext: z.number().int().nonnegative(),
  decodeBatch: z.number().int().nonnegative(),
  decodeContext: z.number().int().nonnegative(),
  dtype: ShaderDtype,
  time: Timing,
});

/**
 * One step of the local reference engine's own forward pass (every layer of the served model, final
 * norm, LM head and argmax, one submit, the sampled ids read back), built and run exactly as the engine
 * runs it, at a batch shape the engine's scheduler produces. `meanSeconds` is the mean wall time over
 * the repetitions (the engine pays the typical step, not the fastest).
 */
export const EngineStepMeasurement = z.object({
  prefillTokens: z.number().int().nonnegative(),
  prefillContext: z.number().int().nonnegative(),
  decodeBatch: z.number().int().nonnegative(),
  decodeContext: z.number().int().nonnegative(),
  meanSeconds: z.number().nonnegative(),
  time: Timing,
});
export type EngineStepMeasurement = z.infer<typeof EngineStepMeasurement>;

export const EngineStepTable = z.object({
  /** The served model's id and the engine's precision, token budget, sequences and block size. */
  model: z.string(),
  dtype: ShaderDtype,
  maxTokens: z.number().int().positive(),
  maxSequences: z.number().int().positive(),
  blockSize: z.number().int().positive(),
  steps: z.array(EngineStepMeasurement),
  /**
   * Every repetition's time over its shape's mean, as equally probable values (means of equal-count
   * bins of the sorted ratios) with mean 1: how much the engine's steps vary on this machine.
   */
  spread: z.array(z.number().positive()).min(2).optional(),
});
export type EngineStepTable = z.infer<typeof EngineStepTable>;

export const DeviceProfile = z.object({
  schemaVersion: z.literal(1),
  createdAt: z.string(),
  quick: z.boolean(),
  adapter: AdapterInfo,
  /** Hardware catalog id of this adapter, when it is a known device. */
  catalogId: z.string().nullable(),
  timingMethod: z.enum(['timestamp-query', 'wall-clock']),
  /** Cost of one extra dispatch in a pass, seconds. */
  dispatchOverheadSeconds: z.number().nonnegative(),
  /** Cost of one submit-and-wait round trip, seconds. */
  submitOverheadSeconds: z.number().nonnegative(),
  /**
   * Wall-clock cost of one dispatch in a step built per step (host build and encode, submit-time
   * translation, GPU dispatch overhead together), seconds, from decode steps through a stack of tiny
   * layers: what an engine that builds its dispatches every step pays per kernel. Optional, added later.
   */
  stepDispatchSeconds: z.number().nonnegative().optional(),
  /**
   * Fixed wall-clock cost of such a step besides its dispatches (step metadata uploads, submit, a small
   * read-back), seconds. Optional, added later.
   */
  stepBaseSeconds: z.number().nonnegative().optional(),
  gemm: z.array(GemmMeasurement),
  prefillAttention: z.array(PrefillAttentionMeasurement),
  decodeAttention: z.array(DecodeAttentionMeasurement),
  copy: z.array(CopyMeasurement),
  elementwise: z.array(ElementwiseMeasurement),
  layer: z.array(LayerMeasurement),
  /** Steps of the local reference engine at its own shapes, when asked for. Optional, added later. */
  engineSteps: EngineStepTable.optional(),
  derived: z.object({
    peakFlopsPerSecond: z.object({ f32: z.number().nonnegative(), f16: z.number().nonnegative().nullable() }),
    copyBytesPerSecond: z.number().nonnegative(),
    /** Measured / catalog peak, when `catalogId` is known. */
    efficiency: z
      .object({ vectorFp32: z.number().nonnegative(), memoryBandwidth: z.number().nonnegative() })
      .nullable(),
  }),
  skipped: z.array(z.object({ what: z.string(), reason: z.string() })),
  /** True when the run was cancelled: the tables hold what was measured before. */
  cancelled: z.boolean(),
  /** Wall-clock seconds the profiling run took. Optional, added later. */
  wallSeconds: z.number().nonnegative().optional(),
});
export type DeviceProfile = z.infer<typeof DeviceProfile>;
