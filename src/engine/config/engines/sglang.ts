import { SGLANG_KNOBS } from '../knobs/sglang.js';
import type { EngineDescription } from './types.js';

/** SGLang ~0.4 / 0.5: `python -m sglang.launch_server` and its `--config` YAML. */
export const SGLANG = {
  id: 'sglang',
  displayName: 'SGLang',
  // sgl-project/sglang python/sglang/srt/server_args.py @ 001067ff: prepare_server_args parses with a
  // plain argparse.ArgumentParser, and arg_groups/arg_utils.py @ 0116c606 declares each flag as
  // `--` + the field name with `_` turned into `-` (`--max-running-requests`), with no `_` alias:
  // `--max_running_requests` is an unrecognized argument.
  launchers: [
    { pythonModule: 'sglang.launch_server', positionalModel: false, flagWords: '-' },
    // SGLang ≥ 0.5.3: `sglang serve --model-path …` takes the same flags.
    {
      program: 'sglang',
      subcommand: { word: 'serve', optional: false },
      positionalModel: false,
      flagWords: '-',
    },
    // NVIDIA Dynamo's sglang worker takes the engine's own flags.
    { pythonModule: 'dynamo.sglang', positionalModel: false, flagWords: '-' },
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
  // sgl-project/sglang python/sglang/srt/server_args.py @ 001067ff: prepare_server_args builds
  // argparse.ArgumentParser(prog="sglang serve") without allow_abbrev, which CPython defaults to True.
  flagPrefixes: true,
  checks: {
    gpusMatchPlan: true,
    stepBudgetCoversLimits: false,
    kvBudget: 'static-share-of-gpu',
    kvBlockSizes: { allowed: 'any', rule: '--page-size takes any number of tokens (default 1)' },
  },
} as const satisfies EngineDescription<'sglang'>;
