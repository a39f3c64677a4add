import { SGLANG_MAX_PREFILL_TOKENS } from '../../sched/config.js';
import { sglangAllToAllKnobs } from './all-to-all.js';
import { sglangFp8QBProjKnob } from './fp8-q-b-proj.js';
import { sglangMoeRunnerBackend, sglangNvfp4DispatchKnobs } from './moe-backend.js';
import { sglangSpeculationKnobs } from './speculation.js';
import {
  boolKnob,
  enumKnob,
  fractionKnob,
  intKnob,
  type Knob,
  type KnobTable,
  parseInteger,
  passThroughKnob,
  stringKnob,
} from './types.js';
import { VLLM_DTYPES } from './vllm.js';

const GiB = 1024 ** 3;

/**
 * `--chunked-prefill-size`: the token budget of a prefill chunk, or -1 for no chunking. It carries two
 * settings, so it has its own codec.
 */
const chunkedPrefillSize: Knob = {
  id: 'chunked-prefill-size',
  flag: '--chunked-prefill-size',
  kind: 'value',
  type: 'int',
  settings: ['enableChunkedPrefill', 'maxNumBatchedTokens'],
  defaultText: '16384 on GPUs with ≥ 160 GiB, 8192 with ≥ 60 GiB, 4096 with ≥ 35 GiB, else 2048',
  doc: 'Tokens per prefill chunk; -1 turns chunked prefill off.',
  read(raw) {
    if (typeof raw === 'string' && raw.trim() === '-1') return { enableChunkedPrefill: false };
    const n = parseInteger(raw);
    if (n === undefined || n < 1) return `expected a positive integer or -1, got '${String(raw)}'`;
    return { enableChunkedPrefill: true, maxNumBatchedTokens: n };
  },
  write(settings) {
    if (settings.enableChunkedPrefill === false) return '-1';
    return settings.maxNumBatchedTokens !== undefined ? String(settings.maxNumBatchedTokens) : undefined;
  },
};

