import type { EngineId } from '../engine/config/engines/index.js';
import { isEngineBackend } from '../engine/opdb/systems.js';
import { MOE_BACKEND_FACTS, MOE_BACKENDS, type MoeBackend } from '../engine/perf/moe-backend.js';

/** One line of the "Choose MoE Backend" pick: what it writes to `servetune.moeBackend` ('' : default). */
export interface MoeBackendChoice {
  /** The setting's value: a backend, or '' for the engine's default. */
  value: MoeBackend | '';
  label: string;
  /** How the engine's launch selects it (its flag, config key or environment variable). */
  description: string;
  /** What it runs, in one line. */
  detail: string;
  /** The value the setting has now. */
  current: boolean;
}

/**
 * The MoE backends `engine` defines (MOE_BACKEND_FACTS, the engine's own list: the backends whose facts
 * name it, in MOE_BACKENDS order), after the engine's default, each with how its launch selects it and
 * what it runs. An engine without measured MoE tables (TGI) has none: an empty list.
 */
export function moeBackendChoices(engine: EngineId, current: MoeBackend | undefined): MoeBackendChoice[] {
  if (!isEngineBackend(engine)) return [];
  const backends = MOE_BACKENDS.flatMap((backend) => {
    const selectedBy = MOE_BACKEND_FACTS[backend].engines[engine];
    if (selectedBy === undefined) return [];
    const choice: MoeBackendChoice = {
      value: backend,
      label: backend,
      description: selectedBy,
      detail: MOE_BACKEND_FACTS[backend].summary,
      current: current === backend,
    };
    return [choice];
  });
  const engineDefault: MoeBackendChoice = {
    value: '',
    label: 'Engine default',
    description: `${engine} picks the kernel for the GPU and format`,
    detail: "the kernel the measured tables timed: what the engine's launch runs without a MoE setting",
    current: current === undefined,
  };
  return [engineDefault, ...backends];
}
