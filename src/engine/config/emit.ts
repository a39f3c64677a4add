import { Document } from 'yaml';
import { ServeTuneError } from '../util/errors.js';
import { blockSettings } from './block.js';
import { ENGINES, type EngineId, launchWords } from './engines/index.js';
import { type Knob, type KnobValue, knobById, knobTable, yamlPathOf } from './knobs/index.js';
import { readConfig } from './read.js';
import {
  DEPLOYMENT_KEYS,
  PartialServingSettings,
  SETTING_LABELS,
  type SettingKey,
} from './serving-settings.js';
import { shellQuote } from './shell.js';

/**
 * Ready-to-use engine settings. Contract: `readEngineFlags(engineFlags(engine, s))` deep-equals
 * `engineFlags(engine, s).expressed`, which is `s` without `dropped` and without the deployment settings.
 */
export interface EngineFlags {
  engine: EngineId;
  /** The full command, program first: `['vllm', 'serve', MODEL, '--tensor-parallel-size', '4', …]`. */
  argv: string[];
  /** `argv` as one shell line, quoted where needed. */
  commandLine: string;
  /** Environment variables for knobs that have no flag (TGI's PREFIX_CACHING). */
  env: Record<string, string>;
  /**
   * vLLM and SGLang: the same settings as a `--config` YAML (keys are the long flag names), an
   * alternative to the flags. TensorRT-LLM: the settings only its extra options YAML takes; `argv` then
   * names it with `--extra_llm_api_options <yamlFileName>`. TGI: absent.
   */
  configYaml?: string;
  yamlFileName?: string;
  /** What the output sets, in ServeTune's terms: what reading it back gives. */
  expressed: PartialServingSettings;
  /** Settings the engine cannot take (no knob, or a value it cannot spell), with the reason. */
  dropped: { setting: SettingKey; reason: string }[];
  /** Replicas and GPUs per server: for the deployment around the command, not flags. */
  deployment: { replicas?: number; gpus?: number };
}

function flagWords(knob: Knob, raw: KnobValue): string[] {
  if (!knob.flag) return [];
  if (knob.kind === 'value') return [knob.flag, String(raw)];
  const on = raw === true || raw === 'true';
  if (knob.kind === 'negatable') return [on ? knob.flag : `--no-${knob.flag.replace(/^-+/, '')}`];
  return on ? [knob.flag] : [];
}

/** A knob's written value as a YAML node's value: numbers, booleans, maps and null as themselves. */
export function yamlScalar(knob: Knob, raw: KnobValue): unknown {
  if (typeof raw === 'boolean') return raw;
  if (knob.type === 'map') return JSON.parse(raw) as unknown;
  if (knob.type === 'int' || knob.type === 'float') return Number(raw);
  if (knob.type === 'bool') return raw === 'true';
  return raw;
}

function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/**
 * The command line (and YAML, where the engine has one) that sets `settings` on `engine`, using the same
 * knob table the readers use. Knobs come in table order; switches at their engine default that have no
 * `--no-` form are left out (absent means default).
 */
