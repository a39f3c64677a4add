import type { BlockBuilder, Encoding, ValueEdit } from './block.js';
import { ENGINE_IDS, ENGINES, type EngineId, type FlagWords, type Launcher } from './engines/index.js';
import { flagBehindLookalikeDash, strictSpelling } from './knobs/flag-spelling.js';
import { findFlag, type Knob, knobTable } from './knobs/index.js';
import type { SourceFile, SourceRange } from './source.js';

/** One command-line word, located in its file, whatever the container (shell script, YAML list, string). */
export interface ArgToken {
  text: string;
  /** The word as written, quotes included; null where it cannot be located (generated text). */
  range: SourceRange | null;
  /** File offset at which `text` appears verbatim (no quotes or escapes in between), else null. */
  verbatim: number | null;
  /** How a replacement for the whole word must be written. */
  encoding: Encoding;
  /** What to delete to drop the word (with the separator before it). */
  removal: SourceRange | null;
  /** The file the word's offsets refer to (a variable's value may live in another file). */
  source: SourceFile | null;
  note?: string;
}

export interface EngineCommand {
  engine: EngineId;
  /** Index of the first argument after the program (and its subcommand). */
  argsStart: number;
  /** The program takes the model as its first positional argument (`vllm serve MODEL`, `trtllm-serve MODEL`). */
  positionalModel: boolean;
  /** Index of the word that names the program (for ranges). */
  programIndex: number;
  /** How the launcher's parser takes a flag's words (`_`, `-` or either). */
  flagWords: FlagWords;
}

const basename = (word: string) => word.slice(word.lastIndexOf('/') + 1);

/** The command this launcher starts at word `i`, if it does. */
function launchedAt(
  engine: EngineId,
  launcher: Launcher,
  words: readonly string[],
  i: number,
): EngineCommand | undefined {
  const word = basename(words[i]);
  const { positionalModel, flagWords } = launcher;
  if ('pythonModule' in launcher) {
    if ((word === '-m' || word === '--module') && words[i + 1] === launcher.pythonModule) {
      return { engine, argsStart: i + 2, positionalModel, programIndex: i + 1, flagWords };
    }
    return undefined;
  }
  if (word !== launcher.program) return undefined;
  if (launcher.routerSubcommands?.includes(words[i + 1] ?? '')) return undefined;
  const { subcommand } = launcher;
  const hasSubcommand = subcommand !== undefined && words[i + 1] === subcommand.word;
  if (subcommand && !subcommand.optional && !hasSubcommand) return undefined;
  return { engine, argsStart: i + 1 + (hasSubcommand ? 1 : 0), positionalModel, programIndex: i, flagWords };
}

