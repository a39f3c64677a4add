import { trtllmBatchWaitIters, trtllmBatchWaitTokensRatio } from './batch-wait.js';
import { trtllmMoeBackend } from './moe-backend.js';
import { trtllmSpeculationKnobs } from './speculation.js';
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

/*
 * Engine behaviours that change step time (perf/serving-engine.ts), LLM API options of the PyTorch backend
 * (TorchLlmArgs in tensorrt_llm/llmapi/llm_args.py, 1.0 and later; source shown at
 * https://nvidia.github.io/TensorRT-LLM/1.3.0rc7/_modules/tensorrt_llm/llmapi/llm_args.html):
 * - `cuda_graph_config: Optional[CudaGraphConfig] = Field(default_factory=CudaGraphConfig)`: CUDA graphs
 *   are on unless the option is null (`use_cuda_graph=bool(self.cuda_graph_config is not None)`);
 * - `disable_overlap_scheduler: bool = Field(default=False)`;
 * - `allreduce_strategy: Literal['AUTO', 'NCCL', 'UB', 'MINLATENCY', 'ONESHOT', 'TWOSHOT', 'LOWPRECISION',
 *   'MNNVL', …] = 'AUTO'`: NCCL (and NCCL_SYMMETRIC, NCCL with symmetric memory) is NCCL's all-reduce,
 *   every other strategy TensorRT-LLM's own kernels.
 */

/** `cuda_graph_config`: a map of graph settings (graphs on), or null (eager). */
const cudaGraphConfig: Knob = {
  id: 'cuda-graph-config',
  yamlPath: ['cuda_graph_config'],
  kind: 'value',
  type: 'map',
  settings: ['enforceEager'],
  defaultText: '{} (CUDA graphs on)',
  doc: 'CUDA graph settings; null runs without CUDA graphs.',
  read(raw) {
    if (typeof raw !== 'string') return 'expected a map of CUDA graph settings, or null';
    const text = raw.trim();
    if (text === '' || text === 'null' || text === '~') return { enforceEager: true };
    if (text.startsWith('{')) return { enforceEager: false };
    return `expected a map of CUDA graph settings, or null, got '${raw}'`;
  },
  // Graphs on is the default (absent); only eager is written.
  write: (settings) => (settings.enforceEager === true ? 'null' : undefined),
};

const NCCL_STRATEGIES = ['NCCL', 'NCCL_SYMMETRIC'];
const CUSTOM_STRATEGIES = ['AUTO', 'UB', 'MINLATENCY', 'ONESHOT', 'TWOSHOT', 'LOWPRECISION', 'MNNVL'];

/** `allreduce_strategy`: NCCL's all-reduce or one of TensorRT-LLM's own kernels. */
const allreduceStrategy: Knob = {
  id: 'allreduce-strategy',
  yamlPath: ['allreduce_strategy'],
  kind: 'value',
  type: 'string',
  settings: ['disableCustomAllReduce'],
  defaultText: 'AUTO',
  doc: "All-reduce kernel: NCCL is NCCL's, the others TensorRT-LLM's own.",
  read(raw) {
    const word = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
    if (NCCL_STRATEGIES.includes(word)) return { disableCustomAllReduce: true };
    if (CUSTOM_STRATEGIES.includes(word)) return { disableCustomAllReduce: false };
    return `expected one of ${[...CUSTOM_STRATEGIES, ...NCCL_STRATEGIES].join(', ')}, got '${String(raw)}'`;
  },
  // AUTO, the default, is left out.
  write: (settings) => (settings.disableCustomAllReduce === true ? 'NCCL' : undefined),
};

/*
 * `flag` is trtllm-serve's (click options declared with `_`, tensorrt_llm/commands/serve.py @ 00209af1);
 * `launcherFlags['dynamo.trtllm']` is Dynamo's TensorRT-LLM worker's where it names the knob otherwise
 * (argparse flags with `-`: ai-dynamo/dynamo components/src/dynamo/trtllm/backend_args.py @ 0a6a115c,
 * `--tensor-parallel-size`, `--pipeline-parallel-size`, `--expert-parallel-size`,
 * `--free-gpu-memory-fraction`, `--extra-engine-args`, `--disaggregation-mode`; its `--max-batch-size`,
 * `--max-num-tokens` and `--max-seq-len` are trtllm-serve's words rejoined, `Launcher.flagWords`).
 */
const DYNAMO = 'dynamo.trtllm';

