import type { AxisValue } from './axes.js';
import type { OpKind } from './ops.js';
import type { OpTable, OpTime } from './table.js';

export interface GemmQuery {
  /** Rows of the activation (tokens in the batch). */
  readonly m: number;
  /** Output features. */
  readonly n: number;
  /** Input features (the reduction). */
  readonly k: number;
  /** bfloat16, fp8, fp8_block, nvfp4, int8_wo, int4_wo, sq. */
  readonly dtype: string;
  readonly kernel?: string;
}

export interface QuantizeQuery {
  /** Rows of the 16-bit activation quantized. */
  readonly m: number;
  /** Its width (the next GEMM's input features). */
  readonly k: number;
  /** The quantized format: fp8. */
  readonly dtype: string;
  /** Whether the per-tensor scale is computed from the activation (an amax reduction first). */
  readonly dynamicScale: boolean;
}

interface AttentionShape {
  readonly batch: number;
  /** Query heads on one GPU. */
  readonly heads: number;
  /** Key/value heads on one GPU. */
  readonly kvHeads: number;
  readonly headDim: number;
  /** Default bfloat16. */
  readonly attnDtype?: string;
  /** Default bfloat16. */
  readonly kvCacheDtype?: string;
  /** Sliding window in tokens; absent or 0: full attention. */
  readonly window?: number;
  readonly kernel?: string;
}

export interface ContextAttentionQuery extends AttentionShape {
  /** Prompt length of each sequence. */
  readonly isl: number;
}

export interface GenerationAttentionQuery extends AttentionShape {
  /** Tokens each sequence's new token attends over (prompt plus tokens generated so far). */
  readonly context: number;
}

interface MlaShape {
  readonly batch: number;
  /** Attention heads on one GPU (the model's heads over the tensor-parallel size). */
  readonly heads: number;
  readonly mlaDtype?: string;
  readonly kvCacheDtype?: string;
  readonly kernel?: string;
}

export interface ContextMlaQuery extends MlaShape {
  readonly isl: number;
}

export interface GenerationMlaQuery extends MlaShape {
  readonly context: number;
}

/** The whole MLA module (projections and attention), measured per model. */
interface MlaModuleShape extends MlaShape {
  /** Hugging Face id; default: the most measured (deepseek-ai/DeepSeek-V3). */
  readonly model?: string;
  /** Dtype of the module's GEMMs; default bfloat16. */
  readonly gemmDtype?: string;
}

export interface MlaContextModuleQuery extends MlaModuleShape {
  readonly isl: number;
}

export interface MlaGenerationModuleQuery extends MlaModuleShape {
  readonly context: number;
}

/**
 * DeepSeek Sparse Attention's whole attention module (projections, indexer, sparse MLA, o_proj), measured
 * per architecture (GlmMoeDsaForCausalLM, DeepseekV32ForCausalLM).
 */
interface DsaModuleShape {
  readonly architecture: string;
  readonly batch: number;
  /** Attention heads on one GPU. */
  readonly heads: number;
  /** Dtype of the module's GEMMs (fp8_block, bfloat16). */
  readonly gemmDtype: string;
  readonly kvCacheDtype?: string;
  readonly kernel?: string;
}

export interface DsaContextModuleQuery extends DsaModuleShape {
  readonly isl: number;
}

export interface DsaGenerationModuleQuery extends DsaModuleShape {
  readonly context: number;
}

export interface MlaBmmQuery {
  /** The batched matmul before (absorbing into the latent) or after attention. */
  readonly op: 'mla_gen_pre' | 'mla_gen_post';
  readonly tokens: number;
  readonly heads: number;
  readonly dtype?: string;
  readonly kernel?: string;
}

export interface MoeQuery {
  readonly tokens: number;
  readonly hidden: number;
  readonly inter: number;
  readonly topk: number;
  readonly experts: number;
  /** Default 1. */
  readonly tp?: number;
  /** Default 1. */
  readonly ep?: number;
  readonly dtype: string;
  /** Routing: balanced, power_law_1.01 (default: real routers are skewed) or power_law_1.2. */
  readonly distribution?: string;
  readonly kernel?: string;
}

