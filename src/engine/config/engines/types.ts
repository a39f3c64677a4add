import { z } from 'zod';
import type { AllToAllBackend } from '../../memory/plan.js';
import type { PolicyName, SchedulerConfig } from '../../sched/config.js';
import type { KnobTable } from '../knobs/types.js';

/**
 * How a launcher's argument parser matches the words of a long flag's name. '-' or '_': only as the
 * parser declares them, words joined by that character (argparse and clap match a flag as written;
 * TensorRT-LLM's click options are declared `--max_batch_size`). 'either': the parser turns `_` into `-`
 * before matching, so both are taken (vLLM's FlexibleArgumentParser).
 */
export const FlagWords = z.enum(['-', '_', 'either']);
export type FlagWords = z.infer<typeof FlagWords>;

/**
 * One way a command line starts the engine. The emitter writes an engine's first launcher, and a
 * container that gives the engine's image only arguments runs it; the readers recognise every one.
 */
export type Launcher = {
  /** Which spellings of a flag's words its parser takes (the rule; the knob table has the names). */
  flagWords: FlagWords;
} & (
  | {
      /** Program file name (`vllm`, `trtllm-serve`), matched whatever directory it is run from. */
      program: string;
      /** The word after the program (`vllm serve`); optional ones are recognised but not written. */
      subcommand?: { word: string; optional: boolean };
      /** Takes the model as its first positional argument (`vllm serve MODEL`). */
      positionalModel: boolean;
      /**
       * Subcommands that start a router pairing servers, not a server (`trtllm-serve disaggregated`):
       * the command is recognised and not read as a server.
       */
      routerSubcommands?: readonly string[];
    }
  | {
      /** Python module run with `python -m` / `--module` (`sglang.launch_server`); written as `python3 -m`. */
      pythonModule: string;
      positionalModel: boolean;
    }
);

/** The YAML file an engine reads its settings from, named by a flag on its command line. */
export interface EngineConfigFile {
  /** Id of the knob whose flag names the file (`config`, `extra-llm-api-options`). */
  knob: string;
  /**
   * flag-names: the keys are the long flag names (`tensor-parallel-size: 4`; vLLM, SGLang).
   * snake-case-paths: nested snake_case keys of the engine's own API, each knob's `yamlPath`
   * (`kv_cache_config: {free_gpu_memory_fraction: …}`; TensorRT-LLM).
   */
  keys: 'flag-names' | 'snake-case-paths';
  /**
   * What the emitter writes in it. every-setting: the same settings as the flags, an alternative to them.
   * settings-without-flags: only what no flag takes, and the command line names the file.
   */
  emits: 'every-setting' | 'settings-without-flags';
  /** The name the emitter gives the file unless told another. */
  defaultFileName: string;
}

/** The step knobs that decide which simulator policy runs an engine's scheduler, and how. */
export interface StepKnobs {
  chunkedPrefill: boolean;
  maxNumBatchedTokens: number;
  /** SGLang's prefill-batch knobs, where set (else the engine's defaults). */
  maxPrefillTokens?: number;
  mixedChunk?: boolean;
  /** SGLang --scheduler-recv-interval, where set. */
  schedulerRecvInterval?: number;
  /** TensorRT-LLM batch waiting, where set (else none). */
  batchWaitIters?: number;
  batchWaitTokensRatio?: number;
}

export type SchedulerPolicyChoice = Pick<
  SchedulerConfig,
  | 'policy'
  | 'maxNumBatchedTokens'
  | 'chunkedPrefillSize'
  | 'maxPrefillTokens'
  | 'mixedChunk'
  | 'schedulerRecvInterval'
  | 'batchWaitIters'
  | 'batchWaitTokensRatio'
>;

/** How the simulator stands in for the engine's scheduler. */
export interface EngineScheduler {
  /**
   * The simulator policy modelled on this engine's own scheduler (vLLM V1, SGLang), where there is one;
   * absent where generic policies stand in for it.
   */
  ownPolicy?: PolicyName;
  /** The policy, step budget and chunk size that run the engine's scheduler with these knobs. */
  policyFor(knobs: StepKnobs, maxModelLen: number): SchedulerPolicyChoice;
}