/** Where an engine's command starts in a list of words, if it is one (any launcher of any engine). */
export function findEngineCommand(words: readonly string[]): EngineCommand | undefined {
  for (let i = 0; i < words.length; i++) {
    for (const engine of ENGINE_IDS) {
      for (const launcher of ENGINES[engine].launchers) {
        const found = launchedAt(engine, launcher, words, i);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** A command that starts an engine's router (`trtllm-serve disaggregated`) rather than a server. */
export function findRouterCommand(words: readonly string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    for (const engine of ENGINE_IDS) {
      const module = words[i] === '-m' ? words[i + 1] : undefined;
      if (module && ENGINES[engine].routerModules?.includes(module)) return `python -m ${module}`;
      if (ENGINES[engine].routerPrograms?.includes(basename(words[i]))) return basename(words[i]);
      for (const launcher of ENGINES[engine].launchers) {
        if (!('program' in launcher) || basename(words[i]) !== launcher.program) continue;
        const sub = words[i + 1];
        if (sub && launcher.routerSubcommands?.includes(sub)) return `${launcher.program} ${sub}`;
      }
    }
  }
  return undefined;
}

/** Which engine an image runs when a container gives only arguments: the first whose name it contains. */
export function engineOfImage(image: string): EngineId | undefined {
  const name = image.toLowerCase();
  return ENGINE_IDS.find((id) => ENGINES[id].image.nameContains.some((part) => name.includes(part)));
}

/**
 * Whether an engine command given only as arguments to a container image (no program) takes the model
 * first: the image's entrypoint decides.
 */
export function imageTakesPositionalModel(engine: EngineId): boolean {
  return ENGINES[engine].image.positionalModel;
}

export interface ArgsResult {
  /** `--config` (vLLM, SGLang) or `--extra_llm_api_options` (TensorRT-LLM): the engine YAML it names. */
  configFile?: ArgToken;
}

/** `$1`, `${2}`, `$@`, `$*`: a script's own parameters. */
const SCRIPT_PARAMETER = /^\$(\{?[0-9@*]\}?)$/;

/** Text that still holds an expansion the reader could not resolve (`$VAR`, `${…}`, `$(…)`, `$1`, backquotes). */
const UNRESOLVED = /\$(\{?[A-Za-z_0-9@*#?]|\()|`/;

/** A dash as a message names it: its name and code point. */
function dashName(dash: string): string {
  if (dash === '-') return 'a hyphen';
  const names: Record<string, string> = {
    '\u2013': 'an en dash',
    '\u2014': 'an em dash',
    '\u2212': 'a minus sign',
  };
  const code = `U+${dash.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return `${names[dash] ?? 'a dash'} (${code})`;
}

/** What the launcher's parser matches in a flag's name, for the message that names another spelling. */
function spellingRule(words: FlagWords): string {
  if (words === 'either') return 'flag names are matched as written: case and leading dashes count';
  const joiner = words === '-' ? 'hyphens (-)' : 'underscores (_)';
  return `flag names are matched as written: case, leading dashes and ${joiner} between words count`;
}

function isFlag(word: string): boolean {
  return word.length > 1 && word.startsWith('-') && !/^-\d/.test(word);
}

function rangeIn(token: ArgToken, from: number, to: number): SourceRange | null {
  return token.source ? token.source.range(from, to) : null;
}

/**
 * Reads an engine's arguments into the block: each known flag becomes an occurrence with its value's
 * exact range and the edit that rewrites it; unknown flags are listed; unreadable values are errors on
 * their own occurrence so the rest still counts.
 */
export function readEngineArgs(
  builder: BlockBuilder,
  engine: EngineId,
  tokens: readonly ArgToken[],
  options: {
    positionalModel: boolean;
    origin?: 'flag' | 'chart';
    /** The launcher's (`EngineCommand.flagWords`); else the engine's first, the one its image runs. */
    flagWords?: FlagWords;
  },
): ArgsResult {
  const result: ArgsResult = {};
  const origin = options.origin ?? 'flag';
  const flagWords = options.flagWords ?? ENGINES[engine].launchers[0].flagWords;
  builder.flagWords = flagWords;
  const modelKnob = knobTable(engine).knobs.find(
    (k) => k.settings.includes('model') && k.settings.length === 1,
  );
  let sawModel = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const word = token.text;
    if (word === '--') break;
    const lookalike = isFlag(word) ? undefined : flagBehindLookalikeDash(word);
    if (lookalike && findFlag(engine, lookalike.flag)) {
      // The engine takes it as a word, not the flag: the setting it meant is not set.
      builder.problem(
        'warning',
        `${word} starts with ${[...new Set(lookalike.dashes)].map(dashName).join(' and ')}, not -- : ${ENGINES[engine].displayName} does not read it as the flag ${lookalike.flag}`,
        token.range,
        'unknown-flag',
      );
      if (!word.includes('=') && tokens[i + 1] && !isFlag(tokens[i + 1].text)) i++;
      continue;
    }
    if (!isFlag(word)) {
      if (options.positionalModel && !sawModel && modelKnob && SCRIPT_PARAMETER.test(word)) {
        // `vllm serve "$1"`: the model is whatever the script is given; it is unknown here, not `$1`.
        sawModel = true;
        builder.problem('info', `the model is the script's argument ${word}; not known here`, token.range);
      } else if (options.positionalModel && !sawModel && modelKnob) {
        sawModel = true;
        addValue(builder, modelKnob, word, token, null, token.range, 'positional', token.note);
      } else {
        builder.problem('info', `argument '${word}' is not a flag ServeTune reads; ignored`, token.range);
      }
      continue;
    }
    const equals = word.indexOf('=');
    const name = equals > 0 ? word.slice(0, equals) : word;
    const inline = equals > 0 ? word.slice(equals + 1) : undefined;
    const next = tokens[i + 1];
    if (/^-+$/.test(name)) {
      // `--=8`, `-=`, `---`: dashes and no name. argparse calls `--=` ambiguous (every long flag starts
      // with `--`) and the others unrecognized; click and clap find no such option. The engine exits.
      builder.problem(
        'warning',
        `${word} names no flag: ${ENGINES[engine].displayName} refuses a flag whose name is empty`,
        token.range,
        'empty-flag-name',
      );
      if (inline === undefined && next && !isFlag(next.text)) i++;
      continue;
    }
    const loose = findFlag(engine, name);
    const strict = loose && strictSpelling(name, loose, flagWords);
    const match = strict ? undefined : loose;
    if (!match) {
      // `--flag=value`: the flag's own characters, where the word stands in the file as written.
      const range =
        inline !== undefined && token.verbatim !== null
          ? rangeIn(token, token.verbatim, token.verbatim + equals)
          : token.range;
      if (strict) {
        const message = `unknown ${ENGINES[engine].displayName} flag ${name}: did you mean ${strict}? (${spellingRule(flagWords)})`;
        builder.problem('warning', message, range, 'unknown-flag');
      } else builder.unknownFlags.push({ flag: name, range });
      if (inline === undefined && next && !isFlag(next.text)) i++;
      continue;
    }
    const { knob } = match;
    if (knob.id === ENGINES[engine].configFile?.knob) {
      const valueToken = inline !== undefined ? inlineToken(token, equals) : next;
      if (inline === undefined) i++;
      if (valueToken) result.configFile = valueToken;
      continue;
    }
    if (knob.kind === 'value') {
      if (inline !== undefined) {
        const edit: ValueEdit | null =
          token.verbatim !== null && token.range && token.source
            ? {
                target: token.source.range(token.verbatim + equals + 1, token.verbatim + word.length),
                encoding: 'bare',
                form: 'value',
              }
            : token.range
              ? { target: token.range, encoding: token.encoding, form: 'flag=value', flag: name }
              : null;
        const valueRange =
          token.verbatim !== null
            ? rangeIn(token, token.verbatim + equals + 1, token.verbatim + word.length)
            : token.range;
        addValue(builder, knob, inline, token, edit, valueRange, origin, token.note, name);
      } else if (next === undefined || isFlag(next.text)) {
        builder.add({
          knob: knob.id,
          spelling: name,
          origin,
          raw: '',
          settings: {},
          keyRange: token.range,
          valueRange: null,
          error: `${name} needs a value`,
          edit: null,
        });
      } else {
        i++;
        const edit: ValueEdit | null = next.range
          ? { target: next.range, encoding: next.encoding, form: 'value' }
          : null;
        addValue(builder, knob, next.text, token, edit, next.range, origin, next.note ?? token.note, name);
      }
      continue;
    }
    // Switches: present is on (off for `--no-…`); `--flag=false` spells the value out.
    const raw: string | boolean = inline ?? !match.negated;
    const edit: ValueEdit | null = token.range
      ? {
          target: token.range,
          encoding: token.encoding,
          form: 'flag',
          flag: name,
          ...(token.removal ? { removal: token.removal } : {}),
        }
      : null;
    addValue(builder, knob, raw, token, edit, token.range, origin, token.note, name);
  }
  return result;
}

function inlineToken(token: ArgToken, equals: number): ArgToken {
  const text = token.text.slice(equals + 1);
  const range =
    token.verbatim !== null
      ? rangeIn(token, token.verbatim + equals + 1, token.verbatim + token.text.length)
      : null;
  return { ...token, text, range, verbatim: token.verbatim !== null ? token.verbatim + equals + 1 : null };
}

function addValue(
  builder: BlockBuilder,
  knob: Knob,
  raw: string | boolean,
  flagToken: ArgToken,
  edit: ValueEdit | null,
  valueRange: SourceRange | null,
  origin: 'flag' | 'positional' | 'chart',
  note: string | undefined,
  spelling?: string,
): void {
  const unresolved = typeof raw === 'string' && UNRESOLVED.test(raw) ? raw : undefined;
  if (unresolved !== undefined && origin !== 'chart') {
    builder.add({
      knob: knob.id,
      spelling: spelling ?? knob.id,
      origin,
      raw,
      settings: {},
      keyRange: origin === 'positional' ? null : flagToken.range,
      valueRange,
      edit,
      unresolved,
    });
    return;
  }
  const read = knob.read(raw);
  builder.add({
    knob: knob.id,
    spelling: spelling ?? (origin === 'positional' ? 'model' : flagToken.text),
    origin,
    raw,
    settings: typeof read === 'string' ? {} : read,
    keyRange: origin === 'positional' ? null : flagToken.range,
    valueRange,
    ...(typeof read === 'string' ? { error: `${spelling ?? knob.id}: ${read}` } : {}),
    edit,
    ...(note ? { note } : {}),
  });
}