const knobs: Knob[] = [
  stringKnob('model', { flag: '--model-path', aliases: ['--model'], doc: 'Model to serve.' }),
  // SGLang's server arguments accept the long names too (`--tensor-parallel-size`, as vLLM spells them).
  intKnob('tp', {
    flag: '--tp-size',
    aliases: ['--tp', '--tensor-parallel-size'],
    defaultText: '1',
    doc: 'Tensor parallel degree.',
  }),
  intKnob('pp', {
    flag: '--pp-size',
    aliases: ['--pipeline-parallel-size'],
    defaultText: '1',
    doc: 'Pipeline parallel degree.',
  }),
  intKnob('dp', {
    flag: '--dp-size',
    aliases: ['--dp', '--data-parallel-size'],
    defaultText: '1',
    doc: 'Data parallel replicas.',
  }),
  intKnob('ep', { flag: '--ep-size', aliases: ['--ep'], defaultText: '1', doc: 'Expert parallel degree.' }),
  boolKnob(
    'eplb',
    {
      flag: '--enable-eplb',
      defaultText: 'false',
      doc: 'Expert-parallel load balancing (rebalances hot experts).',
    },
    'switch',
  ),
  intKnob(
    'redundantExperts',
    {
      flag: '--ep-num-redundant-experts',
      defaultText: '0',
      doc: 'Redundant expert slots over the EP ranks; experts + slots must divide by --ep-size.',
    },
    { min: 0 },
  ),
  ...sglangAllToAllKnobs,
  sglangMoeRunnerBackend,
  ...sglangNvfp4DispatchKnobs,
  sglangFp8QBProjKnob,
  fractionKnob('gpuMemoryUtilization', {
    flag: '--mem-fraction-static',
    defaultText: 'chosen at start-up from GPU memory and TP',
    doc: 'Share of GPU memory for weights and the KV pool.',
  }),
  intKnob('maxNumSeqs', {
    flag: '--max-running-requests',
    defaultText: 'derived from the KV pool',
    doc: 'Most requests running at once.',
  }),
  chunkedPrefillSize,
  intKnob('maxPrefillTokens', {
    flag: '--max-prefill-tokens',
    defaultText: String(SGLANG_MAX_PREFILL_TOKENS),
    doc: 'Prompt tokens one prefill batch takes; after its first request, a prompt that does not fit ends the batch.',
  }),
  intKnob('schedulerRecvInterval', {
    flag: '--scheduler-recv-interval',
    defaultText: '1',
    doc: 'Decode steps between the scheduler taking in new requests (1: every step; after a prefill step, at once).',
  }),
  boolKnob(
    'mixedChunk',
    {
      flag: '--enable-mixed-chunk',
      defaultText: 'false',
      doc: 'Running decodes join a prefill batch, one token each, out of its token budget.',
    },
    'switch',
  ),
  intKnob('blockSize', { flag: '--page-size', defaultText: '1', doc: 'Tokens per KV page.' }),
  intKnob('maxModelLen', {
    flag: '--context-length',
    defaultText: "the model's context length",
    doc: 'Longest prompt + output accepted.',
  }),
  enumKnob(
    'dtype',
    { flag: '--dtype', defaultText: 'auto', doc: 'Weight and activation dtype.' },
    VLLM_DTYPES,
  ),
  stringKnob('quantization', { flag: '--quantization', doc: 'Weight quantization method.' }),
  enumKnob(
    'kvCacheDtype',
    { flag: '--kv-cache-dtype', defaultText: 'auto', doc: 'KV cache storage dtype.' },
    [
      ['auto', 'auto'],
      ['fp8_e4m3', 'fp8_e4m3'],
      ['fp8_e5m2', 'fp8_e5m2'],
      ['fp4_e2m1', 'fp4'],
    ],
  ),
  boolKnob(
    'enablePrefixCaching',
    { flag: '--disable-radix-cache', defaultText: 'false', doc: 'Turn off prefix reuse (the radix cache).' },
    'switch',
    { invert: true },
  ),
  // Engine behaviours that change step time (perf/serving-engine.ts): sgl-project/sglang @469c63e5
  // python/sglang/srt/server_args.py `disable_cuda_graph: bool = False`, `disable_custom_all_reduce: bool
  // = False`, `disable_overlap_schedule: bool = False`, each a store_true flag of the same name.
  boolKnob(
    'enforceEager',
    { flag: '--disable-cuda-graph', defaultText: 'false', doc: 'Run without CUDA graphs.' },
    'switch',
  ),
  boolKnob(
    'disableCustomAllReduce',
    {
      flag: '--disable-custom-all-reduce',
      defaultText: 'false',
      doc: "All-reduce with NCCL instead of SGLang's custom kernel.",
    },
    'switch',
  ),
  boolKnob(
    'overlapScheduling',
    {
      flag: '--disable-overlap-schedule',
      defaultText: 'false (the overlap scheduler runs)',
      doc: 'Schedule step by step instead of preparing the next step while the GPU runs this one.',
    },
    'switch',
    { invert: true },
  ),
  enumKnob(
    'disaggregationMode',
    {
      flag: '--disaggregation-mode',
      defaultText: 'null',
      doc: 'Prefill or decode side of a disaggregated pair.',
    },
    [
      ['prefill', 'prefill'],
      ['decode', 'decode'],
    ],
  ),
  ...sglangSpeculationKnobs,
  passThroughKnob({ flag: '--config', doc: 'YAML file of flag values; the command line overrides it.' }),
  ...[
    '--host',
    '--port',
    '--served-model-name',
    '--api-key',
    '--tokenizer-path',
    '--revision',
    '--load-format',
  ]
    .concat(['--max-total-tokens', '--schedule-policy', '--schedule-conservativeness'])
    .concat([
      '--cuda-graph-max-bs',
      '--attention-backend',
      '--disaggregation-transfer-backend',
      '--log-level',
    ])
    .concat([
      '--disaggregation-ib-device',
      '--disaggregation-bootstrap-port',
      '--chat-template',
      '--tool-call-parser',
      '--random-seed',
      '--nnodes',
    ])
    .concat(['--node-rank', '--dist-init-addr', '--reasoning-parser'])
    .map((flag) => passThroughKnob({ flag, doc: 'Not modelled by ServeTune.' })),
  boolKnob(
    'dpAttention',
    {
      flag: '--enable-dp-attention',
      defaultText: 'false',
      doc: 'Attention data parallel over the --dp-size ranks of the --tp GPUs; with --ep-size, wide EP for MoE.',
    },
    'switch',
  ),
  ...['--trust-remote-code', '--enable-metrics']
    .concat(['--enable-torch-compile', '--log-requests', '--skip-server-warmup'])
    .map((flag) => passThroughKnob({ flag, doc: 'Not modelled by ServeTune.' }, 'switch')),
];

