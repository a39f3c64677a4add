import {
  type ArgToken,
  engineOfImage,
  findEngineCommand,
  findRouterCommand,
  imageTakesPositionalModel,
  readEngineArgs,
} from '../args.js';
import { BlockBuilder, type BlockKind, type BlockProblem, type Encoding } from '../block.js';
import type { EngineId, FlagWords } from '../engines/index.js';
import { evaluateArithmetic, parseShell, type ShellWord, wholeVariable } from '../shell.js';
import { SourceFile } from '../source.js';
import { addEnvVariable, countDevices } from './env.js';
import { setEngineVersion } from './image-version.js';

/**
 * Where a shell text lives: `file` (a script: offsets are the file's), or a YAML scalar holding a
 * command, whose characters map to file offsets through `offsets` (null where they cannot be mapped).
 */
export interface ShellTextContext {
  source: SourceFile;
  /** File offset of each character of the text, plus one for the end; null entries cannot be edited. */
  offsets: (index: number) => number | null;
  /** How replacement words must be written: `shell` in scripts and block scalars, `bare` inside quotes. */
  encoding: Encoding;
  /** Variables the text may refer to (from the script itself, or a sibling .env). */
  variables: VariableScope;
}

export type VariableScope = Map<string, ArgToken>;

/** A command's words as located tokens, with whole-word variables substituted where known. */
export function locateWords(words: readonly ShellWord[], context: ShellTextContext): ArgToken[] {
  const tokens: ArgToken[] = [];
  words.forEach((word, index) => {
    const start = context.offsets(word.start);
    const end = context.offsets(word.end);
    const range = start !== null && end !== null ? context.source.range(start, end) : null;
    const previousEnd = index > 0 ? context.offsets(words[index - 1].end) : null;
    const removal =
      range && previousEnd !== null && end !== null ? context.source.range(previousEnd, end) : range;
    let verbatim: number | null = null;
    if (word.verbatimAt !== null) {
      const from = context.offsets(word.verbatimAt);
      const to = context.offsets(word.verbatimAt + word.text.length);
      if (from !== null && to !== null && to - from === word.text.length) verbatim = from;
    }
    const token: ArgToken = {
      text: word.text,
      range,
      verbatim,
      encoding: context.encoding,
      removal,
      source: context.source,
    };
    if (!word.expands) tokens.push(token);
    else tokens.push(...splitFlagWithVariable(token, context.variables));
  });
  return tokens;
}

/**
 * `--tp=$TP` reads like `--tp $TP`: the flag, then its value substituted (and edited where the variable
 * is set). Other words are substituted whole.
 */
function splitFlagWithVariable(token: ArgToken, variables: VariableScope): ArgToken[] {
  const flag = /^(--?[A-Za-z][\w.-]*)=(\$.*)$/s.exec(token.text);
  if (!flag) return [substitute(token, variables)];
  const name = flag[1];
  const flagToken: ArgToken = {
    ...token,
    text: name,
    range:
      token.verbatim !== null && token.source
        ? token.source.range(token.verbatim, token.verbatim + name.length)
        : token.range,
  };
  const value = substitute(valuePart(token, name.length + 1), variables);
  return [flagToken, value];
}

/** A word that is a whole variable reference, replaced by the variable's located value (or its default). */
export function substitute(token: ArgToken, variables: VariableScope): ArgToken {
  const variable = wholeVariable(token.text);
  if (!variable) return computed(token, variables);
  const known = variables.get(variable.name);
  if (known) return { ...known, removal: token.removal, note: `from $${variable.name}` };
  if (variable.fallback && token.verbatim !== null && token.source) {
    const at = token.verbatim + variable.fallback.index;
    return {
      text: variable.fallback.text,
      range: token.source.range(at, at + variable.fallback.text.length),
      verbatim: at,
      encoding: 'bare',
      removal: token.removal,
      source: token.source,
      note: `default of $${variable.name}`,
    };
  }
  return token;
}

/** `$((TP * 2))` with its variables known: the number, edited by rewriting the whole expression. */
function computed(token: ArgToken, variables: VariableScope): ArgToken {
  const value = evaluateArithmetic(token.text, (name) => variables.get(name)?.text);
  if (value === undefined) return token;
  return { ...token, text: String(value), verbatim: null, note: `computed from ${token.text}` };
}

