import { type Axis, type AxisValue, choice, numeric } from './axes.js';

/**
 * The measured op tables ServeTune reads, each keyed by the axes its time depends on, in trie order (the
 * last is always the kernel, which only separates rows measured with more than one kernel).
 */
export const OP_KINDS = [
  'gemm',
  'contextAttention',
  'generationAttention',
  'contextMla',
  'generationMla',
  'mlaContextModule',
  'mlaGenerationModule',
  'mlaBmm',
  'dsaContextModule',
  'dsaGenerationModule',
  'moe',
  'nccl',
  'customAllReduce',
  'quantizeStatic',
  'quantizeScale',
] as const;
export type OpKind = (typeof OP_KINDS)[number];

/** text: a string column; count: a non-negative integer column (INT64 in the files). */
export type ColumnType = 'text' | 'count';

/** One validated row: the columns a spec names, plus `latency` in milliseconds. */
export type OpRow = Readonly<Record<string, string | number>> & { readonly latency: number };

export interface OpSpec {
  readonly kind: OpKind;
  /** The folder under data/<system>/: gemm, attention, mla, mla_bmm, moe, comm. */
  readonly family: string;
  /** The parquet file in each version folder; reuse.yaml names it without `.parquet`. */
  readonly file: string;
  /** True for the collectives, which live under comm/nccl/ whatever the engine. */
  readonly collective?: boolean;
  readonly columns: Readonly<Record<string, ColumnType>>;
  /** Columns older files lack, with the value they mean. */
  readonly optional?: Readonly<Record<string, { type: ColumnType; absent: string | number }>>;
  readonly axes: readonly Axis[];
  /**
   * Whether a latency of 0 is valid: a difference of two runs the collector clamps at 0 where it fell
   * below the timer's resolution (`keep` then leaves such rows out). Elsewhere every latency is > 0.
   */
  readonly zeroLatency?: boolean;
  /** Rows this model can use (e.g. beam width 1), with the reason for the others. */
  readonly keep?: { readonly test: (row: OpRow) => boolean; readonly reason: string };
  readonly keyOf: (row: OpRow) => AxisValue[];
}

/** What to use, in order, where a dtype was not measured: the nearest in bytes and kernel family. */
const DTYPE_SUBSTITUTES: Readonly<Record<string, readonly string[]>> = {
  bfloat16: ['float16', 'half'],
  float16: ['bfloat16', 'half'],
  fp16: ['bfloat16', 'half'],
  half: ['bfloat16', 'float16'],
  fp8: ['fp8_block', 'int8', 'bfloat16'],
  fp8_block: ['fp8', 'bfloat16'],
  nvfp4: ['w4a8_mxfp4_mxfp8', 'fp8_block', 'fp8', 'bfloat16'],
  w4a8_mxfp4_mxfp8: ['nvfp4', 'fp8_block', 'fp8', 'bfloat16'],
  w4a16_mxfp4: ['int4_wo', 'nvfp4', 'bfloat16'],
  int4_wo: ['w4a16_mxfp4', 'int8_wo', 'bfloat16'],
  int8_wo: ['int4_wo', 'sq', 'bfloat16'],
  sq: ['int8_wo', 'fp8', 'bfloat16'],
  int8: ['fp8', 'bfloat16'],
};

/** Routing skew: balanced, then the mildly and strongly skewed power laws. */
const DISTRIBUTION_SUBSTITUTES = {
  balanced: ['power_law_1.01', 'power_law_1.2'],
  'power_law_1.01': ['power_law_1.2', 'balanced'],
  'power_law_1.2': ['power_law_1.01', 'balanced'],
};

const dtype = (name: string) => choice(name, { substitutes: DTYPE_SUBSTITUTES });
const kernel = choice('kernel');

// Exponent ranges of time in each dimension (see axes.ts): below and above the measured range.
const proportional = { below: [0, 1], above: [1, 1], assumed: 1 } as const;
const tokensLike = { between: 'saturating', ...proportional } as const;
const shareOfWork = { below: [-1, 0], above: [-1, 0], assumed: -1 } as const;
const widthLike = { below: [0, 1], above: [0, 1], assumed: 1 } as const;

const str = (v: string | number) => String(v);
const num = (v: string | number) => Number(v);

const QUANTIZE_COLUMNS = { m: 'count', k: 'count', quant_dtype: 'text', kernel_source: 'text' } as const;
const quantizeAxes = (): Axis[] => [
  dtype('dtype'),
  numeric('k', proportional),
  numeric('m', tokensLike),
  kernel,
];
const quantizeKey = (r: OpRow): AxisValue[] => [str(r.quant_dtype), num(r.k), num(r.m), str(r.kernel_source)];

