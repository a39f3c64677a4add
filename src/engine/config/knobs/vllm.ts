import { vllmAllToAllBackend } from './all-to-all.js';
import { vllmMoeBackendKnobs } from './moe-backend.js';
import { vllmSpeculativeConfig } from './speculation.js';
import {
  boolKnob,
  enumKnob,
  fractionKnob,
  intKnob,
  type Knob,
  type KnobTable,
  parseTokenCount,
  passThroughKnob,
  stringKnob,
} from './types.js';

const GiB = 1024 ** 3;

export const VLLM_DTYPES = [
  ['auto', 'auto'],
  ['bfloat16', 'bf16'],
  ['float16', 'fp16'],
  ['half', 'fp16'],
  ['float32', 'fp32'],
  ['float', 'fp32'],
] as const;

/** `--kv-transfer-config` is JSON; only its `kv_role` matters to ServeTune (which pool this server is). */
const kvTransferConfig: Knob = {
  id: 'kv-transfer-config',
  flag: '--kv-transfer-config',
  kind: 'value',
  type: 'string',
  settings: ['disaggregationMode'],
  doc: 'KV connector for disaggregated prefill/decode; its kv_role says which side this server is.',
  read(raw) {
    if (typeof raw !== 'string') return 'expected a JSON object';
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return 'expected a JSON object';
    }
    const role =
      typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).kv_role : '';
    if (role === 'kv_producer') return { disaggregationMode: 'prefill' };
    if (role === 'kv_consumer') return { disaggregationMode: 'decode' };
    if (role === 'kv_both') return { disaggregationMode: 'both' };
    return {};
  },
  // A connector cannot be invented from a role: the emitter leaves this knob to the user.
  write: () => undefined,
};