const DOCKER_VALUE_OPTIONS = new Set(
  '-e --env -p --publish -v --volume --name --shm-size --gpus --ipc --network --net --runtime --entrypoint -w --workdir --mount --env-file -u --user --restart --ulimit --device --label -l --cpus -m --memory --add-host --hostname -h --platform --pull --log-driver --log-opt --cap-add --security-opt'.split(
    ' ',
  ),
);

interface Found {
  engine: EngineId;
  tokens: ArgToken[];
  argsStart: number;
  positionalModel: boolean;
  /** The launcher's, where the command names one; else the image's (its engine's first launcher). */
  flagWords?: FlagWords;
  env: { name: string; value: ArgToken; keyRange: ArgToken['range'] }[];
  gpus?: { count: number; token: ArgToken };
  /** The image of `docker run`. */
  image?: ArgToken;
}

/** The engine command in one shell command: direct, after env assignments, or inside `docker run`. */
function findServing(tokens: ArgToken[]): Found | undefined {
  const env: Found['env'] = [];
  let start = 0;
  while (start < tokens.length) {
    const word = tokens[start].text;
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
    if (assignment) {
      env.push({
        name: assignment[1],
        value: valuePart(tokens[start], assignment[1].length + 1),
        keyRange: tokens[start].range,
      });
      start++;
    } else if (['exec', 'nohup', 'env', 'sudo', 'time'].includes(word)) start++;
    else break;
  }
  const rest = tokens.slice(start);
  const words = rest.map((t) => t.text);
  if (words[0] === 'docker' && words[1] === 'run') return findInDockerRun(rest, env);
  const command = findEngineCommand(words);
  if (!command) return undefined;
  const gpus = gpusFromEnv(env);
  return {
    engine: command.engine,
    tokens: rest,
    argsStart: command.argsStart,
    positionalModel: command.positionalModel,
    flagWords: command.flagWords,
    env,
    ...(gpus ? { gpus } : {}),
  };
}

function gpusFromEnv(env: Found['env']): Found['gpus'] {
  const visible = env.find((e) => e.name === 'CUDA_VISIBLE_DEVICES' || e.name === 'NVIDIA_VISIBLE_DEVICES');
  const count = visible ? countDevices(visible.value.text) : undefined;
  return visible && count ? { count, token: visible.value } : undefined;
}

function findInDockerRun(tokens: ArgToken[], env: Found['env']): Found | undefined {
  let i = 2;
  let gpus: Found['gpus'];
  while (i < tokens.length && tokens[i].text.startsWith('-')) {
    const word = tokens[i].text;
    const equals = word.indexOf('=');
    const option = equals > 0 ? word.slice(0, equals) : word;
    const takesValue = DOCKER_VALUE_OPTIONS.has(option);
    const value = takesValue ? (equals > 0 ? valuePart(tokens[i], equals + 1) : tokens[i + 1]) : undefined;
    if (takesValue && equals < 0) i++;
    if (value && (option === '-e' || option === '--env')) {
      const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value.text);
      if (assignment)
        env.push({
          name: assignment[1],
          value: valuePart(value, assignment[1].length + 1),
          keyRange: value.range,
        });
    }
    if (value && option === '--gpus') {
      const devices = /device=([\d,]+)/.exec(value.text);
      const count = devices
        ? countDevices(devices[1])
        : /^\d+$/.test(value.text)
          ? Number(value.text)
          : undefined;
      if (count) gpus = { count, token: value };
    }
    i++;
  }
  const image = tokens[i];
  if (!image) return undefined;
  const rest = tokens.slice(i + 1);
  const command = findEngineCommand(rest.map((t) => t.text));
  if (command) {
    return {
      engine: command.engine,
      tokens: rest,
      argsStart: command.argsStart,
      positionalModel: command.positionalModel,
      flagWords: command.flagWords,
      env,
      image,
      ...(gpus ? { gpus } : {}),
    };
  }
  const engine = engineOfImage(image.text);
  if (!engine) return undefined;
  return {
    engine,
    tokens: rest,
    argsStart: 0,
    positionalModel: imageTakesPositionalModel(engine),
    env,
    image,
    ...(gpus ? { gpus } : {}),
  };
}

