import type { ServingEngine } from '../serving-settings.js';
import { SGLANG_KNOBS } from './sglang.js';
import { TGI_KNOBS } from './tgi.js';
import { TRTLLM_KNOBS } from './trtllm.js';
import { type Knob, type KnobTable, normalizeName } from './types.js';
import { VLLM_KNOBS } from './vllm.js';

export * from './types.js';

const TABLES: Record<ServingEngine, KnobTable> = {
  vllm: VLLM_KNOBS,
  sglang: SGLANG_KNOBS,
  tgi: TGI_KNOBS,
  trtllm: TRTLLM_KNOBS,
};

export function knobTable(engine: ServingEngine): KnobTable {
  return TABLES[engine];
}

function commandLineNames(knob: Knob): string[] {
  return [knob.flag, ...(knob.aliases ?? [])].filter((name): name is string => name !== undefined);
}

export interface FlagMatch {
  knob: Knob;
  /** Written as `--no-…` (negatable knobs). */
  negated: boolean;
}

/** The knob a command-line flag spells (any `-`/`_` spelling, `--no-` for negatable knobs), if known. */
export function findFlag(engine: ServingEngine, spelling: string): FlagMatch | undefined {
  const name = normalizeName(spelling);
  for (const knob of TABLES[engine].knobs) {
    if (commandLineNames(knob).some((n) => normalizeName(n) === name)) return { knob, negated: false };
  }
  if (name.startsWith('no-')) {
    const positive = name.slice(3);
    for (const knob of TABLES[engine].knobs) {
      if (knob.kind === 'negatable' && commandLineNames(knob).some((n) => normalizeName(n) === positive)) {
        return { knob, negated: true };
      }
    }
  }
  return undefined;
}

/** The key path a knob has in the engine's YAML config file, if it has one. */
export function yamlPathOf(engine: ServingEngine, knob: Knob): readonly string[] | undefined {
  if (knob.yamlPath) return knob.yamlPath;
  if (TABLES[engine].yamlUsesFlagNames && knob.flag) return [knob.flag.replace(/^-+/, '')];
  return undefined;
}

/** The knob a YAML key path names in the engine's config file (flag-named keys in any spelling). */
export function findYamlKey(engine: ServingEngine, path: readonly string[]): FlagMatch | undefined {
  const table = TABLES[engine];
  const wanted = path.map(normalizeName).join('.');
  for (const knob of table.knobs) {
    const own = yamlPathOf(engine, knob);
    if (own && own.map(normalizeName).join('.') === wanted) return { knob, negated: false };
  }
  if (table.yamlUsesFlagNames && path.length === 1) return findFlag(engine, path[0]);
  return undefined;
}

/** The knob an environment variable sets, if any. */
export function findEnv(engine: ServingEngine, name: string): Knob | undefined {
  return TABLES[engine].knobs.find((knob) => knob.env === name);
}

/** The knob that carries `setting` for an engine (the first, where several could). */
export function knobsFor(engine: ServingEngine, setting: string): Knob[] {
  return TABLES[engine].knobs.filter((knob) => (knob.settings as readonly string[]).includes(setting));
}
