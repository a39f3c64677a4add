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
      // NVIDIA/TensorRT-LLM tensorrt_llm/commands/serve.py @ 00209af1 declares its click options with `_`
      // (`--max_batch_size`, `--tp_size`) and sets no token_normalize_func; click matches a long option
      // exactly (pallets/click src/click/parser.py @ a141a2a1, _match_long_opt): `--max-batch-size` is
      // "No such option".
      flagWords: '_',
    },
    // NVIDIA Dynamo's trtllm worker takes the engine's settings under argparse flags spelt with `-`
    // (ai-dynamo/dynamo components/src/dynamo/trtllm/backend_args.py @ b6c87336: `--max-batch-size`,
    // `--tensor-parallel-size`), which argparse matches as written.
    { pythonModule: 'dynamo.trtllm', positionalModel: false, flagWords: '-' },
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
