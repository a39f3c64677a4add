import { VLLM_KNOBS } from '../knobs/vllm.js';
import type { EngineDescription } from './types.js';

/** vLLM ≥ 0.8 (V1 engine), its OpenAI-compatible server and `--config` YAML. */
export const VLLM = {
  id: 'vllm',
  displayName: 'vLLM',
  // vllm-project/vllm vllm/utils/argparse_utils.py @ 00da11e3: FlexibleArgumentParser.parse_args turns
  // `_` into `-` in every `--name` (up to a `.`) before argparse matches it: `--max_num_seqs` is taken.
  launchers: [
    {
      program: 'vllm',
      subcommand: { word: 'serve', optional: false },
      positionalModel: true,
      flagWords: 'either',
    },
    { pythonModule: 'vllm.entrypoints.openai.api_server', positionalModel: false, flagWords: 'either' },
    // NVIDIA Dynamo's vllm worker takes the engine's own flags (taken as vLLM's parser takes them).
    { pythonModule: 'dynamo.vllm', positionalModel: false, flagWords: 'either' },
  ],
  // vllm-project/router: pairs prefill and decode servers (`--vllm-pd-disaggregation`).
  routerPrograms: ['vllm-router'],
  // vllm/vllm-openai's entrypoint is `vllm serve`.
  image: { nameContains: ['vllm'], positionalModel: true },
  configFile: {
    knob: 'config',
    keys: 'flag-names',
    emits: 'every-setting',
    defaultFileName: 'config.yaml',
  },
  knobTable: VLLM_KNOBS,
  scheduler: {
    ownPolicy: 'vllm-v1',
    policyFor: (knobs) => ({
      policy: knobs.chunkedPrefill ? 'vllm-v1' : 'vllm-v0',
      maxNumBatchedTokens: knobs.maxNumBatchedTokens,
    }),
  },
  dataParallelAttention: 'tp-per-dp-rank',
  // --data-parallel-size without --enable-expert-parallel on a MoE model: the experts form one TP group
  // of DP × TP GPUs (engines/data-parallel-experts.ts).
  dataParallelExperts: 'tensor-parallel',
  // "The EP size is automatically calculated" as TP × DP (docs/serving/expert_parallel_deployment.md):
  // vllm/model_executor/layers/fused_moe/config.py FusedMoEParallelConfig.make, `ep_size = tp_size`
  // after flattening TP across DP.
  expertParallelSizes: 'whole-server',
  // DeepEP as the engine's large-scale EP deployments run it (low-latency kernels for decode, normal for prefill).
  wideExpertParallelAllToAll: {
    colocated: 'deepep-low-latency',
    prefill: 'deepep-normal',
    decode: 'deepep-low-latency',
  },
  multiNode: 'per-node-flags',
  // vllm-project/vllm vllm/utils/argparse_utils.py @ c836a6fe: FlexibleArgumentParser subclasses
  // argparse.ArgumentParser and never passes allow_abbrev, which CPython defaults to True.
  flagPrefixes: true,
  checks: {
    gpusMatchPlan: true,
    stepBudgetCoversLimits: true,
    kvBudget: 'share-of-gpu',
    // vLLM's BlockSize is 1, 8, 16, 32, 64 or 128; FlashAttention, the CUDA default, takes multiples of 16.
    kvBlockSizes: {
      allowed: [16, 32, 64, 128],
      rule: "--block-size must be one of vLLM's block sizes that its CUDA attention backend (FlashAttention) takes",
    },
  },
} as const satisfies EngineDescription<'vllm'>;
