import type { EngineId } from '../engine/config/engines/index.js';
import { isEngineBackend } from '../engine/opdb/systems.js';
import { engineHasMoeBackend, type MoeBackend } from '../engine/perf/moe-backend.js';
import {
  type ServingEngine,
  servingEngineBehaviour,
  servingEngineFor,
} from '../engine/perf/serving-engine.js';
import type { ChartEngine } from '../engine/protocol/webview.js';
import { isServeTuneError } from '../engine/util/errors.js';

/** The settings that say which engine times the editor's runs, and how (as `--engine`, `--moe-backend`). */
export interface EngineSettings {
  engineFlavour: EngineId;
  /** '' : the newest measured version. */
  engineVersion: string;
  moeBackend?: MoeBackend;
}

/**
 * The engine fields of a `search` or `planCapacity` request (`SearchAsked`, zod-validated by the
 * worker): the engine, its version where set and the MoE backend where set.
 */
export function searchEngineInput(settings: EngineSettings): {
  engine: EngineId;
  engineVersion?: string;
  moeBackend?: MoeBackend;
} {
  return {
    engine: settings.engineFlavour,
    ...(settings.engineVersion ? { engineVersion: settings.engineVersion } : {}),
    ...(settings.moeBackend ? { moeBackend: settings.moeBackend } : {}),
  };
}

/**
 * The serving engine of a `simulate` request: the engine and version the settings name, with their MoE
 * backend. Undefined for an engine without measured tables (TGI: roofline). A backend the engine does
 * not have is a ServeTuneError saying whose it is.
 */
export function servingEngineOfSettings(settings: EngineSettings): ServingEngine | undefined {
  return servingEngineFor(
    { id: settings.engineFlavour, ...(settings.engineVersion ? { version: settings.engineVersion } : {}) },
    settings.moeBackend ? { moeBackend: settings.moeBackend } : {},
  );
}

/**
 * The engine the settings time the next run with, named as the Pareto panel names the one that timed
 * its points (`vllm@0.19 · MoE marlin`). A backend the engine lacks is named with the refusal runs get.
 */
export function chartEngineOfSettings(settings: EngineSettings): ChartEngine {
  const name = settings.engineVersion
    ? `${settings.engineFlavour}@${settings.engineVersion}`
    : settings.engineFlavour;
  try {
    const engine = servingEngineOfSettings(settings);
    return { name, behaviour: engine ? servingEngineBehaviour(engine) : [] };
  } catch (error) {
    if (!isServeTuneError(error)) throw error;
    return { name, behaviour: [`MoE ${settings.moeBackend}: refused (${settings.engineFlavour} has none)`] };
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