export type CollectiveOp = 'all_reduce' | 'all_gather' | 'reduce_scatter' | 'alltoall';

export interface CollectiveQuery {
  readonly op: CollectiveOp;
  readonly gpus: number;
  /** Bytes of each GPU's message (the files' element counts times the dtype's size). */
  readonly bytes: number;
  /** half (default) or int8. */
  readonly dtype?: string;
}

export interface CustomAllReduceQuery {
  readonly gpus: number;
  readonly bytes: number;
  /** Replayed in a CUDA graph (default) or launched eagerly. */
  readonly cudaGraph?: boolean;
}

/** The sliding window that limits attention, or undefined where attention is full (0, or wider than the sequence). */
function slidingWindow(window: number | undefined, length: number): number | undefined {
  return window === undefined || window <= 0 || window >= length ? undefined : window;
}

/** A time derived from another by a rule: extrapolated, with the rule named. */
function derived(time: OpTime, factor: number, step: string): OpTime {
  return {
    seconds: time.seconds * factor,
    source: { ...time.source, how: 'extrapolated', steps: [step, ...time.source.steps] },
  };
}

const BF16 = 'bfloat16';

/**
 * The measured op tables of one system and engine, typed. Each lookup answers any shape with its time and
 * where the time came from; it is undefined only where the database has no table for the op.
 */
export class OpTables {
  constructor(
    readonly system: string,
    readonly backend: string,
    readonly tables: Readonly<Partial<Record<OpKind, OpTable>>>,
  ) {}

  /** The version each table was measured with (engine version; the NCCL version for `nccl`). */
  get versions(): Partial<Record<OpKind, string>> {
    return Object.fromEntries(
      Object.entries(this.tables).map(([kind, table]) => [kind, table.origin.version]),
    );
  }

  private lookup(kind: OpKind, key: readonly (AxisValue | undefined)[]): OpTime | undefined {
    return this.tables[kind]?.lookup(key);
  }

  gemm(q: GemmQuery): OpTime | undefined {
    return this.lookup('gemm', [q.dtype, q.n, q.k, q.m, q.kernel]);
  }

  /**
   * Prefill attention. A sliding window the table did not measure for this shape is full attention scaled
   * by the query-key pairs the window keeps: (isl·w − w²/2) of the causal isl²/2.
   */
  contextAttention(q: ContextAttentionQuery): OpTime | undefined {
    const window = slidingWindow(q.window, q.isl);
    if (window === undefined) return this.lookup('contextAttention', attentionKey(q, q.isl, '0'));
    const windowed = this.lookup('contextAttention', attentionKey(q, q.isl, String(window)));
    if (windowed?.source.how !== 'extrapolated') return windowed;
    const full = this.lookup('contextAttention', attentionKey(q, q.isl, '0'));
    const share = (2 * window) / q.isl - (window / q.isl) ** 2;
    return (
      full && derived(full, share, `window ${window}: full attention × ${share.toFixed(3)} (pairs kept)`)
    );
  }

  /**
   * Decode attention. A sliding window the table did not measure for this shape is full attention over
   * the last `window` tokens, which is all the new token reads.
   */
  generationAttention(q: GenerationAttentionQuery): OpTime | undefined {
    const window = slidingWindow(q.window, q.context);
    if (window === undefined) return this.lookup('generationAttention', attentionKey(q, q.context, '0'));
    const windowed = this.lookup('generationAttention', attentionKey(q, q.context, String(window)));
    if (windowed?.source.how !== 'extrapolated') return windowed;
    const full = this.lookup('generationAttention', attentionKey(q, window, '0'));
    return full && derived(full, 1, `window ${window}: full attention over the last ${window} tokens`);
  }

  contextMla(q: ContextMlaQuery): OpTime | undefined {
    return this.lookup('contextMla', mlaKey(q, q.isl));
  }

  generationMla(q: GenerationMlaQuery): OpTime | undefined {
    return this.lookup('generationMla', mlaKey(q, q.context));
  }

