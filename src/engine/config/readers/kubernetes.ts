import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import {
  type ArgToken,
  engineOfImage,
  findEngineCommand,
  findRouterCommand,
  imageTakesPositionalModel,
  readEngineArgs,
} from '../args.js';
import { BlockBuilder, type BlockProblem } from '../block.js';
import type { EngineId } from '../engines/index.js';
import { isShellScriptOption } from '../shell.js';
import type { SourceFile } from '../source.js';
import { addEnvVariable } from './env.js';
import { GPU_LABEL_KEYS, hardwareFromLabel } from './hardware-hint.js';
import { setEngineVersion } from './image-version.js';
import { type ServingTemplate, servingTemplates } from './kubernetes-kinds.js';
import { checkContainerStrings } from './kubernetes-strings.js';
import { readPlatformResource } from './platform-crds.js';
import { readShellText, type VariableScope } from './shell.js';
import {
  getIn,
  mapInsertion,
  mapPairs,
  nodeRange,
  scalarOffsets,
  scalarText,
  seqInsertion,
  seqTokens,
  valueToken,
} from './yaml-util.js';

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'Pod', 'Job', 'DaemonSet', 'ReplicaSet']);
const GPU_RESOURCES = ['nvidia.com/gpu', 'amd.com/gpu'];

const isKubernetesObject = (node: unknown) => isMap(node) && node.has('apiVersion') && node.has('kind');

/**
 * A Kubernetes object, or an array of them: JSON has no multi-document form, so generators that emit
 * several objects as JSON (jsonnet, cdk8s, scripts) write `[ {Deployment}, {Service} ]`. Only an array
 * whose every item is an object with `apiVersion` and `kind` counts; other JSON arrays are data.
 */
export function isKubernetesDocument(yamlDocument: Document.Parsed): boolean {
  const root = yamlDocument.contents;
  if (isSeq(root)) return root.items.length > 0 && root.items.every(isKubernetesObject);
  return isKubernetesObject(root);
}

/**
 * The objects of a manifest: each document's, the items of a top-level array, and the `items` of a
 * `List` (what `kubectl get -o yaml` and `-o json` print for several objects; kubectl also names lists
 * `DeploymentList` and the like).
 */
function manifestObjects(documents: Document.Parsed[]): YAMLMap[] {
  const objects: YAMLMap[] = [];
  const visit = (node: unknown) => {
    if (!isMap(node)) return;
    const items = node.get('items', true);
    if (/List$/.test(scalarText(node.get('kind', true)) ?? '') && isSeq(items)) {
      for (const item of items.items) visit(item);
    } else objects.push(node);
  };
  for (const { contents } of documents) {
    if (isSeq(contents)) for (const item of contents.items) visit(item);
    else visit(contents);
  }
  return objects;
}

/** Every serving container of every workload in a (multi-document) manifest. */
export function readKubernetes(documents: Document.Parsed[], source: SourceFile) {
  const blocks: BlockBuilder[] = [];
  const problems: BlockProblem[] = [];
  for (const root of manifestObjects(documents)) {
    const kind = scalarText(root.get('kind', true));
    if (!kind) continue;
    const name = scalarText(getIn(root, ['metadata', 'name'])) ?? '(unnamed)';
    const platform = readPlatformResource(kind, root, source);
    if (platform) {
      blocks.push(...platform);
      continue;
    }
    const templates = WORKLOADS.has(kind)
      ? [workloadTemplate(kind, root)]
      : servingTemplates(kind, root, source);
    let leaderServes = false;
    for (const served of templates ?? []) {
      // A LeaderWorkerSet's workers join the leader's server; they are read only when the leader is not.
      if (served.part === 'worker' && leaderServes) continue;
      const hardware = hardwareHint(served.podSpec, source);
      for (const container of served.containers) {
        const containerName = scalarText(container.get('name', true));
        const label = [
          `${kind} ${name}`,
          served.part,
          containerName ? `container ${containerName}` : undefined,
        ]
          .filter((part) => part !== undefined)
          .join(', ');
        const block = readContainer(container, source, label, served.variables, served.engine);
        if (!block) continue;
        if (served.part === 'leader') leaderServes = true;
        if (hardware) block.hardware = hardware;
        if (served.replicasIn) addReplicas(block, served.replicasIn, source);
        addPlatformFields(block, served);
        blocks.push(block);
      }
    }
  }
  return { blocks, problems };
}

function workloadTemplate(kind: string, root: YAMLMap): ServingTemplate {
  const spec = root.get('spec', true);
  const podSpec = kind === 'Pod' ? spec : getIn(spec, ['template', 'spec']);
  const list = getIn(podSpec, ['containers']);
  return {
    part: undefined,
    containers: isSeq(list) ? list.items.filter((c): c is YAMLMap => isMap(c)) : [],
    podSpec,
    replicasIn: isMap(spec) && kind !== 'Pod' ? spec : undefined,
    role: undefined,
    nodes: undefined,
    gpus: undefined,
    variables: new Map(),
    engine: undefined,
  };
}

