import { isMap, isNode, isScalar, isSeq, type YAMLMap } from 'yaml';
import { readEngineArgs } from '../args.js';
import { BlockBuilder } from '../block.js';
import type { EngineId } from '../engines/index.js';
import { findFlag } from '../knobs/index.js';
import type { SettingKey } from '../serving-settings.js';
import type { SourceFile } from '../source.js';
import { hardwareFromLabel } from './hardware-hint.js';
import { readContainer } from './kubernetes.js';
import { getIn, mapPairs, nodeRange, scalarText, seqTokens, valueToken } from './yaml-util.js';

/**
 * Serving platforms whose custom resources describe the server in their own fields rather than a pod
 * template: KubeAI `Model`, production-stack `VLLMRuntime`, KServe `LLMInferenceService`. Each field
 * that maps to an engine knob is read (and edited) where it is written.
 */

/** `hf://org/name` and `pvc://…/org/name` name the model by its repository. */
function modelOfUri(text: string): string {
  return text.replace(/^(hf|huggingface):\/\//, '');
}

export function addModel(builder: BlockBuilder, node: unknown, source: SourceFile, spelling: string): void {
  const token = valueToken(node, source);
  if (!token?.text) return;
  const model = modelOfUri(token.text);
  const prefix = token.text.length - model.length;
  const at = token.verbatim !== null ? token.verbatim + prefix : null;
  builder.add({
    knob: 'model',
    spelling,
    origin: 'yaml',
    raw: token.text,
    settings: /^[a-z]+:\/\//.test(model) ? {} : { model },
    keyRange: null,
    valueRange: at !== null ? source.range(at, at + model.length) : token.range,
    edit:
      at !== null ? { target: source.range(at, at + model.length), encoding: 'bare', form: 'value' } : null,
  });
}

/** A count (replicas, GPUs, a parallel degree) as a YAML value; `knob` where it is an engine setting. */
export function addCount(
  builder: BlockBuilder,
  node: unknown,
  source: SourceFile,
  spelling: string,
  key: SettingKey,
  knob: string | null = null,
) {
  const token = valueToken(node, source);
  const count = Number(token?.text);
  if (!token || !Number.isInteger(count) || count < 1) return;
  builder.add({
    knob,
    spelling,
    origin: 'deployment',
    raw: token.text,
    settings: { [key]: count },
    keyRange: null,
    valueRange: token.range,
    edit: token.range ? { target: token.range, encoding: token.encoding, form: 'value' } : null,
  });
}

/** camelCase or snake_case keys that are engine flags (`tensorParallelSize`, `max_model_len`). */
export function addKnobKeys(
  builder: BlockBuilder,
  engine: EngineId,
  map: unknown,
  source: SourceFile,
  prefix: string,
) {
  for (const { key, value } of mapPairs(map)) {
    const name = String(key.value);
    const match = findFlag(engine, name);
    const token = valueToken(value, source);
    if (!match || !token || match.knob.id === 'model') continue;
    const raw = isScalar(value) && typeof value.value === 'boolean' ? value.value : token.text;
    const read = match.knob.read(raw);
    builder.add({
      knob: match.knob.id,
      spelling: `${prefix}${name}`,
      origin: 'yaml',
      raw,
      settings: typeof read === 'string' ? {} : read,
      keyRange: nodeRange(key, source),
      valueRange: token.range,
      ...(typeof read === 'string' ? { error: `${name}: ${read}` } : {}),
      edit: token.range ? { target: token.range, encoding: token.encoding, form: 'value' } : null,
    });
  }
}

function argsOf(builder: BlockBuilder, engine: EngineId, node: unknown, source: SourceFile): void {
  if (isSeq(node)) readEngineArgs(builder, engine, seqTokens(node, source), { positionalModel: false });
}

/** KubeAI `Model`: `url`, `engine`, `args`, `resourceProfile: nvidia-gpu-h100:2`, replicas. */
function kubeAiModel(root: YAMLMap, source: SourceFile, name: string): BlockBuilder[] {
  const spec = root.get('spec', true);
  const engine = scalarText(getIn(spec, ['engine']))?.toLowerCase();
  if (engine !== 'vllm') return [];
  const builder = new BlockBuilder(source.path, 'kubernetes', `Model ${name}`, nodeRange(root, source));
  builder.engine = 'vllm';
  addModel(builder, getIn(spec, ['url']), source, 'url');
  argsOf(builder, 'vllm', getIn(spec, ['args']), source);
  addCount(
    builder,
    getIn(spec, ['replicas']) ?? getIn(spec, ['minReplicas']),
    source,
    'replicas',
    'replicas',
  );
  const profileNode = getIn(spec, ['resourceProfile']);
  const profile = valueToken(profileNode, source);
  const match = profile ? /^(.*):(\d+)$/.exec(profile.text) : null;
  if (profile && match) {
    builder.add({
      knob: null,
      spelling: 'resourceProfile',
      origin: 'deployment',
      raw: profile.text,
      settings: { gpus: Number(match[2]) },
      keyRange: null,
      valueRange: profile.range,
      edit: null,
    });
    const hardware = hardwareFromLabel(match[1]);
    if (hardware && profile.range) builder.hardware = { text: match[1], id: hardware, range: profile.range };
  }
  return [builder];
}

/** production-stack `VLLMRuntime`: `model.modelURL`, `vllmConfig` keys and `extraArgs`, `deploymentConfig`. */
function vllmRuntime(root: YAMLMap, source: SourceFile, name: string): BlockBuilder[] {
  const spec = root.get('spec', true);
  const builder = new BlockBuilder(source.path, 'kubernetes', `VLLMRuntime ${name}`, nodeRange(root, source));
  builder.engine = 'vllm';
  addModel(builder, getIn(spec, ['model', 'modelURL']), source, 'model.modelURL');
  addKnobKeys(builder, 'vllm', getIn(spec, ['model']), source, 'model.');
  addKnobKeys(builder, 'vllm', getIn(spec, ['vllmConfig']), source, 'vllmConfig.');
  argsOf(builder, 'vllm', getIn(spec, ['vllmConfig', 'extraArgs']), source);
  addCount(
    builder,
    getIn(spec, ['deploymentConfig', 'replicas']),
    source,
    'deploymentConfig.replicas',
    'replicas',
  );
  addCount(builder, getIn(spec, ['deploymentConfig', 'resources', 'gpu']), source, 'resources.gpu', 'gpus');
  return [builder];
}

/** `parallelism: {tensor, pipeline, data}` of an LLMInferenceService part, as the vLLM flags it sets. */
const PARALLELISM: Record<string, { setting: SettingKey; flag: string }> = {
  tensor: { setting: 'tp', flag: '--tensor-parallel-size' },
  pipeline: { setting: 'pp', flag: '--pipeline-parallel-size' },
  data: { setting: 'dp', flag: '--data-parallel-size' },
};

/** Where a vLLM part's pieces are: its containers (under the part) and the model URI node. */
export interface VllmPartShape {
  containers: readonly string[];
  modelUri: unknown;
  /** Where the file keeps that URI, as shown beside the model (`model.uri`, `modelArtifacts.uri`). */
  modelUriKey: string;
  /** The node the block's range covers when no container is read. */
  root: YAMLMap;
  /** `parallelism.expert: true` passes --enable-expert-parallel (KServe's launch scripts). */
  expertSwitch?: boolean;
  /** Pods one server of this part spans, and the node that says so (the platform's own rule). */
  nodes?: (part: unknown) => { count: number; node: unknown } | undefined;
}

/** A whole number read from a YAML scalar, or undefined. */
export function countAt(node: unknown, path: readonly string[]): number | undefined {
  const value = Number(scalarText(getIn(node, [...path])));
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * A container that carries its own command (a launch script): the platform runs it as written and its
 * `parallelism` only sizes the pods (llm-d's `modelCommand: custom`, KServe's template with `command`).
 */
function runsOwnCommand(container: YAMLMap | undefined): boolean {
  if (!container) return false;
  return container.has('command') || scalarText(container.get('modelCommand', true)) === 'custom';
}

/**
 * `parallelism`: the platform's flags (unless the container runs its own command, which it sizes only)
 * and the nodes one server spans.
 */
function readParallelism(
  builder: BlockBuilder,
  part: unknown,
  shape: VllmPartShape,
  source: SourceFile,
  ownCommand: boolean,
): void {
  if (!ownCommand)
    for (const { key, value } of mapPairs(getIn(part, ['parallelism']))) {
      const degree = PARALLELISM[String(key.value)];
      const knob = degree ? findFlag('vllm', degree.flag)?.knob.id : undefined;
      if (degree) addCount(builder, value, source, `parallelism.${String(key.value)}`, degree.setting, knob);
    }
  const expert = getIn(part, ['parallelism', 'expert']);
  if (shape.expertSwitch && !ownCommand && isScalar(expert) && expert.value === true)
    builder.add({
      knob: findFlag('vllm', '--enable-expert-parallel')?.knob.id ?? null,
      spelling: 'parallelism.expert',
      origin: 'deployment',
      raw: true,
      settings: { expertParallel: true },
      keyRange: null,
      valueRange: nodeRange(expert, source),
      edit: { target: nodeRange(expert, source), encoding: 'yaml-value', form: 'value' },
    });
  const nodes = shape.nodes?.(part);
  if (nodes && nodes.count > 1)
    builder.nodes = { count: nodes.count, range: isNode(nodes.node) ? nodeRange(nodes.node, source) : null };
}

/**
 * One vLLM pool of a platform that runs vLLM whatever the image (LLMInferenceService, llm-d): its first
 * container's flags, the model from a `hf://` URI, `parallelism`, `replicas`, and its role.
 */
export function vllmPart(
  part: unknown,
  shape: VllmPartShape,
  source: SourceFile,
  label: string,
  role: 'prefill' | 'decode' | undefined,
): BlockBuilder {
  const { root } = shape;
  const container = getIn(part, [...shape.containers]);
  const main = isSeq(container) ? container.items.find((c): c is YAMLMap => isMap(c)) : undefined;
  const fromContainer = main ? readContainer(main, source, label, new Map(), 'vllm') : undefined;
  const builder =
    fromContainer ?? new BlockBuilder(source.path, 'kubernetes', label, nodeRange(root, source));
  builder.engine ??= 'vllm';
  builder.label = label;
  if (!builder.occurrences.some((o) => o.settings.model !== undefined))
    addModel(builder, shape.modelUri, source, shape.modelUriKey);
  readParallelism(builder, part, shape, source, runsOwnCommand(main));
  addCount(builder, getIn(part, ['replicas']), source, 'replicas', 'replicas');
  if (role)
    builder.add({
      knob: null,
      spelling: role,
      origin: 'deployment',
      raw: role,
      settings: { disaggregationMode: role },
      keyRange: null,
      valueRange: null,
      edit: null,
    });
  return builder;
}

/**
 * Pods per server of an LLMInferenceService part with a `worker` template: KServe sizes the
 * LeaderWorkerSet by `parallelism` (data ÷ dataLocal when data parallel, else pipeline).
 */
function kserveGroupSize(part: unknown): { count: number; node: unknown } | undefined {
  const worker = getIn(part, ['worker']);
  if (!isMap(worker)) return undefined;
  const data = countAt(part, ['parallelism', 'data']);
  const dataLocal = countAt(part, ['parallelism', 'dataLocal']);
  const pipeline = countAt(part, ['parallelism', 'pipeline']);
  const count =
    data !== undefined || dataLocal !== undefined
      ? Math.max(1, Math.floor((data ?? 1) / (dataLocal ?? 1)))
      : pipeline;
  return count === undefined ? undefined : { count, node: worker };
}

/** KServe `LLMInferenceService`: the main (decode) part, a `prefill` part, and `worker` for multi-node. */
function llmInferenceService(root: YAMLMap, source: SourceFile, name: string): BlockBuilder[] {
  const spec = root.get('spec', true);
  const prefill = getIn(spec, ['prefill']);
  const shape = {
    containers: ['template', 'containers'],
    modelUri: getIn(spec, ['model', 'uri']),
    modelUriKey: 'model.uri',
    root,
    nodes: kserveGroupSize,
    expertSwitch: true,
  };
  const parts = [
    vllmPart(spec, shape, source, `LLMInferenceService ${name}`, prefill ? 'decode' : undefined),
  ];
  if (isMap(prefill))
    parts.push(vllmPart(prefill, shape, source, `LLMInferenceService ${name}, prefill`, 'prefill'));
  return parts;
}

/** The blocks of a platform custom resource, or undefined for other kinds. */
export function readPlatformResource(
  kind: string,
  root: YAMLMap,
  source: SourceFile,
): BlockBuilder[] | undefined {
  const name = scalarText(getIn(root, ['metadata', 'name'])) ?? '(unnamed)';
  const apiVersion = scalarText(root.get('apiVersion', true)) ?? '';
  if (kind === 'Model' && apiVersion.startsWith('kubeai.org/')) return kubeAiModel(root, source, name);
  if (kind === 'VLLMRuntime') return vllmRuntime(root, source, name);
  if (kind === 'LLMInferenceService') return llmInferenceService(root, source, name);
  return undefined;
}