const ATTENTION_COLUMNS = {
  attn_dtype: 'text',
  kv_cache_dtype: 'text',
  batch_size: 'count',
  isl: 'count',
  step: 'count',
  num_heads: 'count',
  num_key_value_heads: 'count',
  head_dim: 'count',
  beam_width: 'count',
  kernel_source: 'text',
} as const;

function attentionAxes(lengthAxis: Axis): Axis[] {
  return [
    dtype('attnDtype'),
    dtype('kvCacheDtype'),
    choice('window', { nearestNumber: true }),
    numeric('headDim', widthLike),
    numeric('kvHeads', widthLike),
    numeric('heads', proportional),
    numeric('batch', proportional),
    lengthAxis,
    kernel,
  ];
}

const attentionKey = (row: OpRow, length: number): AxisValue[] => [
  str(row.attn_dtype),
  str(row.kv_cache_dtype),
  str(row.window_size),
  num(row.head_dim),
  num(row.num_key_value_heads),
  num(row.num_heads),
  num(row.batch_size),
  length,
  str(row.kernel_source),
];

const MLA_COLUMNS = {
  mla_dtype: 'text',
  kv_cache_dtype: 'text',
  num_heads: 'count',
  batch_size: 'count',
  isl: 'count',
  step: 'count',
  kernel_source: 'text',
} as const;

// num_heads is the heads on one GPU (tp_size only records the split that gave them), so it alone keys the
// time; rows of the same heads under different splits are the same measurement, averaged.
function mlaAxes(lengthAxis: Axis, module: boolean): Axis[] {
  return [
    ...(module ? [choice('model'), dtype('gemmDtype')] : []),
    dtype('mlaDtype'),
    dtype('kvCacheDtype'),
    numeric('heads', proportional),
    numeric('batch', proportional),
    lengthAxis,
    kernel,
  ];
}

const mlaKey = (row: OpRow, length: number, module: boolean): AxisValue[] => [
  ...(module ? [str(row.model), str(row.gemm_type)] : []),
  str(row.mla_dtype),
  str(row.kv_cache_dtype),
  num(row.num_heads),
  num(row.batch_size),
  length,
  str(row.kernel_source),
];

// Prefill attention grows with the square of the prompt at length; decode with the context it reads.
const promptLength = numeric('isl', { below: [0, 1], above: [1, 2], assumed: 1.5 });
const contextLength = numeric('context', { below: [0, 1], above: [0, 1], assumed: 1 });

/** Context rows with a cached prefix (step > 0) and beam search are not what prefill costs here. */
const prefillRows = {
  test: (row: OpRow) => row.step === 0 && row.beam_width === 1,
  reason: 'rows with a cached prefix (step > 0) or beam width > 1 left out',
};

/**
 * DeepSeek Sparse Attention's whole attention module (aiconfigurator's sparse_attention/ tables): the
 * q and KV down-projections, their norms, q's up-projection, the indexer (its projections, fp8 scoring
 * over the cached keys, top-k) and the sparse MLA over the selected keys, and o_proj, per layer on one
 * GPU. Keyed by the model's architecture (the indexer's shape is the architecture's), the GEMM and KV
 * formats and the heads on one GPU.
 */
const DSA_COLUMNS = {
  op_name: 'text',
  architecture: 'text',
  gemm_type: 'text',
  kv_cache_dtype: 'text',
  num_heads: 'count',
  batch_size: 'count',
  isl: 'count',
  step: 'count',
  kernel_source: 'text',
} as const;

function dsaAxes(lengthAxis: Axis): Axis[] {
  return [
    choice('architecture'),
    dtype('gemmDtype'),
    dtype('kvCacheDtype'),
    numeric('heads', proportional),
    numeric('batch', proportional),
    lengthAxis,
    kernel,
  ];
}

const dsaKey = (row: OpRow, length: number): AxisValue[] => [
  str(row.architecture),
  str(row.gemm_type),
  str(row.kv_cache_dtype),
  num(row.num_heads),
  num(row.batch_size),
  length,
  str(row.kernel_source),
];

/** Bytes per element of the collectives' dtypes (the files give message sizes in elements). */
const ELEMENT_BYTES: Readonly<Record<string, number>> = {
  half: 2,
  bfloat16: 2,
  float16: 2,
  float: 4,
  float32: 4,
  int8: 1,
  fp8: 1,
};
export const elementBytes = (dtypeName: string) => ELEMENT_BYTES[dtypeName] ?? 2;

