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

const knobs: Knob[] = [
  stringKnob('model', {
    flag: '--model',
    // Dynamo's TensorRT-LLM worker (`python -m dynamo.trtllm`) spells its flags like SGLang's.
    aliases: ['--model-path'],
    yamlPath: ['model'],
    doc: 'Model to serve (also the first argument).',
  }),
  intKnob('tp', {
    flag: '--tp_size',
    aliases: ['--tensor-parallel-size'],
    yamlPath: ['tensor_parallel_size'],
    defaultText: '1',
    doc: 'Tensor parallel degree.',
  }),
  intKnob('pp', {
    flag: '--pp_size',
    aliases: ['--pipeline-parallel-size'],
    yamlPath: ['pipeline_parallel_size'],
    defaultText: '1',
    doc: 'Pipeline parallel degree.',
  }),
  intKnob('ep', {
    flag: '--ep_size',
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
    aliases: ['--free-gpu-memory-fraction'],
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
      defaultText: 'null',
      doc: 'Context (prefill) or generation (decode) side of a disaggregated pair.',
    },
    [
      ['CONTEXT', 'prefill'],
      ['context', 'prefill'],
      ['GENERATION', 'decode'],
      ['generation', 'decode'],
    ],
    // trtllm-serve upper-cases the word itself (ServerRole[name.upper()]); both spellings are in use.
    { lowerCase: false },
  ),
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
    aliases: ['--config', '--extra-engine-args'],
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
      ...(context.modelMaxLen ? { maxModelLen: context.modelMaxLen } : {}),
    };
  },
};