/** What a serving platform says outside the container: its role, the nodes it spans, its GPUs. */
function addPlatformFields(block: BlockBuilder, served: ServingTemplate): void {
  const setsRole = block.occurrences.some((o) => o.settings.disaggregationMode !== undefined);
  if (served.role && !setsRole) {
    block.add({
      knob: null,
      spelling: 'role',
      origin: 'deployment',
      raw: served.role.mode,
      settings: { disaggregationMode: served.role.mode },
      keyRange: null,
      valueRange: served.role.token?.range ?? null,
      edit: null,
    });
  }
  const nodes = Number(served.nodes?.text);
  if (served.nodes && Number.isInteger(nodes) && nodes > 0)
    block.nodes = { count: nodes, range: served.nodes.range };
  const gpus = Number(served.gpus?.text);
  if (served.gpus && Number.isInteger(gpus) && gpus > 0) {
    block.add({
      knob: null,
      spelling: 'resources.limits.gpu',
      origin: 'deployment',
      raw: served.gpus.text,
      settings: { gpus },
      keyRange: null,
      valueRange: served.gpus.range,
      edit: served.gpus.range
        ? { target: served.gpus.range, encoding: served.gpus.encoding, form: 'value' }
        : null,
    });
  }
}

function addReplicas(block: BlockBuilder, spec: YAMLMap, source: SourceFile): void {
  const replicas = spec.get('replicas', true);
  const token = valueToken(replicas, source);
  if (token && isScalar(replicas)) {
    const count = Number(token.text);
    // The API's replicas is an int32: `replicas: "2"` is refused by kubectl, though it reads as 2 here.
    if (typeof replicas.value === 'string' && Number.isInteger(count) && count > 0)
      block.problem(
        'error',
        `replicas is the string "${token.text}": Kubernetes takes a number here and refuses the manifest (write ${count})`,
        token.range,
        'invalid-value',
      );
    block.add({
      knob: null,
      spelling: 'replicas',
      origin: 'deployment',
      raw: token.text,
      settings: Number.isInteger(count) && count > 0 ? { replicas: count } : {},
      keyRange: null,
      valueRange: token.range,
      ...(Number.isInteger(count) && count > 0
        ? {}
        : { error: `replicas: expected a positive integer, got '${token.text}'` }),
      edit: token.range ? { target: token.range, encoding: token.encoding, form: 'value' } : null,
    });
    return;
  }
  const insertion = mapInsertion(spec, source, { key: 'replicas', setting: 'replicas' });
  if (insertion) block.insertions.push({ ...insertion, kind: 'deployment-key' });
}

function hardwareHint(podSpec: unknown, source: SourceFile): BlockBuilder['hardware'] {
  const selector = getIn(podSpec, ['nodeSelector']);
  for (const { key, value } of mapPairs(selector)) {
    if (!GPU_LABEL_KEYS.includes(String(key.value))) continue;
    const text = scalarText(value);
    if (text && isScalar(value))
      return { text, id: hardwareFromLabel(text), range: nodeRange(value, source) };
  }
  // Affinity: look at the values of match expressions on GPU label keys.
  const terms = getIn(podSpec, [
    'affinity',
    'nodeAffinity',
    'requiredDuringSchedulingIgnoredDuringExecution',
    'nodeSelectorTerms',
  ]);
  if (isSeq(terms)) {
    for (const term of terms.items) {
      const expressions = getIn(term, ['matchExpressions']);
      if (!isSeq(expressions)) continue;
      for (const expression of expressions.items) {
        if (!GPU_LABEL_KEYS.includes(scalarText(getIn(expression, ['key'])) ?? '')) continue;
        const values = getIn(expression, ['values']);
        const first = isSeq(values) ? values.items[0] : undefined;
        const text = scalarText(first);
        if (text && isScalar(first))
          return { text, id: hardwareFromLabel(text), range: nodeRange(first, source) };
      }
    }
  }
  return undefined;
}

function containerWords(seq: YAMLSeq, source: SourceFile, variables: VariableScope): ArgToken[] {
  // Kubernetes expands `$(NAME)` from the container's env before the process sees it.
  return seqTokens(seq, source).map((token) => {
    const reference = /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(token.text);
    const value = reference ? variables.get(reference[1]) : undefined;
    return value ? { ...value, removal: token.removal, note: `from $(${reference![1]})` } : token;
  });
}