const COLLECTIVE_DTYPES = {
  bfloat16: ['half'],
  float16: ['half'],
  fp16: ['half'],
  half: ['bfloat16'],
  fp8: ['int8'],
};
const messageBytes = numeric('bytes', tokensLike);
const gpus = numeric('gpus', { below: [0, 1], above: [0, 1], assumed: 0.5 });

/** The custom all-reduce's CUDA-graph and eager modes, from the kernel's name. */
export function allReduceMode(kernelSource: string): string {
  if (/graph/i.test(kernelSource)) return 'graph';
  if (/eager/i.test(kernelSource)) return 'eager';
  return 'default';
}

export const OP_SPECS: Readonly<Record<OpKind, OpSpec>> = {
  gemm: {
    kind: 'gemm',
    family: 'gemm',
    file: 'gemm_perf.parquet',
    columns: { gemm_dtype: 'text', m: 'count', n: 'count', k: 'count', kernel_source: 'text' },
    axes: [
      dtype('dtype'),
      numeric('n', proportional),
      numeric('k', proportional),
      numeric('m', tokensLike),
      kernel,
    ],
    keyOf: (r) => [str(r.gemm_dtype), num(r.n), num(r.k), num(r.m), str(r.kernel_source)],
  },
  contextAttention: {
    kind: 'contextAttention',
    family: 'attention',
    file: 'context_attention_perf.parquet',
    columns: ATTENTION_COLUMNS,
    optional: { window_size: { type: 'count', absent: 0 } },
    axes: attentionAxes(promptLength),
    keep: prefillRows,
    keyOf: (r) => attentionKey(r, num(r.isl)),
  },
  generationAttention: {
    kind: 'generationAttention',
    family: 'attention',
    file: 'generation_attention_perf.parquet',
    columns: ATTENTION_COLUMNS,
    optional: { window_size: { type: 'count', absent: 0 } },
    axes: attentionAxes(contextLength),
    keep: { test: (r) => r.beam_width === 1, reason: 'rows with beam width > 1 left out' },
    // The token being generated attends over the prompt and the tokens generated before it.
    keyOf: (r) => attentionKey(r, num(r.isl) + num(r.step)),
  },
  contextMla: {
    kind: 'contextMla',
    family: 'mla',
    file: 'context_mla_perf.parquet',
    columns: MLA_COLUMNS,
    axes: mlaAxes(promptLength, false),
    keep: { test: (r) => r.step === 0, reason: 'rows with a cached prefix (step > 0) left out' },
    keyOf: (r) => mlaKey(r, num(r.isl), false),
  },
  generationMla: {
    kind: 'generationMla',
    family: 'mla',
    file: 'generation_mla_perf.parquet',
    columns: MLA_COLUMNS,
    axes: mlaAxes(contextLength, false),
    keyOf: (r) => mlaKey(r, num(r.isl) + num(r.step), false),
  },
  mlaContextModule: {
    kind: 'mlaContextModule',
    family: 'mla',
    file: 'mla_context_module_perf.parquet',
    columns: { ...MLA_COLUMNS, model: 'text', gemm_type: 'text' },
    axes: mlaAxes(promptLength, true),
    keep: { test: (r) => r.step === 0, reason: 'rows with a cached prefix (step > 0) left out' },
    keyOf: (r) => mlaKey(r, num(r.isl), true),
  },
  mlaGenerationModule: {
    kind: 'mlaGenerationModule',
    family: 'mla',
    file: 'mla_generation_module_perf.parquet',
    columns: { ...MLA_COLUMNS, model: 'text', gemm_type: 'text' },
    axes: mlaAxes(contextLength, true),
    keyOf: (r) => mlaKey(r, num(r.isl) + num(r.step), true),
  },
  mlaBmm: {
    kind: 'mlaBmm',
    family: 'mla_bmm',
    file: 'mla_bmm_perf.parquet',
    columns: {
      op_name: 'text',
      bmm_dtype: 'text',
      num_tokens: 'count',
      num_heads: 'count',
      kernel_source: 'text',
    },
    axes: [
      choice('op'),
      dtype('dtype'),
      numeric('heads', proportional),
      numeric('tokens', tokensLike),
      kernel,
    ],
    keyOf: (r) => [
      str(r.op_name),
      str(r.bmm_dtype),
      num(r.num_heads),
      num(r.num_tokens),
      str(r.kernel_source),
    ],
  },
  // The variants that skip the indexer (layers sharing another layer's top-k) are not what every layer
  // of GLM-5 and DeepSeek-V3.2 runs; prefill rows with a cached prefix are left out as for attention.
  dsaContextModule: {
    kind: 'dsaContextModule',
    family: 'sparse_attention',
    file: 'dsa_context_module_perf.parquet',
    columns: DSA_COLUMNS,
    axes: dsaAxes(promptLength),
    keep: {
      test: (r) => r.op_name === 'dsa_context_module' && r.step === 0,
      reason: 'rows skipping the indexer or with a cached prefix (step > 0) left out',
    },
    keyOf: (r) => dsaKey(r, num(r.isl)),
  },
  dsaGenerationModule: {
    kind: 'dsaGenerationModule',
    family: 'sparse_attention',
    file: 'dsa_generation_module_perf.parquet',
    columns: DSA_COLUMNS,
    axes: dsaAxes(contextLength),
    keep: {
      test: (r) => r.op_name === 'dsa_generation_module',
      reason: 'rows skipping the indexer left out',
    },
    keyOf: (r) => dsaKey(r, num(r.isl) + num(r.step)),
  },
  moe: {
    kind: 'moe',
    family: 'moe',
    file: 'moe_perf.parquet',
    columns: {
      moe_dtype: 'text',
      distribution: 'text',
      num_tokens: 'count',
      hidden_size: 'count',
      inter_size: 'count',
      topk: 'count',
      num_experts: 'count',
      moe_tp_size: 'count',
      moe_ep_size: 'count',
      kernel_source: 'text',
    },
    axes: [
      dtype('dtype'),
      choice('distribution', { substitutes: DISTRIBUTION_SUBSTITUTES }),
      numeric('hidden', widthLike),
      numeric('inter', widthLike),
      numeric('topk', widthLike),
      numeric('experts', { below: [0, 1], above: [0, 1], assumed: 0.5 }),
      numeric('tp', shareOfWork),
      numeric('ep', shareOfWork),
      numeric('tokens', tokensLike),
      kernel,
    ],
    keyOf: (r) => [
      str(r.moe_dtype),
      str(r.distribution),
      num(r.hidden_size),
      num(r.inter_size),
      num(r.topk),
      num(r.num_experts),
      num(r.moe_tp_size),
      num(r.moe_ep_size),
      num(r.num_tokens),
      str(r.kernel_source),
    ],
  },
  nccl: {
    kind: 'nccl',
    family: 'comm',
    file: 'nccl_perf.parquet',
    collective: true,
    columns: {
      op_name: 'text',
      nccl_dtype: 'text',
      num_gpus: 'count',
      message_size: 'count',
      kernel_source: 'text',
    },
    axes: [choice('op'), choice('dtype', { substitutes: COLLECTIVE_DTYPES }), gpus, messageBytes, kernel],
    keyOf: (r) => [
      str(r.op_name),
      str(r.nccl_dtype),
      num(r.num_gpus),
      num(r.message_size) * elementBytes(str(r.nccl_dtype)),
      str(r.kernel_source),
    ],
  },
  customAllReduce: {
    kind: 'customAllReduce',
    family: 'comm',
    file: 'custom_allreduce_perf.parquet',
    columns: { allreduce_dtype: 'text', num_gpus: 'count', message_size: 'count', kernel_source: 'text' },
    axes: [
      choice('mode', { substitutes: { graph: ['default', 'eager'], eager: ['default', 'graph'] } }),
      choice('dtype', { substitutes: COLLECTIVE_DTYPES }),
      gpus,
      messageBytes,
      kernel,
    ],
    keyOf: (r) => [
      allReduceMode(str(r.kernel_source)),
      str(r.allreduce_dtype),
      num(r.num_gpus),
      num(r.message_size) * elementBytes(str(r.allreduce_dtype)),
      str(r.kernel_source),
    ],
  },
  // Quantizing an m × k 16-bit activation to fp8 with a scale known in advance (a checkpoint's static
  // input scale): one elementwise kernel.
  quantizeStatic: {
    kind: 'quantizeStatic',
    family: 'quantize',
    file: 'scale_matrix_perf.parquet',
    columns: QUANTIZE_COLUMNS,
    axes: quantizeAxes(),
    keyOf: quantizeKey,
  },
  // What a dynamic per-tensor scale adds to quantizeStatic: the amax reduction over the whole activation
  // that computes the scale first (the collector stores dynamic − static).
  quantizeScale: {
    kind: 'quantizeScale',
    family: 'quantize',
    file: 'computescale_perf.parquet',
    columns: QUANTIZE_COLUMNS,
    zeroLatency: true,
    keep: {
      test: (r) => r.latency > 0,
      reason: 'rows where the dynamic run was no slower than the static one (clamped to 0) left out',
    },
    axes: quantizeAxes(),
    keyOf: quantizeKey,
  },
};