/** The part of a `NAME=value` word after `from`, located when the word is verbatim. */
export function valuePart(token: ArgToken, from: number): ArgToken {
  const text = token.text.slice(from);
  if (token.verbatim === null || !token.source) return { ...token, text, range: null, verbatim: null };
  const at = token.verbatim + from;
  return { ...token, text, range: token.source.range(at, at + text.length), verbatim: at, encoding: 'bare' };
}

export interface ShellBlocksOptions {
  kind: BlockKind;
  label: (line: number) => string;
  /** The engine the container image runs, when the text is only arguments (Kubernetes `args`). */
  imageEngine?: EngineId;
}

/**
 * The serving commands in a shell text. Variable assignments earlier in the text are remembered so
 * `--tensor-parallel-size $TP` reads (and edits) the value where `TP=` sets it.
 */
export function readShellText(text: string, context: ShellTextContext, options: ShellBlocksOptions) {
  const parsed = parseShell(text);
  const blocks: BlockBuilder[] = [];
  const problems: BlockProblem[] = parsed.problems.map((p) => {
    const at = context.offsets(p.index) ?? context.offsets(0) ?? 0;
    return {
      severity: 'error' as const,
      message: `shell: ${p.message}`,
      range: context.source.range(at, at),
    };
  });
  const routerConfigs: string[] = [];
  for (const command of parsed.commands) {
    const tokens = locateWords(command.words, context);
    rememberAssignments(tokens, context.variables);
    const router = findRouterCommand(tokens.map((t) => t.text));
    if (router) {
      const config = routerConfigFile(tokens.map((t) => t.text));
      if (config) routerConfigs.push(config);
      problems.push({
        severity: 'info' as const,
        message: `${router} starts the router that pairs prefill and decode servers, not a server; not read as one`,
        range: context.source.range(
          context.offsets(command.words[0].start) ?? 0,
          context.offsets(command.words[0].start) ?? 0,
        ),
      });
      continue;
    }
    const found =
      findServing(tokens) ??
      (options.imageEngine && parsed.commands.length === 1
        ? {
            engine: options.imageEngine,
            tokens,
            argsStart: 0,
            positionalModel: imageTakesPositionalModel(options.imageEngine),
            env: [],
          }
        : undefined);
    const start = context.offsets(command.words[0].start) ?? 0;
    const end = context.offsets(command.words[command.words.length - 1].end) ?? start;
    const blockRange = context.source.range(start, end);
    if (!found) continue;
    const builder = new BlockBuilder(
      context.source.path,
      options.kind,
      options.label(blockRange.start.line),
      blockRange,
    );
    builder.engine = found.engine;
    if (found.image) setEngineVersion(builder, found.image.text, found.image.range);
    for (const variable of found.env)
      addEnvVariable(builder, found.engine, variable.name, variable.value, variable.keyRange);
    for (const [name, value] of context.variables) {
      if (!found.env.some((e) => e.name === name) && value.note === 'exported') {
        addEnvVariable(builder, found.engine, name, value, null);
      }
    }
    if (found.gpus) addGpus(builder, found.gpus);
    const args = found.tokens.slice(found.argsStart);
    const read = readEngineArgs(builder, found.engine, args, {
      positionalModel: found.positionalModel,
      ...(found.flagWords ? { flagWords: found.flagWords } : {}),
    });
    builder.configFile = read.configFile;
    const last = args.length > 0 ? args[args.length - 1] : found.tokens[Math.max(0, found.argsStart - 1)];
    // A last word that is a variable stands where the variable is set: new flags go after the word.
    const inCommand = last?.range && last.range.start.offset >= start && last.range.end.offset <= end;
    const lastEnd = inCommand ? last.range?.end.offset : last ? end : undefined;
    if (lastEnd !== undefined && (last.source === context.source || !inCommand)) {
      builder.insertions.push({
        kind: 'args-shell',
        at: context.source.range(lastEnd, lastEnd),
        separator: continuationSeparator(text, command.words, context),
        encoding: context.encoding,
      });
    }
    blocks.push(builder);
  }
  const written = writtenFiles(parsed, context);
  for (const block of blocks) block.written = written;
  return { blocks, problems, written, routerConfigs };
}