/**
 * SGLang's `--chunked-prefill-size` when not given, by the GPU's memory: sgl-project/sglang
 * python/sglang/srt/server_args.py, `ServerArgs._handle_gpu_memory_settings` (v0.5.x; v0.4.x set the
 * same sizes in `__post_init__`), comparing `gpu_mem` in MiB: `< 35 * 1024` 2048, `< 60 * 1024` 4096,
 * `< 160 * 1024` 8192 ("H100, A100", "H20, H200"), else 16384 ("B200, MI300: chunked_prefill_size 16k").
 */
function defaultChunkedPrefillSize(memoryBytes: number): number {
  if (memoryBytes >= 160 * GiB) return 16384;
  if (memoryBytes >= 60 * GiB) return 8192;
  return memoryBytes >= 35 * GiB ? 4096 : 2048;
}

const MiB = 1024 ** 2;

/** What SGLang's start-up reads to pick `--mem-fraction-static` when it is not given. */
export interface SglangMemoryContext {
  gpuMemoryBytes: number;
  tp: number;
  pp: number;
  /** `--chunked-prefill-size` as it runs (its default: the GPU's, defaultChunkedPrefillSize). */
  chunkedPrefillSize?: number;
}

/**
 * SGLang's `--cuda-graph-max-bs` when not given: 256 below TP 4 and 512 from it on 60-160 GiB GPUs, 512
 * from 160 GiB, 32 / 160 from 35 GiB, 24 / 80 from 20 GiB, else 8 (server_args.py
 * `_handle_gpu_memory_settings`, the same branches as the chunk size).
 */
function defaultCudaGraphMaxBs(memoryBytes: number, tp: number): number {
  if (memoryBytes >= 160 * GiB) return 512;
  if (memoryBytes >= 60 * GiB) return tp < 4 ? 256 : 512;
  if (memoryBytes >= 35 * GiB) return tp < 4 ? 32 : 160;
  if (memoryBytes >= 20 * GiB) return tp < 4 ? 24 : 80;
  return 8;
}

/**
 * SGLang's `--mem-fraction-static` when not given: the whole GPU less a reserve for activations and CUDA
 * graphs, `(gpu_mem - reserved_mem) / gpu_mem` rounded to 3 places, with `reserved_mem` (MiB) = 512 +
 * 1.5 × max(chunked_prefill_size, 2048) + 2 × cuda_graph_max_bs + tp × pp / 8 × 1024, at least 10 GiB on
 * GPUs above 60 GiB (sgl-project/sglang python/sglang/srt/server_args.py,
 * `ServerArgs._handle_gpu_memory_settings`, its 0.5.x form; earlier releases reserved a fixed amount per
 * GPU class, e.g. `(12 + parallel_size / 2) * 1024` MiB on H200). Attention-DP, piecewise-graph and
 * speculative-decoding terms are left out: the deployments it serves here run none of them. An H100 at TP 1 keeps 0.836 for weights and KV, an H200
 * at TP 8 0.897, a B200 at TP 8 0.853.
 */
export function sglangDefaultMemFractionStatic(context: SglangMemoryContext): number {
  const gpuMem = context.gpuMemoryBytes / MiB;
  const chunk = context.chunkedPrefillSize ?? defaultChunkedPrefillSize(context.gpuMemoryBytes);
  let reserved = 512 + Math.max(chunk, 2048) * 1.5;
  reserved += defaultCudaGraphMaxBs(context.gpuMemoryBytes, context.tp) * 2;
  reserved += ((context.tp * context.pp) / 8) * 1024;
  if (gpuMem > 60 * 1024) reserved = Math.max(reserved, 10 * 1024);
  return Math.round(((gpuMem - reserved) / gpuMem) * 1000) / 1000;
}

/** SGLang ~0.4 / 0.5 (`python -m sglang.launch_server`, and its `--config` YAML keyed by flag names). */
export const SGLANG_KNOBS: KnobTable = {
  version: '0.5',
  knobs,
  defaults(context) {
    const memory = context.gpuMemoryBytes;
    const chunk = memory === undefined ? undefined : defaultChunkedPrefillSize(memory);
    return {
      tp: 1,
      pp: 1,
      dp: 1,
      ep: 1,
      enableChunkedPrefill: true,
      ...(chunk ? { maxNumBatchedTokens: chunk } : {}),
      maxPrefillTokens: SGLANG_MAX_PREFILL_TOKENS,
      mixedChunk: false,
      blockSize: 1,
      dtype: 'auto',
      kvCacheDtype: 'auto',
      enablePrefixCaching: true,
      enforceEager: false,
      disableCustomAllReduce: false,
      overlapScheduling: true,
      ...(context.modelMaxLen ? { maxModelLen: context.modelMaxLen } : {}),
    };
  },
};
