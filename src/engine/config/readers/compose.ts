import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import {
  type ArgToken,
  engineOfImage,
  findEngineCommand,
  findRouterCommand,
  imageTakesPositionalModel,
  readEngineArgs,
} from '../args.js';
import { BlockBuilder, type BlockProblem } from '../block.js';
import type { SourceFile } from '../source.js';
import { addEnvVariable, countDevices } from './env.js';
import { setEngineVersion } from './image-version.js';
import { readShellText, substitute, type VariableScope, valuePart } from './shell.js';
import {
  getIn,
  mapInsertion,
  mapPairs,
  nodeRange,
  scalarOffsets,
  scalarText,
  scalarToken,
  seqInsertion,
  seqTokens,
  valueToken,
} from './yaml-util.js';

export function isComposeFile(root: unknown): boolean {
  return isMap(root) && isMap(root.get('services', true));
}

/**
 * A `.env` file as compose reads it for `${VAR}` interpolation: `KEY=value` lines, optional `export`,
 * optional quotes, `#` comments. Values are located so an edit can land in the .env file itself.
 */
export function parseDotEnv(source: SourceFile): VariableScope {
  const variables: VariableScope = new Map();
  let offset = 0;
  for (const line of source.text.split('\n')) {
    const match = /^([ \t]*(?:export[ \t]+)?)([A-Za-z_][A-Za-z0-9_]*)([ \t]*=[ \t]*)(.*?)\r?$/.exec(line);
    if (match) {
      let value = match[4];
      let at = offset + match[1].length + match[2].length + match[3].length;
      const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
      const close = quote ? value.indexOf(quote, 1) : -1;
      if (quote && close > 0) {
        value = value.slice(1, close);
        at += 1;
      } else {
        const comment = value.search(/(^|[ \t])#/);
        value = (comment >= 0 ? value.slice(0, comment) : value).trimEnd();
      }
      variables.set(match[2], {
        text: value,
        range: source.range(at, at + value.length),
        verbatim: at,
        encoding: 'bare',
        removal: null,
        source,
      });
    }
    offset += line.length + 1;
  }
  return variables;
}

/** Every compose service that runs a serving engine. */
export function readCompose(root: YAMLMap, source: SourceFile, variables: VariableScope) {
  const blocks: BlockBuilder[] = [];
  const problems: BlockProblem[] = [];
  const services = root.get('services', true);
  for (const { key, value } of mapPairs(services)) {
    if (!isMap(value)) continue;
    const block = readService(String(key.value), value, source, variables);
    if (block) blocks.push(block);
  }
  return { blocks, problems };
}

function resolve(token: ArgToken, variables: VariableScope): ArgToken {
  return /\$\{?[A-Za-z_]/.test(token.text) ? substitute(token, variables) : token;
}

function readService(
  name: string,
  service: YAMLMap,
  source: SourceFile,
  variables: VariableScope,
): BlockBuilder | undefined {
  const imageToken = resolve(
    scalarTokenOf(service.get('image', true), source) ?? emptyToken(source),
    variables,
  );
  const image = imageToken.text;
  const imageEngine = engineOfImage(image);
  const command = service.get('command', true);
  const entrypoint = service.get('entrypoint', true);
  const label = `service ${name}`;
  const range = nodeRange(service, source);
  let builder: BlockBuilder | undefined;

  if (isScalar(command)) {
    const offsets = scalarOffsets(command, source);
    const block = command.type === 'BLOCK_LITERAL' || command.type === 'BLOCK_FOLDED';
    const entryWords = isSeq(entrypoint) ? seqTokens(entrypoint, source).map((t) => t.text) : [];
    const viaShell =
      entryWords.some((w) => /(^|\/)(ba)?sh$/.test(w)) ||
      /^\s*(\S*\/)?(ba|da|z)?sh\s+-[a-z]*c[a-z]*\s/.test(scalarText(command) ?? '');
    const read = readShellText(
      scalarText(command) ?? '',
      {
        source,
        offsets: offsets ?? (() => null),
        encoding: block ? 'shell' : 'bare',
        variables: new Map(variables),
      },
      { kind: 'compose', label: () => label, ...(imageEngine && !viaShell ? { imageEngine } : {}) },
    );
    builder = read.blocks[0];
    if (builder) for (const problem of read.problems) builder.problems.push(problem);
  } else if (isSeq(command)) {
    const tokens = seqTokens(command, source).map((t) => resolve(t, variables));
    const found = findEngineCommand(tokens.map((t) => t.text));
    const router = findRouterCommand(tokens.map((t) => t.text));
    const engine = router ? undefined : (found?.engine ?? imageEngine);
    if (engine) {
      builder = new BlockBuilder(source.path, 'compose', label, range);
      builder.engine = engine;
      const read = readEngineArgs(builder, engine, tokens.slice(found?.argsStart ?? 0), {
        positionalModel: found ? found.positionalModel : imageTakesPositionalModel(engine),
        ...(found ? { flagWords: found.flagWords } : {}),
      });
      builder.configFile = read.configFile;
      const insertion = seqInsertion(command, source);
      if (insertion) builder.insertions.push(insertion);
    }
  } else if (imageEngine) {
    builder = new BlockBuilder(source.path, 'compose', label, range);
    builder.engine = imageEngine;
  }
  if (!builder?.engine) return undefined;
  builder.range = range;
  builder.label = label;
  setEngineVersion(builder, image, imageToken.range);
  addEnvironment(builder, service, source, variables);
  addDeployment(builder, service, source);
  return builder;
}

function emptyToken(source: SourceFile): ArgToken {
  return { text: '', range: null, verbatim: null, encoding: 'bare', removal: null, source };
}

function scalarTokenOf(node: unknown, source: SourceFile): ArgToken | undefined {
  return isScalar(node) ? scalarToken(node, source) : undefined;
}

function addEnvironment(
  builder: BlockBuilder,
  service: YAMLMap,
  source: SourceFile,
  variables: VariableScope,
): void {
  const engine = builder.engine!;
  const environment = service.get('environment', true);
  const before = builder.occurrences.splice(0);
  if (isMap(environment)) {
    for (const { key, value } of mapPairs(environment)) {
      const token = valueToken(value, source);
      if (token)
        addEnvVariable(builder, engine, String(key.value), resolve(token, variables), nodeRange(key, source));
    }
    const insertion = mapInsertion(environment, source);
    if (insertion) builder.insertions.push({ ...insertion, kind: 'env-map' });
  } else if (isSeq(environment)) {
    for (const item of environment.items) {
      if (!isScalar(item)) continue;
      const token = scalarToken(item, source);
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(token.text);
      if (match)
        addEnvVariable(
          builder,
          engine,
          match[1],
          resolve(valuePart(token, match[0].length), variables),
          token.range,
        );
    }
    const insertion = seqInsertion(environment, source);
    if (insertion)
      builder.insertions.push({
        ...insertion,
        kind: insertion.kind === 'args-yaml-block' ? 'env-list' : insertion.kind,
      });
  }
  // Flags override the environment: they come after it in precedence.
  for (const occurrence of before) builder.add(occurrence);
}

function addDeployment(builder: BlockBuilder, service: YAMLMap, source: SourceFile): void {
  const replicas = getIn(service, ['deploy', 'replicas']);
  const replicaToken = valueToken(replicas, source);
  if (replicaToken) {
    const count = Number(replicaToken.text);
    builder.add({
      knob: null,
      spelling: 'deploy.replicas',
      origin: 'deployment',
      raw: replicaToken.text,
      settings: Number.isInteger(count) && count > 0 ? { replicas: count } : {},
      keyRange: null,
      valueRange: replicaToken.range,
      edit: replicaToken.range
        ? { target: replicaToken.range, encoding: replicaToken.encoding, form: 'value' }
        : null,
    });
  }
  const devices = getIn(service, ['deploy', 'resources', 'reservations', 'devices']);
  if (!isSeq(devices)) return;
  for (const device of devices.items) {
    const count = getIn(device, ['count']);
    const ids = getIn(device, ['device_ids']);
    const countToken = valueToken(count, source);
    if (countToken && /^\d+$/.test(countToken.text)) {
      builder.add({
        knob: null,
        spelling: 'deploy.resources.reservations.devices.count',
        origin: 'deployment',
        raw: countToken.text,
        settings: Number(countToken.text) > 0 ? { gpus: Number(countToken.text) } : {},
        keyRange: null,
        valueRange: countToken.range,
        edit: countToken.range
          ? { target: countToken.range, encoding: countToken.encoding, form: 'value' }
          : null,
      });
    } else if (isSeq(ids)) {
      const list = ids.items.map((item) => scalarText(item) ?? '').join(',');
      const n = countDevices(list);
      if (n) {
        builder.add({
          knob: null,
          spelling: 'deploy.resources.reservations.devices.device_ids',
          origin: 'deployment',
          raw: list,
          settings: { gpus: n },
          keyRange: null,
          valueRange: nodeRange(ids as Node, source),
          edit: null,
        });
      }
    }
  }
}