/** The YAML `trtllm-serve disaggregated -c FILE` reads: it lists the context and generation servers. */
function routerConfigFile(words: readonly string[]): string | undefined {
  const at = words.findIndex((w, i) => w === 'disaggregated' && words[i - 1]?.endsWith('trtllm-serve'));
  if (at < 0) return undefined;
  const flag = words.findIndex((w, i) => i > at && (w === '-c' || w === '--config_file'));
  const inline = words.find((w, i) => i > at && w.startsWith('--config_file='));
  return flag >= 0 ? words[flag + 1] : inline?.slice('--config_file='.length);
}

/** A file a script writes from a here-document (`cat > config.yaml <<EOF`): its path as written, and its text. */
export interface WrittenFile {
  path: string;
  /**
   * The script's own text with everything outside the here-document blanked (newlines kept): parsed as
   * YAML, its ranges are the script's, so edits land in the script.
   */
  source: SourceFile;
}

function writtenFiles(parsed: ReturnType<typeof parseShell>, context: ShellTextContext): WrittenFile[] {
  const files: WrittenFile[] = [];
  for (const doc of parsed.heredocs) {
    if (!doc.writesTo) continue;
    // Keep the body's characters where they stand in the file (a script, or a block scalar in YAML).
    const kept = new Set<number>();
    let mapped = true;
    for (let i = doc.bodyStart; i < doc.bodyEnd && mapped; i++) {
      const at = context.offsets(i);
      if (at === null) mapped = false;
      else kept.add(at);
    }
    if (!mapped) continue;
    const text = context.source.text.replace(/[^\n]/g, (c, at: number) => (kept.has(at) ? c : ' '));
    files.push({ path: doc.writesTo, source: new SourceFile(context.source.path, text) });
  }
  return files;
}

function addGpus(builder: BlockBuilder, gpus: NonNullable<Found['gpus']>): void {
  builder.add({
    knob: null,
    spelling: 'gpus',
    origin: 'deployment',
    raw: gpus.token.text,
    settings: { gpus: gpus.count },
    keyRange: null,
    valueRange: gpus.token.range,
    edit: null,
  });
}

/** `export NAME=value` and `NAME=value` alone on a command: later words may refer to them. */
function rememberAssignments(tokens: ArgToken[], variables: VariableScope): void {
  const exported = tokens[0]?.text === 'export';
  const words = exported ? tokens.slice(1) : tokens;
  if (words.length === 0) return;
  if (!words.every((t) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(t.text))) return;
  for (const token of words) {
    const name = token.text.slice(0, token.text.indexOf('='));
    // `MODEL=${MODEL:-default}`, `SEQS=$((64 * 4))`: the value as far as it is known now.
    const value = substitute(valuePart(token, name.length + 1), variables);
    variables.set(name, exported ? { ...value, note: 'exported' } : value);
  }
}

/**
 * How to add a flag so it looks like its neighbours: on a new line with the same continuation and
 * indentation when the command is written one flag per line, else after a space.
 */
function continuationSeparator(text: string, words: readonly ShellWord[], context: ShellTextContext): string {
  const last = words[words.length - 1];
  if (words.length < 2 || context.encoding !== 'shell') return ' ';
  const match = /([ \t]*)\\\r?\n/.exec(text.slice(words[0].end, last.start));
  if (!match) return ' ';
  const lastStart = context.offsets(last.start);
  const indent = lastStart !== null ? context.source.indentAt(lastStart) : '';
  return `${match[1] || ' '}\\\n${indent}`;
}

/** A shell script: every serving command in it is a block. */
export function readShellScript(source: SourceFile, variables: VariableScope = new Map()) {
  return readShellText(
    source.text,
    { source, offsets: (i) => i, encoding: 'shell', variables },
    { kind: 'command-line', label: (line) => `command at line ${line + 1}` },
  );
}

/** Re-exported for readers that build tokens from YAML sequences. */
export { engineOfImage };
