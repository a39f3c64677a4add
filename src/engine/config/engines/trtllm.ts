import { TRTLLM_KNOBS } from '../knobs/trtllm.js';
import { inFlightBatching } from './in-flight-batching.js';
import type { EngineDescription } from './types.js';

/** TensorRT-LLM 1.0 (PyTorch backend): `trtllm-serve` and its `--extra_llm_api_options` YAML. */
export const TRTLLM = {
  id: 'trtllm',
  displayName: 'TensorRT-LLM',
  launchers: [
    {
      program: 'trtllm-serve',
      subcommand: { word: 'serve', optional: true },
      positionalModel: true,
      routerSubcommands: ['disaggregated'],
    },
    // NVIDIA Dynamo's trtllm worker takes the engine's own flags.
    { pythonModule: 'dynamo.trtllm', positionalModel: false },
  ],
  image: { nameContains: ['tensorrt-llm', 'trtllm', 'tensorrt_llm'], positionalModel: false },
  configFile: {
    knob: 'extra-llm-api-options',
    keys: 'snake-case-paths',
    emits: 'settings-without-flags',
    defaultFileName: 'extra_llm_api_options.yaml',
  },
  knobTable: TRTLLM_KNOBS,
  scheduler: { policyFor: inFlightBatching },
  dataParallelAttention: 'tp-counts-every-gpu',
  // enable_attention_dp with moe_expert_parallel_size 1: moe_tp_size = tp_size (engines/data-parallel-experts.ts).
  dataParallelExperts: 'tensor-parallel',
  multiNode: 'mpi-world',
  checks: {
    gpusMatchPlan: true,
    stepBudgetCoversLimits: true,
    kvBudget: 'share-of-free-memory',
    kvBlockSizes: { allowed: 'any', rule: 'tokens_per_block is not checked here' },
  },
} as const satisfies EngineDescription<'trtllm'>;
