import { z } from 'zod';
import type { PolicyName } from '../../sched/config.js';
import { SGLANG } from './sglang.js';
import { TGI } from './tgi.js';
import { TRTLLM } from './trtllm.js';
import type { EngineDescription, Launcher } from './types.js';
import { VLLM } from './vllm.js';

export * from './types.js';
export * from './versions.js';

/**
 * Every serving engine ServeTune reads, checks, emits and searches for, in the order they are listed and
 * tried. The engine ids are this object's keys: adding one means adding its whole description.
 */
const REGISTRY = { vllm: VLLM, sglang: SGLANG, tgi: TGI, trtllm: TRTLLM } satisfies Record<
  string,
  EngineDescription
>;

export type EngineId = keyof typeof REGISTRY;
export const ENGINE_IDS = Object.keys(REGISTRY) as [EngineId, ...EngineId[]];
export const EngineId = z.enum(ENGINE_IDS);

/** Each description's `id` is its key (a compile error otherwise). */
export const ENGINES: { readonly [Id in EngineId]: EngineDescription<Id> } = REGISTRY;

/**
 * The simulator policy that runs an engine's scheduler where no policy is named: the engine's own
 * where the simulator has one (SGLang's), else vLLM V1's. `simulate --engine sglang` and the editor's
 * Simulate with servetune.engineFlavour sglang both start from it.
 */
export function defaultPolicyOf(engine: string | undefined): PolicyName {
  const id = EngineId.safeParse(engine);
  return (id.success ? ENGINES[id.data].scheduler.ownPolicy : undefined) ?? 'vllm-v1';
}

/** The engine assumed where none is chosen (search input, CLI, the extension's setting). */
export const DEFAULT_ENGINE: EngineId = 'vllm';

/** The format name `readConfig` gives an engine's own YAML config file. */
export type EngineYamlFormat = `${EngineId}-yaml`;
export const engineYamlFormat = (engine: EngineId): EngineYamlFormat => `${engine}-yaml`;

/** Engines that have their own YAML config file. */
export const ENGINES_WITH_CONFIG_FILE: readonly EngineId[] = ENGINE_IDS.filter(
  (id) => ENGINES[id].configFile !== undefined,
);

/** Program names that start an engine (`vllm`, `text-generation-launcher`, …). */
export const LAUNCHER_PROGRAMS: readonly string[] = [
  ...new Set(
    ENGINE_IDS.flatMap((id) =>
      ENGINES[id].launchers.flatMap((launcher: Launcher) =>
        'program' in launcher ? [launcher.program] : [],
      ),
    ),
  ),
];

/** The command words that start the engine as the emitter writes it (its first launcher). */
export function launchWords(engine: EngineId): string[] {
  const launcher = ENGINES[engine].launchers[0];
  if ('pythonModule' in launcher) return ['python3', '-m', launcher.pythonModule];
  return launcher.subcommand && !launcher.subcommand.optional
    ? [launcher.program, launcher.subcommand.word]
    : [launcher.program];
}