export function engineFlags(
  engine: EngineId,
  settings: PartialServingSettings,
  options: { yamlFileName?: string } = {},
): EngineFlags {
  const parsed = PartialServingSettings.safeParse(settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServeTuneError(
      `Invalid settings: ${issue.path.join('.')}: ${issue.message}`,
      'invalid-argument',
      issue.path.join('.'),
    );
  }
  const input = parsed.data;
  const description = ENGINES[engine];
  const table = knobTable(engine);
  const configFile = description.configFile;
  const argv = launchWords(engine);
  // The model goes first where the launcher the emitter writes takes it so.
  const positionalModel = description.launchers[0].positionalModel;
  const flags: string[] = [];
  const env: Record<string, string> = {};
  const yamlOnly: Record<string, unknown> = {};
  const fullYaml: Record<string, unknown> = {};
  const expressed: Record<string, unknown> = {};
  const modelKnob = table.knobs.find((k) => k.settings.length === 1 && k.settings[0] === 'model');

  for (const knob of table.knobs) {
    if (knob.settings.length === 0) continue;
    const raw = knob.write(input);
    if (raw === undefined) continue;
    const read = knob.read(raw);
    if (typeof read === 'string') continue;
    const words = flagWords(knob, raw);
    const path = yamlPathOf(engine, knob);
    if (knob === modelKnob && positionalModel) {
      argv.push(String(raw));
    } else if (knob.flag) {
      flags.push(...words);
    } else if (knob.env) {
      env[knob.env] = String(raw);
    } else if (path) {
      setIn(yamlOnly, path, yamlScalar(knob, raw));
    } else {
      continue;
    }
    if (path && configFile?.keys === 'flag-names') setIn(fullYaml, path, yamlScalar(knob, raw));
    // A switch left out (absent = off) reads back as nothing: only what is written counts as expressed.
    if (words.length > 0 || !knob.flag || knob === modelKnob) Object.assign(expressed, read);
  }

  const dropped: EngineFlags['dropped'] = [];
  for (const key of Object.keys(input) as SettingKey[]) {
    if (DEPLOYMENT_KEYS.includes(key)) continue;
    if (expressed[key] === input[key]) continue;
    const switchAtDefault = table.knobs.some(
      (k) => k.settings.includes(key) && k.kind === 'switch' && k.write(input) === false,
    );
    if (switchAtDefault) continue;
    delete expressed[key];
    const hasKnob = table.knobs.some((k) => k.settings.includes(key));
    dropped.push({
      setting: key,
      reason: hasKnob
        ? `${engine} cannot express ${SETTING_LABELS[key]} = ${String(input[key])} together with these settings`
        : `${engine} has no setting for ${SETTING_LABELS[key]}`,
    });
  }

  const yamlFileName = options.yamlFileName ?? configFile?.defaultFileName ?? 'config.yaml';
  let configYaml: string | undefined;
  if (configFile?.emits === 'settings-without-flags') {
    const fileFlag = knobById(engine, configFile.knob)?.flag;
    if (Object.keys(yamlOnly).length > 0 && fileFlag) {
      configYaml = new Document(yamlOnly).toString();
      flags.push(fileFlag, yamlFileName);
    }
  } else if (configFile?.emits === 'every-setting') {
    configYaml = new Document(fullYaml).toString();
  }
  argv.push(...flags);
  return {
    engine,
    argv,
    commandLine: commandLineOf(argv, env),
    env,
    ...(configYaml !== undefined ? { configYaml, yamlFileName } : {}),
    expressed: expressed as PartialServingSettings,
    dropped,
    deployment: {
      ...(input.replicas !== undefined ? { replicas: input.replicas } : {}),
      ...(input.gpus !== undefined ? { gpus: input.gpus } : {}),
    },
  };
}

/** A command as one shell line: the environment as `VAR=value` words first, every word quoted as needed. */
export function commandLineOf(argv: readonly string[], env: Readonly<Record<string, string>>): string {
  const envPrefix = Object.entries(env)
    .map(([k, v]) => `${k}=${shellQuote(v)} `)
    .join('');
  return envPrefix + argv.map(shellQuote).join(' ');
}

/**
 * Reads emitted flags back with the same readers users' files go through (the round-trip check of the
 * contract above). The TensorRT-LLM YAML is read from `configYaml`.
 */
export function readEngineFlags(flags: EngineFlags): PartialServingSettings {
  const script = `${flags.commandLine}\n`;
  const report = readConfig('/emitted/command.sh', script, {
    readFile: (path) =>
      flags.configYaml !== undefined && flags.yamlFileName && path === `/emitted/${flags.yamlFileName}`
        ? flags.configYaml
        : undefined,
  });
  const block = report.blocks[0];
  if (!block) throw new ServeTuneError('emitted command was not recognised', 'invalid-config');
  const problems = [...report.problems, ...block.problems].filter((p) => p.severity === 'error');
  const errors = block.occurrences.filter((o) => o.error);
  if (problems.length > 0 || errors.length > 0) {
    throw new ServeTuneError(
      `emitted command does not read back: ${[...problems.map((p) => p.message), ...errors.map((o) => o.error)].join('; ')}`,
      'invalid-config',
    );
  }
  return blockSettings(block);
}