/** One container: its engine command (direct, inside `sh -c`, or args to an engine image), env, GPUs. */
export function readContainer(
  container: YAMLMap,
  source: SourceFile,
  label: string,
  platform: VariableScope = new Map(),
  fallbackEngine?: EngineId,
): BlockBuilder | undefined {
  const image = scalarText(container.get('image', true)) ?? '';
  const command = container.get('command', true);
  const args = container.get('args', true);
  const variables: VariableScope = new Map(platform);
  const envEntries: { name: string; token: ArgToken; keyRange: ReturnType<SourceFile['range']> }[] = [];
  const env = container.get('env', true);
  if (isSeq(env)) {
    for (const entry of env.items) {
      const nameNode = getIn(entry, ['name']);
      const valueNode = getIn(entry, ['value']);
      const name = scalarText(nameNode);
      const token = valueToken(valueNode, source);
      if (!name || !token || !isScalar(nameNode)) continue;
      variables.set(name, token);
      envEntries.push({ name, token, keyRange: nodeRange(nameNode as Node, source) });
    }
  }
  const commandTokens = isSeq(command) ? containerWords(command, source, variables) : [];
  const argTokens = isSeq(args) ? containerWords(args, source, variables) : [];
  const all = [...commandTokens, ...argTokens];
  const range = nodeRange(container, source);
  const builder = new BlockBuilder(source.path, 'kubernetes', label, range);

  // `sh -c "<script>"`: the script is a shell text inside one YAML scalar.
  const dashC = all.findIndex((t, i) => isShellScriptOption(all[i - 1]?.text, t.text));
  if (dashC >= 0) {
    const items = [...(isSeq(command) ? command.items : []), ...(isSeq(args) ? args.items : [])];
    // `bash -c -- 'script'`: `--` only ends the shell's options.
    const scriptNode = items[all[dashC + 1]?.text === '--' ? dashC + 2 : dashC + 1];
    if (!isScalar(scriptNode)) return undefined;
    const offsets = scalarOffsets(scriptNode as Scalar, source);
    const text = scalarText(scriptNode) ?? '';
    const block = scriptNode.type === 'BLOCK_LITERAL' || scriptNode.type === 'BLOCK_FOLDED';
    const read = readShellText(
      text,
      { source, offsets: offsets ?? (() => null), encoding: block ? 'shell' : 'bare', variables },
      {
        kind: 'kubernetes',
        label: () => label,
        ...(engineOfImage(image) ? { imageEngine: engineOfImage(image)! } : {}),
      },
    );
    const inner = read.blocks[0];
    if (!inner) return undefined;
    inner.range = range;
    for (const problem of read.problems) inner.problems.push(problem);
    if (!offsets)
      inner.problem(
        'info',
        'the command is written in a way ServeTune cannot edit in place (escapes or folding)',
        nodeRange(scriptNode, source),
      );
    finishContainer(inner, container, source, envEntries);
    return inner;
  }

  const words = all.map((t) => t.text);
  if (findRouterCommand(words)) return undefined;
  const found = findEngineCommand(words);
  const engine =
    found?.engine ??
    (command === undefined || commandTokens.length === 0
      ? (engineOfImage(image) ?? fallbackEngine)
      : undefined);
  if (!engine) return undefined;
  builder.engine = engine;
  const start = found ? found.argsStart : commandTokens.length;
  const read = readEngineArgs(builder, engine, all.slice(start), {
    positionalModel: found ? found.positionalModel : imageTakesPositionalModel(engine),
    ...(found ? { flagWords: found.flagWords } : {}),
  });
  builder.configFile = read.configFile;
  const argsSeq = isSeq(args) ? args : isSeq(command) ? command : undefined;
  const insertion = argsSeq ? seqInsertion(argsSeq, source) : undefined;
  if (insertion) builder.insertions.push(insertion);
  finishContainer(builder, container, source, envEntries);
  return builder;
}

function finishContainer(
  builder: BlockBuilder,
  container: YAMLMap,
  source: SourceFile,
  envEntries: { name: string; token: ArgToken; keyRange: ReturnType<SourceFile['range']> }[],
): void {
  if (!builder.engine) return;
  checkContainerStrings(builder, container, source);
  const imageNode = container.get('image', true);
  const image = valueToken(imageNode, source);
  if (image) setEngineVersion(builder, image.text, image.range);
  // The environment is read before the arguments in precedence: flags override env vars.
  const before = builder.occurrences.splice(0);
  for (const entry of envEntries)
    addEnvVariable(builder, builder.engine, entry.name, entry.token, entry.keyRange);
  for (const occurrence of before) builder.add(occurrence);
  const env = container.get('env', true);
  if (isSeq(env) && !env.flow && env.items.length > 0) {
    const first = env.items[0] as Node;
    const last = env.items[env.items.length - 1] as Node;
    if (first.range && last.range) {
      const dash = source.text.lastIndexOf('-', first.range[0]);
      const at = source.lineEnd(Math.max(last.range[0], last.range[1] - 1));
      builder.insertions.push({
        kind: 'env-k8s',
        at: source.range(at, at),
        indent: ' '.repeat(source.position(dash).column),
      });
    }
  }
  for (const section of ['limits', 'requests'] as const) {
    const resources = getIn(container, ['resources', section]);
    for (const resource of GPU_RESOURCES) {
      const node = isMap(resources) ? resources.get(resource, true) : undefined;
      const token = valueToken(node, source);
      if (!token) continue;
      const count = Number(token.text);
      builder.add({
        knob: null,
        spelling: `resources.${section}.${resource}`,
        origin: 'deployment',
        raw: token.text,
        settings: Number.isInteger(count) && count > 0 ? { gpus: count } : {},
        keyRange: null,
        valueRange: token.range,
        ...(Number.isInteger(count) && count > 0
          ? {}
          : { error: `${resource}: expected a positive integer, got '${token.text}'` }),
        edit: token.range ? { target: token.range, encoding: token.encoding, form: 'value' } : null,
      });
    }
  }
}