const knobs: Knob[] = [
  stringKnob('model', {
    flag: '--model',
    doc: 'Model to serve (`vllm serve` also takes it as the first argument).',
  }),
  intKnob('tp', {
    flag: '--tensor-parallel-size',
    aliases: ['-tp'],
    defaultText: '1',
    doc: 'GPUs each layer is split over.',
  }),
  intKnob('pp', {
    flag: '--pipeline-parallel-size',
    aliases: ['-pp'],
    defaultText: '1',
    doc: 'Pipeline stages the layers are split into.',
  }),
  intKnob('dp', {
    flag: '--data-parallel-size',
    aliases: ['-dp'],
    defaultText: '1',
    doc: 'Data-parallel engine replicas inside one server.',
  }),
  boolKnob(
    'expertParallel',
    {
      flag: '--enable-expert-parallel',
      aliases: ['-ep'],
      defaultText: 'false',
      doc: 'MoE experts spread over the TP × DP ranks.',
    },
    'negatable',
  ),
  boolKnob(
    'eplb',
    {
      flag: '--enable-eplb',
      defaultText: 'false',
      doc: 'Expert-parallel load balancing (with --enable-expert-parallel).',
    },
    'negatable',
  ),
  intKnob(
    'redundantExperts',
    {
      flag: '--num-redundant-experts',
      defaultText: '0',
      doc: 'Redundant expert slots over the EP ranks (needs --enable-eplb).',
    },
    { min: 0 },
  ),
  vllmAllToAllBackend,
  fractionKnob('gpuMemoryUtilization', {
    flag: '--gpu-memory-utilization',
    defaultText: '0.9',
    doc: 'Share of each GPU the engine may use for weights, activations and KV cache.',
  }),
  intKnob('maxNumSeqs', {
    flag: '--max-num-seqs',
    defaultText: '1024 on GPUs with ≥ 70 GiB (not A100), else 256',
    doc: 'Most sequences in one step.',
  }),
  intKnob('maxNumBatchedTokens', {
    flag: '--max-num-batched-tokens',
    defaultText: '8192 on GPUs with ≥ 70 GiB (not A100), else 2048',
    doc: 'Most tokens in one step.',
  }),
  boolKnob(
    'enableChunkedPrefill',
    { flag: '--enable-chunked-prefill', defaultText: 'true', doc: 'Split long prompts over steps.' },
    'negatable',
  ),
  intKnob('blockSize', { flag: '--block-size', defaultText: '16', doc: 'Tokens per KV cache block.' }),
  intKnob(
    'maxModelLen',
    {
      flag: '--max-model-len',
      defaultText: "the model's context length",
      doc: 'Longest prompt + output accepted (also as 32k, 32K).',
    },
    { parse: parseTokenCount },
  ),
  enumKnob(
    'dtype',
    { flag: '--dtype', defaultText: 'auto', doc: 'Weight and activation dtype.' },
    VLLM_DTYPES,
  ),
  stringKnob('quantization', { flag: '--quantization', aliases: ['-q'], doc: 'Weight quantization method.' }),
  enumKnob(
    'kvCacheDtype',
    { flag: '--kv-cache-dtype', defaultText: 'auto', doc: 'KV cache storage dtype.' },
    [
      ['auto', 'auto'],
      ['fp8', 'fp8'],
      ['fp8_e4m3', 'fp8_e4m3'],
      ['fp8_e5m2', 'fp8_e5m2'],
    ],
  ),
  boolKnob(
    'enablePrefixCaching',
    {
      flag: '--enable-prefix-caching',
      defaultText: 'true',
      doc: 'Reuse KV blocks of shared prompt prefixes.',
    },
    'negatable',
  ),
  // Engine behaviours that change step time (perf/serving-engine.ts). vllm-project/vllm @840e7972:
  // vllm/config/model.py `enforce_eager: bool = False`, vllm/config/parallel.py
  // `disable_custom_all_reduce: bool = False`; every bool field of the engine's config is a
  // `--x/--no-x` flag (vllm/engine/arg_utils.py, argparse BooleanOptionalAction).
  boolKnob(
    'enforceEager',
    { flag: '--enforce-eager', defaultText: 'false', doc: 'Run without CUDA graphs.' },
    'negatable',
  ),
  boolKnob(
    'disableCustomAllReduce',
    {
      flag: '--disable-custom-all-reduce',
      defaultText: 'false',
      doc: "All-reduce with NCCL instead of vLLM's custom kernel.",
    },
    'negatable',
  ),
  // vllm/config/scheduler.py `async_scheduling`: off before 0.14, on by default from 0.14.0 except with
  // pipeline parallelism (release notes, vllm-project/vllm#27614; perf/overlap-scheduling.ts). Not in
  // defaults(): the default depends on the version, which the file does not say.
  boolKnob(
    'overlapScheduling',
    {
      flag: '--async-scheduling',
      defaultText: 'off before 0.14, on from 0.14 (not with pipeline parallelism)',
      doc: 'Schedule the next step while the GPU runs this one.',
    },
    'negatable',
  ),
  ...vllmMoeBackendKnobs,
  kvTransferConfig,
  vllmSpeculativeConfig,
  passThroughKnob({ flag: '--config', doc: 'YAML file of flag values; the command line overrides it.' }),
  ...['--host', '--port', '--served-model-name', '--api-key', '--tokenizer', '--revision', '--download-dir']
    .concat(['--load-format', '--chat-template', '--tool-call-parser', '--max-loras', '--max-lora-rank'])
    .concat([
      '--swap-space',
      '--cpu-offload-gb',
      '--seed',
      '--distributed-executor-backend',
      '--uvicorn-log-level',
    ])
    .concat(['--compilation-config', '--scheduling-policy', '--max-num-partial-prefills'])
    .concat([
      '--data-parallel-size-local',
      '--data-parallel-address',
      '--data-parallel-rpc-port',
      '--data-parallel-start-rank',
      '--data-parallel-backend',
      '--lora-modules',
    ])
    .concat(['--long-prefill-token-threshold', '--max-logprobs', '--generation-config', '--reasoning-parser'])
    .map((flag) => passThroughKnob({ flag, doc: 'Not modelled by ServeTune.' })),
  ...['--trust-remote-code', '--disable-log-requests', '--enable-log-requests', '--disable-log-stats']
    .concat(['--enable-auto-tool-choice', '--enable-lora', '--headless'])
    .map((flag) => passThroughKnob({ flag, doc: 'Not modelled by ServeTune.' }, 'negatable')),
];

/**
 * vLLM ≥ 0.8 (V1 engine, OpenAI-compatible server). The batch-size defaults depend on the GPU: vLLM picks
 * larger ones on GPUs with at least 70 GiB other than the A100.
 */
export const VLLM_KNOBS: KnobTable = {
  version: '0.10',
  knobs,
  defaults(context) {
    const large =
      context.gpuMemoryBytes !== undefined &&
      context.gpuMemoryBytes >= 70 * GiB &&
      !/a100/i.test(context.gpuName ?? '');
    return {
      tp: 1,
      pp: 1,
      dp: 1,
      expertParallel: false,
      gpuMemoryUtilization: 0.9,
      maxNumSeqs: large ? 1024 : 256,
      maxNumBatchedTokens: large ? 8192 : 2048,
      enableChunkedPrefill: true,
      blockSize: 16,
      dtype: 'auto',
      kvCacheDtype: 'auto',
      enablePrefixCaching: true,
      enforceEager: false,
      disableCustomAllReduce: false,
      ...(context.modelMaxLen ? { maxModelLen: context.modelMaxLen } : {}),
    };
  },
};
