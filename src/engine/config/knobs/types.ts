import type { PartialServingSettings, SettingKey } from '../serving-settings.js';

/** A knob's value as written: text for knobs that take a value, a boolean for switches. */
export type KnobValue = string | boolean;

/** What the engine defaults depend on. */
export interface DefaultContext {
  /** Memory of one GPU, in bytes. */
  gpuMemoryBytes?: number;
  /** GPU name or catalog id (vLLM treats the A100 apart). */
  gpuName?: string;
  /** The model's own longest context, in tokens. */
  modelMaxLen?: number;
}

/**
 * One engine setting as the engine spells it, and how it maps to ServeTune's settings. Readers and the
 * emitter both go through `read` and `write`, so whatever is emitted reads back to the same settings.
 */
export interface Knob {
  /** Stable id within the engine's table (the canonical spelling without dashes). */
  id: string;
  /** Canonical command-line flag, the one the emitter writes ('--tensor-parallel-size'); absent for env-only knobs. */
  flag?: string;
  /** Other command-line spellings ('-tp', '--tp'). `_`/`-` variants of any spelling match without listing. */
  aliases?: readonly string[];
  /**
   * The flag of each launcher after the engine's first that names the knob otherwise (not just with its
   * words rejoined), by the launcher's program or Python module: Dynamo's TensorRT-LLM worker
   * (`dynamo.trtllm`) takes `--tensor-parallel-size` where `trtllm-serve` takes `flag`, `--tp_size`.
   */
  launcherFlags?: Readonly<Record<string, string>>;
  /**
   * Key path in the engine's YAML config file. Absent: the flag's name without dashes (vLLM and SGLang
   * config files use the long flag names as keys).
   */
  yamlPath?: readonly string[];
  /** Environment variable that sets this knob (TGI's launcher reads one per flag). */
  env?: string;
  /**
   * value: takes a value (`--tp 8`, `--tp=8`, `tp: 8`, `TP=8`).
   * switch: present means on (`--enforce-eager`); YAML and env spell it true/false.
   * negatable: `--x` on, `--no-x` off (argparse BooleanOptionalAction).
   */
  kind: 'value' | 'switch' | 'negatable';
  /**
   * How the value is written in YAML: numbers unquoted, strings as strings; map: a YAML map or null,
   * read and written as its JSON text (TensorRT-LLM's `cuda_graph_config`).
   */
  type: 'int' | 'float' | 'string' | 'bool' | 'map';
  /** The ServeTune settings this knob reads and writes; empty for known knobs ServeTune does not model. */
  settings: readonly SettingKey[];
  /** Raw value → settings, or a message saying why the value is not acceptable. */
  read(raw: KnobValue): PartialServingSettings | string;
  /** Settings → raw value; undefined when these settings do not call for this knob. */
  write(settings: PartialServingSettings): KnobValue | undefined;
  /** The engine's default, for people (documentation and hovers). */
  defaultText?: string;
  /** One line on what the knob does. */
  doc: string;
}

/** An engine's knobs (its description in engines/ names the engine). */
export interface KnobTable {
  /** Engine version the table follows. */
  version: string;
  knobs: readonly Knob[];
  /** The engine's defaults for the settings its knobs carry. */
  defaults(context: DefaultContext): PartialServingSettings;
}