/** What the config checks need to know of the engine beyond its knobs. */
export interface EngineChecks {
  /**
   * Whether the GPUs a deployment gives one server must match TP × PP × DP. False where the engine shards
   * over every GPU it sees unless told otherwise (TGI's `--num-shard`), so a mismatch is not an error.
   */
  gpusMatchPlan: boolean;
  /**
   * The engine refuses to start when max-num-batched-tokens is below max-num-seqs, or below
   * max-model-len with chunked prefill off (vLLM, TensorRT-LLM).
   */
  stepBudgetCoversLimits: boolean;
  /**
   * What the KV cache is given. share-of-gpu: gpu-memory-utilization of the whole GPU for weights,
   * activations and KV cache (vLLM, TGI). static-share-of-gpu: a share of the whole GPU for weights and
   * KV cache alone, activations and CUDA graphs outside it, chosen at start-up from GPU memory and TP
   * where not given (SGLang's --mem-fraction-static). share-of-free-memory:
   * kv-cache-free-gpu-memory-fraction of what weights and activations leave free (TensorRT-LLM).
   */
  kvBudget: 'share-of-gpu' | 'static-share-of-gpu' | 'share-of-free-memory';
  /** The KV block (page) sizes in tokens the engine starts with ('any': any positive number), and why. */
  kvBlockSizes: { allowed: readonly number[] | 'any'; rule: string };
}

/**
 * Everything ServeTune knows of one serving engine: how it is started, which images run it, the YAML
 * file it reads, its knobs, how the simulator runs its scheduler and what the checks need. Readers,
 * diagnostics, the emitter and the search read this and nothing else.
 */
export interface EngineDescription<Id extends string = string> {
  id: Id;
  /** As people name it (settings pick lists, messages). */
  displayName: string;
  /** Every way a command line starts it; the first is the one the emitter writes. */
  launchers: readonly [Launcher, ...Launcher[]];
  /** Container images that run it, for containers that give only arguments. */
  image: {
    /** An image whose lower-case name contains one of these runs the engine. */
    nameContains: readonly string[];
    /** The image's entrypoint takes the model as its first positional argument. */
    positionalModel: boolean;
  };
  /** Python modules that start the engine's router between servers (`sglang_router.launch_router`). */
  routerModules?: readonly string[];
  /** Programs that start a router between its servers (`vllm-router`): recognised, not read as a server. */
  routerPrograms?: readonly string[];
  /** Its own YAML config file, where it has one (TGI has none). */
  configFile?: EngineConfigFile;
  /** Every knob: flags, YAML keys and environment variables, and the engine's defaults. */
  knobTable: KnobTable;
  scheduler: EngineScheduler;
  checks: EngineChecks;
  /**
   * How attention data parallelism is asked for: tp-counts-every-gpu (SGLang, TensorRT-LLM: `--tp 16
   * --dp 16 --enable-dp-attention` is 16 GPUs, attention TP 1) or tp-per-dp-rank (vLLM: `--data-parallel-size
   * 16 --tensor-parallel-size 1 --enable-expert-parallel`). Absent: the engine has none (TGI).
   */
  dataParallelAttention?: 'tp-counts-every-gpu' | 'tp-per-dp-rank';
  /**
   * How the attention-DP ranks of one server run a MoE model's routed experts where expert parallelism
   * is not asked for: 'tensor-parallel', every GPU of the server a 1/(TP × DP) slice of every expert over
   * the tokens of all the ranks, which step together (Plan.moeTensorParallel; engines/data-parallel-experts.ts
   * cites each engine). Absent: not modelled (the ranks are read as independent replicas).
   */
  dataParallelExperts?: 'tensor-parallel';
  /**
   * The expert-parallel sizes a server can run: 'whole-server', EP on or off over all its TP × DP GPUs
   * (vLLM: `--enable-expert-parallel` has no size; FusedMoEParallelConfig.make sets ep_size = dp × tp),
   * so EP inside part of a TP group (TP8 × EP2) cannot be asked for. Absent: any EP dividing TP.
   */
  expertParallelSizes?: 'whole-server';
  /**
   * The MoE all-to-all kernels the engine is run with for wide expert parallelism (EP over attention-DP
   * ranks), by the server's role: what the search simulates and emits (its knobs carry the flags).
   * Absent: the engine's own default, simulated as NCCL.
   */
  wideExpertParallelAllToAll?: {
    colocated: AllToAllBackend;
    prefill: AllToAllBackend;
    decode: AllToAllBackend;
  };
  /**
   * How one server spanning several nodes is started: by flags on each node's command (SGLang, vLLM;
   * engines/multi-node.ts), as one MPI world from one place (TensorRT-LLM: mpirun or Slurm srun around
   * trtllm-llmapi-launch), or not at all (TGI serves from one node).
   */
  multiNode: 'per-node-flags' | 'mpi-world' | 'none';
  /**
   * The engine's parser takes an unambiguous prefix of a long flag as that flag (Python argparse's
   * `allow_abbrev`, on unless turned off): there `--max-num-seq 64` sets --max-num-seqs, while ServeTune
   * reads whole names only. Absent: a prefix is an unknown flag.
   */
  flagPrefixes?: true;
  /**
   * The engine's parser refuses a flag given twice on one command line (clap 4 without
   * `args_override_self`: "cannot be used multiple times"). Absent: the last one given wins (argparse,
   * click).
   */
  refusesRepeatedFlags?: true;
}