  mlaContextModule(q: MlaContextModuleQuery): OpTime | undefined {
    return this.lookup('mlaContextModule', [q.model, q.gemmDtype ?? BF16, ...mlaKey(q, q.isl)]);
  }

  mlaGenerationModule(q: MlaGenerationModuleQuery): OpTime | undefined {
    return this.lookup('mlaGenerationModule', [q.model, q.gemmDtype ?? BF16, ...mlaKey(q, q.context)]);
  }

  dsaContextModule(q: DsaContextModuleQuery): OpTime | undefined {
    return this.lookup('dsaContextModule', dsaKey(q, q.isl));
  }

  dsaGenerationModule(q: DsaGenerationModuleQuery): OpTime | undefined {
    return this.lookup('dsaGenerationModule', dsaKey(q, q.context));
  }

  mlaBmm(q: MlaBmmQuery): OpTime | undefined {
    return this.lookup('mlaBmm', [q.op, q.dtype ?? BF16, q.heads, q.tokens, q.kernel]);
  }

  moe(q: MoeQuery): OpTime | undefined {
    return this.lookup('moe', [
      q.dtype,
      q.distribution ?? 'power_law_1.01',
      q.hidden,
      q.inter,
      q.topk,
      q.experts,
      q.tp ?? 1,
      q.ep ?? 1,
      q.tokens,
      q.kernel,
    ]);
  }

  /**
   * Quantizing an activation per tensor: the scaling kernel, plus the amax reduction before it where the
   * scale is dynamic. Undefined without the scaling table (or, for a dynamic scale, the reduction's).
   */
  quantize(q: QuantizeQuery): OpTime | undefined {
    const scaling = this.lookup('quantizeStatic', [q.dtype, q.k, q.m, undefined]);
    if (!scaling || !q.dynamicScale) return scaling;
    const reduction = this.lookup('quantizeScale', [q.dtype, q.k, q.m, undefined]);
    if (!reduction) return undefined;
    // The less exact of the two names where the sum came from.
    const rank = { measured: 0, interpolated: 1, extrapolated: 2 } as const;
    const source = rank[reduction.source.how] > rank[scaling.source.how] ? reduction.source : scaling.source;
    return { seconds: scaling.seconds + reduction.seconds, source };
  }

  /** NCCL's collectives; over one GPU a collective moves nothing and takes no time. */
  collective(q: CollectiveQuery): OpTime | undefined {
    const time = this.lookup('nccl', [q.op, q.dtype ?? 'half', q.gpus, q.bytes, undefined]);
    return time && q.gpus <= 1 ? noCommunication(time, q.gpus) : time;
  }

  /** The engine's own all-reduce (vLLM's and SGLang's custom kernels, TensorRT-LLM's). */
  customAllReduce(q: CustomAllReduceQuery): OpTime | undefined {
    const mode = q.cudaGraph === false ? 'eager' : 'graph';
    const time = this.lookup('customAllReduce', [mode, BF16, q.gpus, q.bytes, undefined]);
    return time && q.gpus <= 1 ? noCommunication(time, q.gpus) : time;
  }
}

function noCommunication(time: OpTime, gpus: number): OpTime {
  return {
    seconds: 0,
    source: {
      ...time.source,
      how: 'extrapolated',
      kernels: [],
      steps: [`gpus ${gpus}: nothing to communicate`],
    },
  };
}

function attentionKey(q: AttentionShape, length: number, window: string): (AxisValue | undefined)[] {
  return [
    q.attnDtype ?? BF16,
    q.kvCacheDtype ?? BF16,
    window,
    q.headDim,
    q.kvHeads,
    q.heads,
    q.batch,
    length,
    q.kernel,
  ];
}

function mlaKey(q: MlaShape, length: number): (AxisValue | undefined)[] {
  return [q.mlaDtype ?? BF16, q.kvCacheDtype ?? BF16, q.heads, q.batch, length, q.kernel];
}

function dsaKey(q: DsaModuleShape, length: number): (AxisValue | undefined)[] {
  return [q.architecture, q.gemmDtype, q.kvCacheDtype ?? BF16, q.heads, q.batch, length, q.kernel];
}