/** Spellings compare without leading dashes, with `_` as `-`, and camelCase as kebab-case. */
export function normalizeName(name: string): string {
  return name
    .replace(/^-+/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

export function parseBoolean(raw: KnobValue): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  const text = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  return undefined;
}

export function parseInteger(raw: KnobValue): number | undefined {
  // A sign is read, so that `-1` is refused as below the knob's least value, not as "not an integer".
  if (typeof raw !== 'string' || !/^\s*[+-]?\d+\s*$/.test(raw)) return undefined;
  const n = Number(raw) + 0; // -0 reads as 0
  return Number.isSafeInteger(n) ? n : undefined;
}

/** vLLM's human-readable token counts: `32k` = 32 000, `32K` = 32 768, likewise m/M. */
export function parseTokenCount(raw: KnobValue): number | undefined {
  if (typeof raw !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)([kKmM]?)\s*$/.exec(raw);
  if (!match) return undefined;
  const scale = { '': 1, k: 1e3, K: 1024, m: 1e6, M: 1024 ** 2 }[match[2]] ?? 1;
  const n = Number(match[1]) * scale;
  return Number.isSafeInteger(n) ? n : undefined;
}

export function parseDecimal(raw: KnobValue): number | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

interface Names {
  flag?: string;
  aliases?: readonly string[];
  launcherFlags?: Readonly<Record<string, string>>;
  yamlPath?: readonly string[];
  env?: string;
  defaultText?: string;
  doc: string;
}

/** A knob carrying one number: `check` gives the number `raw` spells, or why it refuses it. */
function numberKnob(
  setting: SettingKey,
  names: Names,
  type: 'int' | 'float',
  check: (raw: KnobValue) => number | string,
): Knob {
  return {
    id: knobId(names),
    ...names,
    kind: 'value',
    type,
    settings: [setting],
    read(raw) {
      const n = check(raw);
      return typeof n === 'string' ? n : { [setting]: n };
    },
    write(settings) {
      const value = settings[setting];
      return typeof value === 'number' ? String(value) : undefined;
    },
  };
}

/** A knob carrying one integer setting. `min` is the smallest value the engine accepts. */
export function intKnob(
  setting: SettingKey,
  names: Names,
  options: { min?: number; parse?: (raw: KnobValue) => number | undefined } = {},
): Knob {
  const min = options.min ?? 1;
  const parse = options.parse ?? parseInteger;
  return numberKnob(setting, names, 'int', (raw) => {
    const n = parse(raw);
    if (n === undefined) return `expected an integer, got '${String(raw)}'`;
    if (n < min) return `expected an integer ≥ ${min}, got ${n}`;
    return n;
  });
}

/** A knob carrying one fraction in (0, 1]. */
export function fractionKnob(setting: SettingKey, names: Names): Knob {
  return numberKnob(setting, names, 'float', (raw) => {
    const n = parseDecimal(raw);
    if (n === undefined) return `expected a number, got '${String(raw)}'`;
    if (!(n > 0 && n <= 1)) return `expected a fraction in (0, 1], got ${n}`;
    return n;
  });
}

/** A knob carrying a string setting as written. */
export function stringKnob(setting: SettingKey, names: Names): Knob {
  return {
    id: knobId(names),
    ...names,
    kind: 'value',
    type: 'string',
    settings: [setting],
    read(raw) {
      if (typeof raw !== 'string' || raw.trim() === '') return 'expected a non-empty value';
      return { [setting]: raw.trim() };
    },
    write(settings) {
      const value = settings[setting];
      return typeof value === 'string' ? value : undefined;
    },
  };
}

/**
 * A knob whose values are engine words for one enumerated setting. `spellings` maps each accepted engine
 * word to the setting value; the first word listed for a value is the one written.
 */
export function enumKnob<V extends string>(
  setting: SettingKey,
  names: Names,
  spellings: readonly (readonly [string, V])[],
  options: { lowerCase?: boolean } = {},
): Knob {
  const lower = options.lowerCase ?? true;
  return {
    id: knobId(names),
    ...names,
    kind: 'value',
    type: 'string',
    settings: [setting],
    read(raw) {
      if (typeof raw !== 'string') return `expected one of ${spellings.map(([w]) => w).join(', ')}`;
      const word = lower ? raw.trim().toLowerCase() : raw.trim();
      const found = spellings.find(([w]) => w === word);
      if (!found)
        return `expected one of ${[...new Set(spellings.map(([w]) => w))].join(', ')}, got '${raw}'`;
      return { [setting]: found[1] };
    },
    write(settings) {
      const value = settings[setting];
      return spellings.find(([, v]) => v === value)?.[0];
    },
  };
}

/**
 * A boolean setting. `kind` is how the command line spells it; `invert` for switches whose presence turns
 * the setting off (`--disable-radix-cache` → prefix caching off).
 */
export function boolKnob(
  setting: SettingKey,
  names: Names,
  kind: 'switch' | 'negatable' | 'value',
  options: { invert?: boolean; words?: readonly [on: string, off: string] } = {},
): Knob {
  const invert = options.invert ?? false;
  const words = options.words ?? ['true', 'false'];
  return {
    id: knobId(names),
    ...names,
    kind,
    type: 'bool',
    settings: [setting],
    read(raw) {
      const on = parseBoolean(raw);
      if (on === undefined) return `expected true or false, got '${String(raw)}'`;
      return { [setting]: invert ? !on : on };
    },
    write(settings) {
      const value = settings[setting];
      if (typeof value !== 'boolean') return undefined;
      const raw = invert ? !value : value;
      return kind === 'value' ? (raw ? words[0] : words[1]) : raw;
    },
  };
}

/**
 * An environment variable an engine reads as a switch (`1` on, `0` off): on is the boolean `setting`,
 * written back as `1` where `writes` (a former name, read for old files, is not written).
 */
export function envSwitchKnob(
  setting: SettingKey,
  env: string,
  doc: string,
  options: { writes: boolean } = { writes: true },
): Knob {
  return {
    id: env.toLowerCase(),
    env,
    kind: 'value',
    type: 'string',
    settings: [setting],
    defaultText: '0',
    doc,
    read(raw): PartialServingSettings | string {
      const on = parseBoolean(raw);
      if (on === undefined) return `expected 1 or 0, got '${String(raw)}'`;
      return on ? { [setting]: true } : {};
    },
    write: (settings) => (options.writes && settings[setting] === true ? '1' : undefined),
  };
}

/** A knob ServeTune knows (so its value is not mistaken for a positional argument) but does not model. */
export function passThroughKnob(names: Names, kind: 'value' | 'switch' | 'negatable' = 'value'): Knob {
  return {
    id: knobId(names),
    ...names,
    kind,
    type: kind === 'value' ? 'string' : 'bool',
    settings: [],
    read: () => ({}),
    write: () => undefined,
  };
}

function knobId(names: Names): string {
  const name = names.flag ?? names.yamlPath?.join('.') ?? names.env;
  if (!name) throw new Error('a knob needs a flag, a YAML path or an environment variable');
  return normalizeName(name);
}