const knobs: Knob[] = [
  stringKnob('model', {
    flag: '--model',
    // Dynamo's worker names it `--model` and still takes `--model-path`, its earlier name (obsolete_flag).
    launcherFlags: { [DYNAMO]: '--model-path' },
    yamlPath: ['model'],
    doc: 'Model to serve (also the first argument).',
  }),
  intKnob('tp', {
    flag: '--tp_size',
    launcherFlags: { [DYNAMO]: '--tensor-parallel-size' },
    yamlPath: ['tensor_parallel_size'],
    defaultText: '1',
    doc: 'Tensor parallel degree.',
  }),
  intKnob('pp', {
    flag: '--pp_size',
    launcherFlags: { [DYNAMO]: '--pipeline-parallel-size' },
    yamlPath: ['pipeline_parallel_size'],
    defaultText: '1',
    doc: 'Pipeline parallel degree.',
  }),
  intKnob('ep', {
    flag: '--ep_size',
    launcherFlags: { [DYNAMO]: '--expert-parallel-size' },
    yamlPath: ['moe_expert_parallel_size'],
    defaultText: '1',
    doc: 'Expert parallel degree.',
  }),
  intKnob('maxNumSeqs', {
    flag: '--max_batch_size',
    yamlPath: ['max_batch_size'],
    defaultText: '2048',
    doc: 'Most requests in one batch.',
  }),
  intKnob('maxNumBatchedTokens', {
    flag: '--max_num_tokens',
    yamlPath: ['max_num_tokens'],
    defaultText: '8192',
    doc: 'Most tokens in one step.',
  }),
  intKnob('maxModelLen', {
    flag: '--max_seq_len',
    yamlPath: ['max_seq_len'],
    defaultText: "the model's context length",
    doc: 'Longest prompt + output accepted.',
  }),
  fractionKnob('kvCacheFreeMemoryFraction', {
    flag: '--kv_cache_free_gpu_memory_fraction',
    launcherFlags: { [DYNAMO]: '--free-gpu-memory-fraction' },
    yamlPath: ['kv_cache_config', 'free_gpu_memory_fraction'],
    defaultText: '0.9',
    doc: 'Share of the memory left after weights that the KV cache takes.',
  }),
  boolKnob(
    'enableChunkedPrefill',
    { yamlPath: ['enable_chunked_prefill'], defaultText: 'false', doc: 'Split long prompts over steps.' },
    'value',
  ),
  boolKnob(
    'enablePrefixCaching',
    {
      yamlPath: ['kv_cache_config', 'enable_block_reuse'],
      defaultText: 'true',
      doc: 'Reuse KV blocks of shared prefixes.',
    },
    'value',
  ),
  intKnob('blockSize', {
    yamlPath: ['kv_cache_config', 'tokens_per_block'],
    defaultText: '32',
    doc: 'Tokens per KV cache block.',
  }),
  enumKnob('dtype', { yamlPath: ['dtype'], defaultText: 'auto', doc: 'Weight and activation dtype.' }, [
    ['auto', 'auto'],
    ['bfloat16', 'bf16'],
    ['float16', 'fp16'],
    ['float32', 'fp32'],
  ]),
  enumKnob(
    'kvCacheDtype',
    { yamlPath: ['kv_cache_config', 'dtype'], defaultText: 'auto', doc: 'KV cache dtype.' },
    [
      ['auto', 'auto'],
      ['fp8', 'fp8'],
      ['nvfp4', 'fp4'],
    ],
  ),
  boolKnob(
    'dpAttention',
    {
      yamlPath: ['enable_attention_dp'],
      defaultText: 'false',
      doc: 'Attention data parallel over the TP ranks (each its own requests); experts over moe_expert_parallel_size.',
    },
    'value',
  ),
  enumKnob(
    'disaggregationMode',
    {
      flag: '--server_role',
      launcherFlags: { [DYNAMO]: '--disaggregation-mode' },
      defaultText: 'null',
      doc: 'Context (prefill) or generation (decode) side of a disaggregated pair.',
    },
    [
      ['CONTEXT', 'prefill'],
      ['context', 'prefill'],
      ['GENERATION', 'decode'],
      ['generation', 'decode'],
      // Dynamo's `--disaggregation-mode` words.
      ['prefill', 'prefill'],
      ['decode', 'decode'],
    ],
    // trtllm-serve upper-cases the word itself (ServerRole[name.upper()]); both spellings are in use.
    { lowerCase: false },
  ),
  cudaGraphConfig,
  boolKnob(
    'overlapScheduling',
    {
      yamlPath: ['disable_overlap_scheduler'],
      defaultText: 'false (the overlap scheduler runs)',
      doc: 'Schedule step by step instead of preparing the next step while the GPU runs this one.',
    },
    'value',
    { invert: true },
  ),
  allreduceStrategy,
  trtllmMoeBackend,
  trtllmBatchWaitIters,
  trtllmBatchWaitTokensRatio,
  ...trtllmSpeculationKnobs,
  ...[
    '--host',
    '--port',
    '--backend',
    '--tokenizer',
    '--log_level',
    '--gpus_per_node',
    '--extra_llm_api_options',
  ]
    .concat(['--num_postprocess_workers', '--reasoning_parser', '--metadata_server_config_file'])
    .map((flag) => passThroughKnob({ flag, doc: 'Not modelled by ServeTune.' })),
  passThroughKnob({
    flag: '--extra_llm_api_options',
    // TensorRT-LLM ≥ 1.1 spells it `--config` too.
    aliases: ['--config'],
    launcherFlags: { [DYNAMO]: '--extra-engine-args' },
    doc: 'YAML file of LLM API options (the settings without a flag).',
  }),
  ...['--trust_remote_code'].map((flag) =>
    passThroughKnob({ flag, doc: 'Not modelled by ServeTune.' }, 'switch'),
  ),
];

/**
 * `trtllm-serve` (PyTorch backend, TensorRT-LLM 1.0) and its `--extra_llm_api_options` YAML, whose keys are
 * the LLM API's argument names, not the flags.
 */
export const TRTLLM_KNOBS: KnobTable = {
  version: '1.0',
  knobs,
  defaults(context) {
    return {
      tp: 1,
      pp: 1,
      ep: 1,
      maxNumSeqs: 2048,
      maxNumBatchedTokens: 8192,
      kvCacheFreeMemoryFraction: 0.9,
      enableChunkedPrefill: false,
      enablePrefixCaching: true,
      blockSize: 32,
      dtype: 'auto',
      kvCacheDtype: 'auto',
      enforceEager: false,
      overlapScheduling: true,
      disableCustomAllReduce: false,
      ...(context.modelMaxLen ? { maxModelLen: context.modelMaxLen } : {}),
    };
  },
};
