import { ENGINES, type EngineId } from '../engines/index.js';
import { type Knob, type KnobTable, normalizeName } from './types.js';

export * from './types.js';

export function knobTable(engine: EngineId): KnobTable {
  return ENGINES[engine].knobTable;
}

/** Whether the engine's YAML config file is keyed by its long flag names (vLLM, SGLang `--config`). */
function yamlUsesFlagNames(engine: EngineId): boolean {
  return ENGINES[engine].configFile?.keys === 'flag-names';
}

/** The knob with this id in the engine's table. */
export function knobById(engine: EngineId, id: string): Knob | undefined {
  return knobTable(engine).knobs.find((knob) => knob.id === id);
}

/** The command-line spellings of a knob: its flag, aliases and other launchers' flags. */
export function commandLineNames(knob: Knob): string[] {
  return [knob.flag, ...(knob.aliases ?? []), ...Object.values(knob.launcherFlags ?? {})].filter(
    (name): name is string => name !== undefined,
  );
}

export interface FlagMatch {
  knob: Knob;
  /** Written as `--no-…` (negatable knobs). */
  negated: boolean;
}

/** The knob a command-line flag spells (any `-`/`_` spelling, `--no-` for negatable knobs), if known. */
export function findFlag(engine: EngineId, spelling: string): FlagMatch | undefined {
  const name = normalizeName(spelling);
  for (const knob of knobTable(engine).knobs) {
    if (commandLineNames(knob).some((n) => normalizeName(n) === name)) return { knob, negated: false };
  }
  if (name.startsWith('no-')) {
    const positive = name.slice(3);
    for (const knob of knobTable(engine).knobs) {
      if (knob.kind === 'negatable' && commandLineNames(knob).some((n) => normalizeName(n) === positive)) {
        return { knob, negated: true };
      }
    }
  }
  return undefined;
}

/** The key path a knob has in the engine's YAML config file, if it has one. */
export function yamlPathOf(engine: EngineId, knob: Knob): readonly string[] | undefined {
  if (knob.yamlPath) return knob.yamlPath;
  if (yamlUsesFlagNames(engine) && knob.flag) return [knob.flag.replace(/^-+/, '')];
  return undefined;
}

/** The knob a YAML key path names in the engine's config file (flag-named keys in any spelling). */
export function findYamlKey(engine: EngineId, path: readonly string[]): FlagMatch | undefined {
  const wanted = path.map(normalizeName).join('.');
  for (const knob of knobTable(engine).knobs) {
    const own = yamlPathOf(engine, knob);
    if (own && own.map(normalizeName).join('.') === wanted) return { knob, negated: false };
  }
  if (yamlUsesFlagNames(engine) && path.length === 1) return findFlag(engine, path[0]);
  return undefined;
}

/** The knob an environment variable sets, if any. */
export function findEnv(engine: EngineId, name: string): Knob | undefined {
  return knobTable(engine).knobs.find((knob) => knob.env === name);
}

/** The knob that carries `setting` for an engine (the first, where several could). */
export function knobsFor(engine: EngineId, setting: string): Knob[] {
  return knobTable(engine).knobs.filter((knob) => (knob.settings as readonly string[]).includes(setting));
}
