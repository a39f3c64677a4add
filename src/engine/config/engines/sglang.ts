import { SGLANG_KNOBS } from '../knobs/sglang.js';
import type { EngineDescription } from './types.js';

/** SGLang ~0.4 / 0.5: `python -m sglang.launch_server` and its `--config` YAML. */
export const SGLANG = {
  id: 'sglang',
  displayName: 'SGLang',
  launchers: [
    { pythonModule: 'sglang.launch_server', positionalModel: false },
    // SGLang ≥ 0.5.3: `sglang serve --model-path …` takes the same flags.
    { program: 'sglang', subcommand: { word: 'serve', optional: false }, positionalModel: false },
    // NVIDIA Dynamo's sglang worker takes the engine's own flags.
    { pythonModule: 'dynamo.sglang', positionalModel: false },
  ],
  image: { nameContains: ['sglang'], positionalModel: false },
  routerModules: ['sglang_router.launch_router'],
  configFile: {
    knob: 'config',
    keys: 'flag-names',
    emits: 'every-setting',
    defaultFileName: 'config.yaml',
  },
  knobTable: SGLANG_KNOBS,
  scheduler: {
    ownPolicy: 'sglang',
    // Chunked prefill off: a whole prompt fits one chunk.
    policyFor: (knobs, maxModelLen) => ({
      policy: 'sglang',
      maxNumBatchedTokens: knobs.maxNumBatchedTokens,
      chunkedPrefillSize: knobs.chunkedPrefill
        ? knobs.maxNumBatchedTokens
        : Math.max(maxModelLen, knobs.maxNumBatchedTokens),
      ...(knobs.maxPrefillTokens !== undefined ? { maxPrefillTokens: knobs.maxPrefillTokens } : {}),
      ...(knobs.mixedChunk !== undefined ? { mixedChunk: knobs.mixedChunk } : {}),
      ...(knobs.schedulerRecvInterval !== undefined
        ? { schedulerRecvInterval: knobs.schedulerRecvInterval }
        : {}),
    }),
  },
  dataParallelAttention: 'tp-counts-every-gpu',
  // DeepEP as the engine's large-scale EP deployments run it (low-latency kernels for decode, normal for prefill).
  wideExpertParallelAllToAll: {
    colocated: 'deepep-auto',
    prefill: 'deepep-normal',
    decode: 'deepep-low-latency',
  },
  multiNode: 'per-node-flags',
  checks: {
    gpusMatchPlan: true,
    stepBudgetCoversLimits: false,
    kvBudget: 'static-share-of-gpu',
    kvBlockSizes: { allowed: 'any', rule: '--page-size takes any number of tokens (default 1)' },
  },
} as const satisfies EngineDescription<'sglang'>;
