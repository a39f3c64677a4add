import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import { engineOfImage, findEngineCommand, readEngineArgs } from '../args.js';
import { BlockBuilder } from '../block.js';
import { ENGINES, type EngineId } from '../engines/index.js';
import type { SourceFile } from '../source.js';
import { addEnvVariable } from './env.js';
import { hardwareFromLabel } from './hardware-hint.js';
import { setEngineVersion } from './image-version.js';
import { addCount } from './platform-crds.js';
import { getIn, nodeRange, scalarText, seqInsertion, seqTokens, valueToken } from './yaml-util.js';

/**
 * The upstream vLLM chart (vllm-project/vllm `examples/online_serving/chart-helm`): the whole command is
 * `image.command`; `replicaCount`, `resources.limits.nvidia.com/gpu` and `gpuModels` (the node's
 * `nvidia.com/gpu.product`) shape the Deployment.
 */
export function isVllmChartValues(root: unknown): boolean {
  return (
    isMap(root) &&
    isSeq(getIn(root, ['image', 'command'])) &&
    (root.has('gpuModels') || root.has('containerPort'))
  );
}

/**
 * OPEA's model-server charts (opea-project/GenAIInfra `helm-charts/common/vllm`, `…/tgi`): the model is
 * `LLM_MODEL_ID`, extra flags `extraCmdArgs`; the TGI chart hands its upper-case keys (`MAX_TOTAL_TOKENS`,
 * `CUDA_GRAPHS`, …) to the server as environment variables. The image says which engine.
 */
export function isOpeaChartValues(root: unknown): boolean {
  return isMap(root) && root.has('LLM_MODEL_ID') && opeaEngine(root) !== undefined;
}

function opeaEngine(root: YAMLMap): EngineId | undefined {
  const engine = engineOfImage(scalarText(getIn(root, ['image', 'repository'])) ?? '');
  return engine === 'vllm' || engine === 'tgi' ? engine : undefined;
}

/** Replicas, GPUs, the image version and the GPU product, where both charts keep them. */
function deploymentValues(builder: BlockBuilder, root: YAMLMap, source: SourceFile, gpuHint: unknown): void {
  addCount(builder, root.get('replicaCount', true), source, 'replicaCount', 'replicas');
  const gpus = getIn(root, ['resources', 'limits', 'nvidia.com/gpu']);
  addCount(builder, gpus, source, 'resources.limits.nvidia.com/gpu', 'gpus');
  const repository = scalarText(getIn(root, ['image', 'repository']));
  const tag = valueToken(getIn(root, ['image', 'tag']), source);
  if (repository && tag) setEngineVersion(builder, `${repository}:${tag.text}`, tag.range);
  if (isMap(gpuHint) || isSeq(gpuHint)) {
    const id = hardwareFromLabel(JSON.stringify(gpuHint.toJSON()));
    if (id) builder.hardware = { text: id, id, range: nodeRange(gpuHint, source) };
  }
}

export function readVllmChart(root: YAMLMap, source: SourceFile): BlockBuilder[] {
  const command = getIn(root, ['image', 'command']);
  if (!isSeq(command)) return [];
  const tokens = seqTokens(command, source);
  const found = findEngineCommand(tokens.map((t) => t.text));
  const builder = new BlockBuilder(
    source.path,
    'helm-vllm',
    'vLLM chart image.command',
    nodeRange(root, source),
  );
  if (!found) {
    builder.problem(
      'info',
      'image.command does not start an engine ServeTune knows',
      nodeRange(command, source),
    );
    return [builder];
  }
  builder.engine = found.engine;
  readEngineArgs(builder, found.engine, tokens.slice(found.argsStart), {
    positionalModel: found.positionalModel,
    flagWords: found.flagWords,
  });
  const insertion = seqInsertion(command, source);
  if (insertion) builder.insertions.push(insertion);
  deploymentValues(builder, root, source, root.get('gpuModels', true));
  return [builder];
}

export function readOpeaChart(root: YAMLMap, source: SourceFile): BlockBuilder[] {
  const engine = opeaEngine(root);
  if (!engine) return [];
  const builder = new BlockBuilder(source.path, 'helm-opea', `OPEA ${engine} chart`, nodeRange(root, source));
  builder.engine = engine;
  addOpeaModel(builder, engine, root, source);
  const extra = root.get('extraCmdArgs', true);
  if (isSeq(extra)) {
    readEngineArgs(builder, engine, seqTokens(extra, source), { positionalModel: false });
    const insertion = seqInsertion(extra, source);
    if (insertion) builder.insertions.push(insertion);
  }
  if (engine === 'tgi') {
    for (const item of root.items) {
      const name = scalarText(item.key);
      const token = valueToken(item.value, source);
      // The chart leaves out a key whose value is empty.
      if (!name || !/^[A-Z][A-Z0-9_]*$/.test(name) || !token?.text || name === 'LLM_MODEL_ID') continue;
      addEnvVariable(builder, engine, name, token, isScalar(item.key) ? nodeRange(item.key, source) : null);
    }
  }
  deploymentValues(builder, root, source, root.get('nodeSelector', true));
  return [builder];
}

/** `LLM_MODEL_ID`: the chart passes it as `--model` (vLLM) or `MODEL_ID` (TGI). */
function addOpeaModel(builder: BlockBuilder, engine: EngineId, root: YAMLMap, source: SourceFile): void {
  const token = valueToken(root.get('LLM_MODEL_ID', true), source);
  if (!token?.text) return;
  const knob = ENGINES[engine].knobTable.knobs.find((k) => k.settings.includes('model'));
  builder.add({
    knob: knob?.id ?? null,
    spelling: 'LLM_MODEL_ID',
    origin: 'yaml',
    raw: token.text,
    settings: { model: token.text },
    keyRange: null,
    valueRange: token.range,
    edit: token.range ? { target: token.range, encoding: token.encoding, form: 'value' } : null,
  });
}
