import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import { readEngineArgs } from '../args.js';
import { BlockBuilder, type BlockProblem } from '../block.js';
import type { EngineId } from '../engines/index.js';
import { findFlag } from '../knobs/index.js';
import type { SourceFile } from '../source.js';
import { hardwareFromLabel } from './hardware-hint.js';
import { setEngineVersion } from './image-version.js';
import {
  getIn,
  mapInsertion,
  mapPairs,
  nodeRange,
  scalarText,
  seqInsertion,
  seqTokens,
  valueToken,
} from './yaml-util.js';

/** The production-stack chart deploys vLLM. */
const CHART_ENGINE: EngineId = 'vllm';

/**
 * The vllmConfig keys the vLLM production-stack chart turns into flags (deployment-vllm-multi.yaml), in
 * the order it writes them. Other keys are ignored by the chart.
 */
export const CHART_KEYS = [
  'enableChunkedPrefill',
  'enablePrefixCaching',
  'maxModelLen',
  'dtype',
  'tensorParallelSize',
  'maxNumSeqs',
  'gpuMemoryUtilization',
  'maxLoras',
] as const;
/** Under `raySpec` the chart's start script also passes `pipelineParallelSize`. */
const RAY_CHART_KEYS = [...CHART_KEYS, 'pipelineParallelSize'] as const;
const knobIds = (keys: readonly string[]) =>
  keys.map((key) => findFlag(CHART_ENGINE, key)?.knob.id).filter((id): id is string => !!id);

/** The vllmConfig keys the chart passes to vLLM for this modelSpec (Ray's start script or the Deployment). */
export function chartKeys(ray: boolean): readonly string[] {
  return ray ? RAY_CHART_KEYS : CHART_KEYS;
}

/**
 * A modelSpec the chart runs as a Ray cluster (`raySpec`; charts since 0.1.8 also want `enabled: true`):
 * a head and `replicaCount` workers of `requestGPU` GPUs each, one server over all of them.
 */
function runsOnRay(spec: YAMLMap): boolean {
  const ray = spec.get('raySpec', true);
  return isMap(ray) && scalarText(ray.get('enabled', true)) !== 'false';
}

export function isProductionStackValues(root: unknown): boolean {
  return isMap(root) && isSeq(getIn(root, ['servingEngineSpec', 'modelSpec']));
}

/** Each `servingEngineSpec.modelSpec[]` entry of production-stack Helm values is one vLLM deployment. */
export function readProductionStack(root: YAMLMap, source: SourceFile) {
  const blocks: BlockBuilder[] = [];
  const problems: BlockProblem[] = [];
  const specs = getIn(root, ['servingEngineSpec', 'modelSpec']);
  if (!isSeq(specs)) return { blocks, problems };
  for (const spec of specs.items) {
    if (!isMap(spec)) continue;
    const name = scalarText(spec.get('name', true)) ?? '?';
    const builder = new BlockBuilder(
      source.path,
      'helm-production-stack',
      `modelSpec ${name}`,
      nodeRange(spec, source),
    );
    builder.engine = CHART_ENGINE;
    const repository = scalarText(spec.get('repository', true));
    const tag = valueToken(spec.get('tag', true), source);
    if (repository && tag) setEngineVersion(builder, `${repository}:${tag.text}`, tag.range);
    readModelSpec(builder, spec, source, runsOnRay(spec));
    readLmcacheRole(builder, spec, source);
    blocks.push(builder);
  }
  return { blocks, problems };
}

/**
 * `lmcacheConfig.kvRole` (with `enabled: true`): the chart passes `--kv-transfer-config` with LMCache's
 * connector and this role, which makes the modelSpec the prefill (kv_producer) or decode (kv_consumer)
 * side of its disaggregated prefill.
 */
function readLmcacheRole(builder: BlockBuilder, spec: YAMLMap, source: SourceFile): void {
  const lmcache = spec.get('lmcacheConfig', true);
  if (!isMap(lmcache) || scalarText(lmcache.get('enabled', true)) !== 'true') return;
  const token = valueToken(lmcache.get('kvRole', true), source);
  const knob = findFlag(CHART_ENGINE, 'kv-transfer-config')?.knob;
  if (!token || !knob) return;
  const read = knob.read(JSON.stringify({ kv_connector: 'LMCacheConnectorV1', kv_role: token.text }));
  builder.add({
    knob: knob.id,
    spelling: 'lmcacheConfig.kvRole',
    origin: 'chart',
    raw: token.text,
    settings: typeof read === 'string' ? {} : read,
    keyRange: null,
    valueRange: token.range,
    edit: null,
    note: `the chart passes --kv-transfer-config with LMCacheConnectorV1 and kv_role ${token.text}`,
  });
}

/**
 * Under `raySpec`, `replicaCount` counts Ray worker pods: the server spans the head and them (the chart's
 * EXPECTED_NODES), and there is one copy of it.
 */
function rayWorkers(builder: BlockBuilder, spec: YAMLMap, source: SourceFile): void {
  const token = valueToken(spec.get('replicaCount', true), source);
  const workers = Number(token?.text ?? 0);
  if (!token || !Number.isInteger(workers) || workers < 0) return;
  builder.add({
    knob: null,
    spelling: 'replicaCount',
    origin: 'deployment',
    raw: token.text,
    settings: { replicas: 1 },
    keyRange: null,
    valueRange: token.range,
    edit: null,
    note: `raySpec: replicaCount is the number of Ray worker pods; one copy of the server spans ${workers + 1} nodes`,
  });
  if (workers > 0) builder.nodes = { count: workers + 1, range: token.range };
}

