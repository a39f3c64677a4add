import { z } from 'zod';
import { DEFAULT_ENGINE, EngineId } from '../engine/config/engines/index.js';
import { isEngineBackend } from '../engine/opdb/systems.js';
import { engineHasMoeBackend, MoeBackend } from '../engine/perf/moe-backend.js';
import {
  type ServingEngine,
  servingEngineBehaviour,
  servingEngineFor,
} from '../engine/perf/serving-engine.js';
import type { ChartEngine } from '../engine/protocol/webview.js';
import { isServeTuneError } from '../engine/util/errors.js';

/**
 * The settings that say which engine times the editor's runs, and how (as `--engine`, `--moe-backend`,
 * `--nvfp4-dispatch`), as package.json contributes them: a malformed value reads as the default.
 */
export const EngineSettingsSchema = z.object({
  engineFlavour: EngineId.catch(DEFAULT_ENGINE),
  /** The engine version predicted ('' : the newest measured). */
  engineVersion: z.string().trim().catch(''),
  /**
   * The MoE kernel the engine's launch selects (`--moe-backend`); '' or anything else: the engine's
   * default for the GPU.
   */
  moeBackend: MoeBackend.optional().catch(undefined),
  /**
   * SGLang's nvfp4 DeepEP dispatch (`--nvfp4-dispatch`, SGLANG_MOE_NVFP4_DISPATCH=1); anything but `true`:
   * off, SGLang's default.
   */
  nvfp4Dispatch: z.boolean().catch(false),
});

/** The engine settings, read with `get` (a `servetune` WorkspaceConfiguration's, or a test's). */
export function readEngineSettings(get: (key: string) => unknown): z.output<typeof EngineSettingsSchema> {
  return EngineSettingsSchema.parse({
    engineFlavour: get('engineFlavour'),
    engineVersion: get('engineVersion'),
    moeBackend: get('moeBackend') || undefined,
    nvfp4Dispatch: get('nvfp4Dispatch'),
  });
}

/** The engine settings as the functions below take them (absent options: the engine's defaults). */
export interface EngineSettings {
  engineFlavour: EngineId;
  /** '' : the newest measured version. */
  engineVersion: string;
  moeBackend?: MoeBackend;
  nvfp4Dispatch?: boolean;
}

/**
 * The engine fields of a `plans` request: the engine whose layout of the weights in memory counts (vLLM's
 * mxfp4 experts, perf/expert-weight-layout.ts) and the MoE backend where set.
 */
export function plansEngineInput(settings: EngineSettings): { engine: EngineId; moeBackend?: MoeBackend } {
  const moeBackend = settings.moeBackend;
  return {
    engine: settings.engineFlavour,
    ...(moeBackend &&
    isEngineBackend(settings.engineFlavour) &&
    engineHasMoeBackend(settings.engineFlavour, moeBackend)
      ? { moeBackend }
      : {}),
  };
}

/**
 * The engine fields of a `search` or `planCapacity` request (`SearchAsked`, zod-validated by the
 * worker): the engine, its version where set, the MoE backend where set and the nvfp4 dispatch where on.
 */
export function searchEngineInput(settings: EngineSettings): {
  engine: EngineId;
  engineVersion?: string;
  moeBackend?: MoeBackend;
  nvfp4Dispatch?: true;
} {
  return {
    engine: settings.engineFlavour,
    ...(settings.engineVersion ? { engineVersion: settings.engineVersion } : {}),
    ...(settings.moeBackend ? { moeBackend: settings.moeBackend } : {}),
    ...(settings.nvfp4Dispatch ? { nvfp4Dispatch: true as const } : {}),
  };
}

/**
 * The serving engine of a `simulate` request: the engine and version the settings name, with their MoE
 * backend and nvfp4 dispatch. Undefined for an engine without measured tables (TGI: roofline). An option
 * the engine does not have is a ServeTuneError saying whose it is.
 */
export function servingEngineOfSettings(settings: EngineSettings): ServingEngine | undefined {
  return servingEngineFor(
    { id: settings.engineFlavour, ...(settings.engineVersion ? { version: settings.engineVersion } : {}) },
    {
      ...(settings.moeBackend ? { moeBackend: settings.moeBackend } : {}),
      ...(settings.nvfp4Dispatch ? { nvfp4Dispatch: true } : {}),
    },
  );
}

/**
 * The engine the settings time the next run with, named as the Pareto panel names the one that timed
 * its points (`vllm@0.19 · MoE marlin`). An option the engine lacks is named with the refusal runs get
 * (`MoE marlin: refused (sglang has none)`), after what the engine runs with the others.
 */
export function chartEngineOfSettings(settings: EngineSettings): ChartEngine {
  const name = settings.engineVersion
    ? `${settings.engineFlavour}@${settings.engineVersion}`
    : settings.engineFlavour;
  const moeRefused = refuses(settings, { moeBackend: settings.moeBackend });
  const dispatchRefused = refuses(settings, { nvfp4Dispatch: settings.nvfp4Dispatch });
  const engine = servingEngineOfSettings({
    ...settings,
    moeBackend: moeRefused ? undefined : settings.moeBackend,
    nvfp4Dispatch: dispatchRefused ? undefined : settings.nvfp4Dispatch,
  });
  const refusedBy = `refused (${settings.engineFlavour} has none)`;
  return {
    name,
    behaviour: [
      ...(engine ? servingEngineBehaviour(engine) : []),
      ...(moeRefused ? [`MoE ${settings.moeBackend}: ${refusedBy}`] : []),
      ...(dispatchRefused ? [`nvfp4 dispatch: ${refusedBy}`] : []),
    ],
  };
}

/** Whether the settings' engine refuses `option` (servingEngineFor's rule, the one runs meet). */
function refuses(settings: EngineSettings, option: Pick<EngineSettings, 'moeBackend' | 'nvfp4Dispatch'>) {
  try {
    servingEngineOfSettings({
      engineFlavour: settings.engineFlavour,
      engineVersion: settings.engineVersion,
      ...option,
    });
    return false;
  } catch (error) {
    if (!isServeTuneError(error)) throw error;
    return true;
  }
}

/**
 * The MoE backend a config file's block is predicted, tuned and simulated with: the setting (like
 * `--moe-backend`, over the file's own) where the block's engine has that backend; a block of another
 * engine keeps its file's, so one workspace setting does not refuse every other engine's files. The
 * CodeLens names the backend where it applies (`MoE marlin`).
 */
export function moeBackendForBlock(
  settings: Pick<EngineSettings, 'moeBackend'>,
  blockEngine: string | null,
): { moeBackend?: MoeBackend } {
  const backend = settings.moeBackend;
  if (!backend || !blockEngine || !isEngineBackend(blockEngine)) return {};
  return engineHasMoeBackend(blockEngine, backend) ? { moeBackend: backend } : {};
}

/**
 * The nvfp4 dispatch a config file's block is predicted, tuned and simulated with: the setting (like
 * `--nvfp4-dispatch`, over the file's own) for an SGLang block, the only engine that has it; a block of
 * another engine keeps its file's. The CodeLens names it where it applies (`nvfp4 dispatch`).
 */
export function nvfp4DispatchForBlock(
  settings: Pick<EngineSettings, 'nvfp4Dispatch'>,
  blockEngine: string | null,
): { nvfp4Dispatch?: true } {
  if (!settings.nvfp4Dispatch || !blockEngine || !isEngineBackend(blockEngine)) return {};
  const engine = { engineFlavour: blockEngine, engineVersion: '' };
  return refuses(engine, { nvfp4Dispatch: true }) ? {} : { nvfp4Dispatch: true };
}
