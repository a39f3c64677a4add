import type { MoeBackend } from '../../perf/moe-backend.js';
import { overlapAwayFromDefault, type ServingEngineInput } from '../../perf/serving-engine.js';
import type { PartialServingSettings } from '../serving-settings.js';

/**
 * The engine behaviours that change step time and that both a config file and the CLI can set: the
 * flags `servingEngineFor` takes. Each engine's knob table says how its files spell them.
 */
export interface EngineBehaviour {
  /** NCCL's all-reduce instead of the engine's own kernel. */
  disableCustomAllReduce?: boolean;
  /** No CUDA graphs. */
  enforceEager?: boolean;
  /** The overlap scheduler on or off as set; absent: the engine and version's default. */
  overlapScheduling?: boolean;
  /** The MoE kernel the launch selects; absent: the engine's default for the GPU. */
  moeBackend?: MoeBackend;
  /** SGLang's nvfp4 DeepEP dispatch (SGLANG_MOE_NVFP4_DISPATCH=1). */
  nvfp4Dispatch?: boolean;
  /** SGLang's q_b_proj in block-scaled fp8 (SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1). */
  fp8QBProj?: boolean;
}

/** What a config's settings ask of the engine's behaviour (only what they set). */
export function engineBehaviourOf(settings: PartialServingSettings): EngineBehaviour {
  return {
    ...(settings.disableCustomAllReduce ? { disableCustomAllReduce: true } : {}),
    ...(settings.enforceEager ? { enforceEager: true } : {}),
    ...(settings.overlapScheduling !== undefined ? { overlapScheduling: settings.overlapScheduling } : {}),
    ...(settings.moeBackend ? { moeBackend: settings.moeBackend } : {}),
    ...(settings.nvfp4Dispatch ? { nvfp4Dispatch: true } : {}),
    ...(settings.fp8QBProj ? { fp8QBProj: true } : {}),
  };
}

/**
 * The CLI's flags over a file's: a switch the CLI turns on stays on; `--disable-overlap-scheduling`
 * wins over the file's overlap setting, `--moe-backend` over the file's MoE backend.
 */
export function mergeEngineBehaviour(
  file: EngineBehaviour,
  cli: EngineBehaviour & { disableOverlapScheduling?: boolean },
): EngineBehaviour {
  const overlap = cli.disableOverlapScheduling ? false : (cli.overlapScheduling ?? file.overlapScheduling);
  return {
    ...(cli.disableCustomAllReduce || file.disableCustomAllReduce ? { disableCustomAllReduce: true } : {}),
    ...(cli.enforceEager || file.enforceEager ? { enforceEager: true } : {}),
    ...(overlap !== undefined ? { overlapScheduling: overlap } : {}),
    ...(cli.moeBackend || file.moeBackend ? { moeBackend: cli.moeBackend ?? file.moeBackend } : {}),
    ...(cli.nvfp4Dispatch || file.nvfp4Dispatch ? { nvfp4Dispatch: true } : {}),
    ...(cli.fp8QBProj || file.fp8QBProj ? { fp8QBProj: true } : {}),
  };
}

/**
 * The serving settings that run an engine the way a prediction timed it, only where it differs from the
 * engine's default (absent means default): what the emitter writes with a searched configuration.
 */
export function engineBehaviourSettings(engine: ServingEngineInput | undefined): PartialServingSettings {
  if (!engine) return {};
  const overlap = overlapAwayFromDefault(engine);
  return {
    ...(engine.customAllReduce === false ? { disableCustomAllReduce: true } : {}),
    ...(engine.cudaGraphs === false ? { enforceEager: true } : {}),
    ...(overlap !== undefined ? { overlapScheduling: overlap } : {}),
    ...(engine.moeBackend ? { moeBackend: engine.moeBackend } : {}),
    ...(engine.nvfp4Dispatch ? { nvfp4Dispatch: true } : {}),
    ...(engine.fp8QBProj ? { fp8QBProj: true } : {}),
  };
}