function deploymentValue(
  builder: BlockBuilder,
  spec: YAMLMap,
  key: string,
  setting: 'replicas' | 'gpus',
  source: SourceFile,
) {
  const token = valueToken(spec.get(key, true), source);
  if (!token) {
    const insertion = mapInsertion(spec, source, { key, setting });
    if (insertion) builder.insertions.push({ ...insertion, kind: 'deployment-key' });
    return;
  }
  const count = Number(token.text);
  const ok = Number.isInteger(count) && count > 0;
  builder.add({
    knob: null,
    spelling: key,
    origin: 'deployment',
    raw: token.text,
    settings: ok ? { [setting]: count } : {},
    keyRange: null,
    valueRange: token.range,
    ...(ok ? {} : { error: `${key}: expected a positive integer, got '${token.text}'` }),
    edit: token.range ? { target: token.range, encoding: token.encoding, form: 'value' } : null,
  });
}

function readModelSpec(builder: BlockBuilder, spec: YAMLMap, source: SourceFile, ray: boolean): void {
  const model = spec.get('modelURL', true);
  const modelToken = valueToken(model, source);
  if (modelToken) {
    builder.add({
      knob: 'model',
      spelling: 'modelURL',
      origin: 'yaml',
      raw: modelToken.text,
      settings: modelToken.text ? { model: modelToken.text } : {},
      keyRange: null,
      valueRange: modelToken.range,
      edit: modelToken.range
        ? { target: modelToken.range, encoding: modelToken.encoding, form: 'value' }
        : null,
    });
  }
  if (ray) rayWorkers(builder, spec, source);
  else deploymentValue(builder, spec, 'replicaCount', 'replicas', source);
  deploymentValue(builder, spec, 'requestGPU', 'gpus', source);
  const selector = getIn(spec, ['nodeSelectorTerms']);
  const hint = selector ? JSON.stringify(isMap(selector) || isSeq(selector) ? selector.toJSON() : '') : '';
  const hardwareId = hardwareFromLabel(hint);
  if (hardwareId) builder.hardware = { text: hardwareId, id: hardwareId, range: nodeRange(spec, source) };

  const config = spec.get('vllmConfig', true);
  if (!isMap(config)) return;
  const keys = chartKeys(ray);
  const insertion = mapInsertion(config, source, { path: [], naming: 'camel', onlyKnobs: knobIds(keys) });
  if (insertion) builder.insertions.push(insertion);
  const pairs = new Map(mapPairs(config).map((p) => [String(p.key.value), p]));
  for (const key of keys) {
    const pair = pairs.get(key);
    const prefixCachingOn = pair && isScalar(pair.value) && pair.value.value === true;
    // Ray's start script passes --enable-prefix-caching when true and nothing otherwise (vLLM's default).
    if (key === 'enablePrefixCaching' && ray && !prefixCachingOn) continue;
    if (key === 'enablePrefixCaching' && !prefixCachingOn) {
      // The chart writes --no-enable-prefix-caching whenever this key is not true, overriding vLLM's default.
      builder.add({
        knob: 'enable-prefix-caching',
        spelling: '--no-enable-prefix-caching',
        origin: 'chart',
        raw: false,
        settings: { enablePrefixCaching: false },
        keyRange: pair ? nodeRange(pair.key, source) : null,
        valueRange: pair && isScalar(pair.value) ? nodeRange(pair.value, source) : null,
        edit:
          pair && isScalar(pair.value)
            ? { target: nodeRange(pair.value, source), encoding: 'yaml-value', form: 'value' }
            : null,
        note: pair
          ? 'vllmConfig.enablePrefixCaching is not true, so the chart passes --no-enable-prefix-caching'
          : 'the chart passes --no-enable-prefix-caching because vllmConfig.enablePrefixCaching is not set',
      });
      continue;
    }
    if (!pair) continue;
    const match = findFlag(CHART_ENGINE, key);
    const token = valueToken(pair.value, source);
    if (!match || !token) continue;
    const raw = isScalar(pair.value) && typeof pair.value.value === 'boolean' ? pair.value.value : token.text;
    const read = match.knob.read(raw);
    builder.add({
      knob: match.knob.id,
      spelling: key,
      origin: 'yaml',
      raw,
      settings: typeof read === 'string' ? {} : read,
      keyRange: nodeRange(pair.key, source),
      valueRange: token.range,
      ...(typeof read === 'string' ? { error: `${key}: ${read}` } : {}),
      edit: token.range ? { target: token.range, encoding: token.encoding, form: 'value' } : null,
    });
  }
  for (const [key, pair] of pairs) {
    if (keys.includes(key) || key === 'extraArgs') continue;
    if (findFlag(CHART_ENGINE, key)) {
      builder.problem(
        'warning',
        `the production-stack chart does not pass vllmConfig.${key} to vLLM; put it in extraArgs`,
        nodeRange(pair.key, source),
        'chart-ignores-key',
      );
    }
  }
  const extra = config.get('extraArgs', true);
  if (isSeq(extra)) {
    readEngineArgs(builder, CHART_ENGINE, seqTokens(extra, source), { positionalModel: false });
    const extraInsertion = seqInsertion(extra, source);
    if (extraInsertion) builder.insertions.push(extraInsertion);
  }
}
