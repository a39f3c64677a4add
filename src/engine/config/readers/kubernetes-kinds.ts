import { isMap, isSeq, type YAMLMap } from 'yaml';
import type { ArgToken } from '../args.js';
import type { EngineId } from '../engines/index.js';
import type { SourceFile } from '../source.js';
import { getIn, mapPairs, scalarText, valueToken } from './yaml-util.js';

/**
 * Where the serving containers of a Kubernetes kind live, beyond the built-in workloads: serving
 * platforms wrap pod templates in their own custom resources. One entry per pod template that serves.
 */
export interface ServingTemplate {
  /** `leader`, `service VllmDecodeWorker`, `role prefill`…: appended to the block label. */
  part: string | undefined;
  /** A pod spec holding `containers`, or one container map given directly. */
  containers: YAMLMap[];
  /** The pod spec, for node selectors. */
  podSpec: unknown;
  /** The map whose `replicas` key counts copies of this server, when there is one. */
  replicasIn: YAMLMap | undefined;
  /** Prefill or decode side of a disaggregated deployment, from the platform's own field. */
  role: { mode: 'prefill' | 'decode'; token: ArgToken | undefined } | undefined;
  /** Nodes one server spans (LeaderWorkerSet `size`). */
  nodes: ArgToken | undefined;
  /** GPUs per pod given outside the container (Dynamo `resources.limits.gpu`). */
  gpus: ArgToken | undefined;
  /** Variables the platform sets in every container (`LWS_GROUP_SIZE`). */
  variables: Map<string, ArgToken>;
  /** The engine of a container that names no image (the platform's runtime supplies it). */
  engine: EngineId | undefined;
}

const containersOf = (podSpec: unknown): YAMLMap[] => {
  const list = getIn(podSpec, ['containers']);
  return isSeq(list) ? list.items.filter((c): c is YAMLMap => isMap(c)) : [];
};

function template(podSpec: unknown, part: string | undefined, replicasIn?: unknown): ServingTemplate {
  return {
    part,
    containers: containersOf(podSpec),
    podSpec,
    replicasIn: isMap(replicasIn) ? replicasIn : undefined,
    role: undefined,
    nodes: undefined,
    gpus: undefined,
    variables: new Map(),
    engine: undefined,
  };
}

/** A role named by a platform field or a name (`prefill`, `VllmDecodeWorker`). */
function roleOf(text: string | undefined, token?: ArgToken): ServingTemplate['role'] {
  if (!text) return undefined;
  if (/prefill/i.test(text)) return { mode: 'prefill', token };
  if (/decode/i.test(text)) return { mode: 'decode', token };
  return undefined;
}

/** LeaderWorkerSet: the leader runs the server (the workers join it); `size` pods make one server. */
function leaderWorkerSet(spec: unknown, source: SourceFile): ServingTemplate[] {
  const lwt = getIn(spec, ['leaderWorkerTemplate']);
  const size = valueToken(getIn(lwt, ['size']), source);
  const leader = getIn(lwt, ['leaderTemplate', 'spec']);
  const worker = getIn(lwt, ['workerTemplate', 'spec']);
  const parts: ServingTemplate[] = [];
  for (const [podSpec, part, index] of [
    [leader, 'leader', '0'],
    [worker, 'worker', '1'],
  ] as const) {
    if (!podSpec) continue;
    const entry = template(podSpec, leader ? part : undefined, spec);
    entry.nodes = size;
    if (size) entry.variables.set('LWS_GROUP_SIZE', size);
    entry.variables.set('LWS_WORKER_INDEX', literal(index, source));
    parts.push(entry);
  }
  return parts;
}

function literal(text: string, source: SourceFile): ArgToken {
  return {
    text,
    range: null,
    verbatim: null,
    encoding: 'bare',
    removal: null,
    source,
    note: 'set by the platform',
  };
}

/** Dynamo DynamoGraphDeployment: `spec.services.<name>` with `extraPodSpec.mainContainer`. */
function dynamoGraph(spec: unknown, source: SourceFile): ServingTemplate[] {
  const parts: ServingTemplate[] = [];
  for (const { key, value } of mapPairs(getIn(spec, ['services']))) {
    const main = getIn(value, ['extraPodSpec', 'mainContainer']);
    if (!isMap(main) || !isMap(value)) continue;
    const name = String(key.value);
    const entry = template(getIn(value, ['extraPodSpec']), `service ${name}`, value);
    entry.containers = [main];
    const sub = getIn(value, ['subComponentType']);
    entry.role = roleOf(scalarText(sub), valueToken(sub, source)) ?? roleOf(name);
    entry.gpus = valueToken(getIn(value, ['resources', 'limits', 'gpu']), source);
    entry.nodes = valueToken(getIn(value, ['multinode', 'nodeCount']), source);
    parts.push(entry);
  }
  return parts;
}

/** KServe InferenceService: `predictor.model` is a container; `predictor.containers` a pod spec. */
function inferenceService(spec: unknown): ServingTemplate[] {
  const predictor = getIn(spec, ['predictor']);
  const model = getIn(predictor, ['model']);
  const entry = template(predictor, 'predictor', predictor);
  if (isMap(model) && (model.has('args') || model.has('command'))) entry.containers.unshift(model);
  // The Hugging Face model format is served by vLLM unless the runtime's image says otherwise.
  if (/huggingface/i.test(scalarText(getIn(model, ['modelFormat', 'name'])) ?? '')) entry.engine = 'vllm';
  return entry.containers.length > 0 ? [entry] : [];
}

/** AIBrix StormService: `spec.template.spec.roles[]`, each a named pod template with replicas. */
function stormService(spec: unknown, source: SourceFile): ServingTemplate[] {
  const roles = getIn(spec, ['template', 'spec', 'roles']);
  if (!isSeq(roles)) return [];
  return roles.items.flatMap((role) => {
    const name = scalarText(getIn(role, ['name']));
    const entry = template(getIn(role, ['template', 'spec']), `role ${name ?? '?'}`, role);
    entry.role = roleOf(name, valueToken(getIn(role, ['name']), source));
    return [entry];
  });
}

/** The serving templates of a custom resource kind ServeTune knows, or undefined for other kinds. */
export function servingTemplates(
  kind: string,
  root: YAMLMap,
  source: SourceFile,
): ServingTemplate[] | undefined {
  const spec = root.get('spec', true);
  switch (kind) {
    case 'LeaderWorkerSet':
      return leaderWorkerSet(spec, source);
    case 'DynamoGraphDeployment':
      return dynamoGraph(spec, source);
    case 'ServingRuntime':
    case 'ClusterServingRuntime':
      return [template(spec, undefined)];
    case 'InferenceService':
      return inferenceService(spec);
    case 'RayClusterFleet':
      return [template(getIn(spec, ['template', 'spec', 'headGroupSpec', 'template', 'spec']), 'head', spec)];
    case 'RayCluster':
      return [template(getIn(spec, ['headGroupSpec', 'template', 'spec']), 'head')];
    case 'StormService':
      return stormService(spec, source);
    default:
      return undefined;
  }
}
