import {
  boolKnob,
  enumKnob,
  fractionKnob,
  intKnob,
  type Knob,
  type KnobTable,
  passThroughKnob,
  stringKnob,
} from './types.js';

/** `--cuda-graphs`: batch sizes to capture; `0` captures none. */
const cudaGraphs: Knob = {
  id: 'cuda-graphs',
  flag: '--cuda-graphs',
  env: 'CUDA_GRAPHS',
  kind: 'value',
  type: 'string',
  settings: ['enforceEager'],
  defaultText: '1,2,4,8,16,32',
  doc: 'Batch sizes captured as CUDA graphs; 0 turns CUDA graphs off.',
  read(raw) {
    if (typeof raw !== 'string' || !/^\s*\d+(\s*,\s*\d+)*\s*$/.test(raw)) {
      return `expected a comma-separated list of batch sizes, got '${String(raw)}'`;
    }
    return { enforceEager: raw.trim() === '0' };
  },
  write: (settings) => (settings.enforceEager === true ? '0' : undefined),
};

// Every TGI launcher flag also reads an environment variable: the flag's name in upper snake case.
const env = (flag: string) => flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase();

const knobs: Knob[] = [
  stringKnob('model', { flag: '--model-id', env: 'MODEL_ID', doc: 'Model to serve.' }),
  intKnob('tp', {
    flag: '--num-shard',
    env: 'NUM_SHARD',
    doc: 'GPUs the model is sharded over (tensor parallel).',
  }),
  stringKnob('quantization', { flag: '--quantize', env: 'QUANTIZE', doc: 'Weight quantization method.' }),
  enumKnob('dtype', { flag: '--dtype', env: 'DTYPE', doc: 'Weight and activation dtype.' }, [
    ['bfloat16', 'bf16'],
    ['float16', 'fp16'],
  ]),
  enumKnob(
    'kvCacheDtype',
    { flag: '--kv-cache-dtype', env: 'KV_CACHE_DTYPE', doc: 'KV cache storage dtype.' },
    [
      ['fp8', 'fp8'],
      ['fp8_e4m3fn', 'fp8_e4m3'],
      ['fp8_e5m2', 'fp8_e5m2'],
    ],
  ),
  intKnob('maxNumSeqs', {
    flag: '--max-batch-size',
    env: 'MAX_BATCH_SIZE',
    defaultText: 'unbounded (limited by max-batch-total-tokens)',
    doc: 'Most requests in one batch.',
  }),
  intKnob('maxNumBatchedTokens', {
    flag: '--max-batch-prefill-tokens',
    env: 'MAX_BATCH_PREFILL_TOKENS',
    defaultText: 'max-input-tokens + 50',
    doc: 'Most prompt tokens prefilled in one step (the chunk size when chunking).',
  }),
  intKnob('maxModelLen', {
    flag: '--max-total-tokens',
    env: 'MAX_TOTAL_TOKENS',
    defaultText: "the model's context length",
    doc: 'Longest prompt + output accepted.',
  }),
  fractionKnob('gpuMemoryUtilization', {
    flag: '--cuda-memory-fraction',
    env: 'CUDA_MEMORY_FRACTION',
    defaultText: '1.0',
    doc: 'Share of GPU memory the server may use.',
  }),
  boolKnob(
    'enablePrefixCaching',
    { env: 'PREFIX_CACHING', defaultText: '1', doc: 'Prefix caching (environment only).' },
    'value',
    { words: ['1', '0'] },
  ),
  cudaGraphs,
  ...['--max-concurrent-requests', '--max-input-tokens', '--max-input-length', '--max-batch-total-tokens']
    .concat(['--max-waiting-tokens', '--waiting-served-ratio', '--hostname', '--port', '--revision'])
    .concat(['--max-best-of', '--max-stop-sequences', '--max-top-n-tokens', '--max-client-batch-size'])
    .concat([
      '--huggingface-hub-cache',
      '--shard-uds-path',
      '--master-port',
      '--rope-scaling',
      '--rope-factor',
    ])
    .map((flag) => passThroughKnob({ flag, env: env(flag), doc: 'Not modelled by ServeTune.' })),
  ...[
    '--sharded',
    '--trust-remote-code',
    '--disable-custom-kernels',
    '--json-output',
    '--disable-grammar-support',
  ].map((flag) => passThroughKnob({ flag, env: env(flag), doc: 'Not modelled by ServeTune.' }, 'switch')),
];

/** text-generation-launcher 3.x: flags, and the environment variable of the same name for each. */
export const TGI_KNOBS: KnobTable = {
  version: '3.3',
  knobs,
  defaults(context) {
    return {
      tp: 1,
      gpuMemoryUtilization: 1,
      enableChunkedPrefill: true,
      enablePrefixCaching: true,
      enforceEager: false,
      ...(context.modelMaxLen ? { maxModelLen: context.modelMaxLen } : {}),
    };
  },
};
