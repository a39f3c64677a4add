import { isMap, isSeq, type YAMLMap } from 'yaml';
import { BlockBuilder } from '../block.js';
import type { SourceFile } from '../source.js';
import { hardwareFromLabel } from './hardware-hint.js';
import { addCount, addKnobKeys, addModel } from './platform-crds.js';
import { getIn, nodeRange, scalarText, valueToken } from './yaml-util.js';

/** The `llm_configs` of every application of a Ray Serve config (`ray.serve.llm`). */
function llmConfigs(root: unknown): YAMLMap[] {
  const applications = getIn(root, ['applications']);
  if (!isSeq(applications)) return [];
  return applications.items.flatMap((app) => {
    const configs = getIn(app, ['args', 'llm_configs']);
    return isSeq(configs) ? configs.items.filter((c): c is YAMLMap => isMap(c)) : [];
  });
}

export function isRayServeLlmConfig(root: unknown): boolean {
  return llmConfigs(root).length > 0;
}

/**
 * Each `llm_configs` entry is one vLLM deployment: `model_loading_config.model_source` (else
 * `model_id`), `engine_kwargs` (vLLM's arguments in snake_case), replicas from `deployment_config`
 * (`num_replicas`, else the autoscaler's `min_replicas`), the GPU from `accelerator_type`.
 */
export function readRayServeLlm(root: YAMLMap, source: SourceFile): BlockBuilder[] {
  return llmConfigs(root).map((config) => {
    const id = scalarText(getIn(config, ['model_loading_config', 'model_id'])) ?? '?';
    const builder = new BlockBuilder(
      source.path,
      'ray-serve-llm',
      `llm_config ${id}`,
      nodeRange(config, source),
    );
    builder.engine = 'vllm';
    const loading = getIn(config, ['model_loading_config']);
    addModel(
      builder,
      getIn(loading, ['model_source']) ?? getIn(loading, ['model_id']),
      source,
      'model_source',
    );
    addKnobKeys(builder, 'vllm', getIn(config, ['engine_kwargs']), source, 'engine_kwargs.');
    const deployment = getIn(config, ['deployment_config']);
    const replicas =
      getIn(deployment, ['num_replicas']) ?? getIn(deployment, ['autoscaling_config', 'min_replicas']);
    addCount(builder, replicas, source, 'replicas', 'replicas');
    const accelerator = valueToken(getIn(config, ['accelerator_type']), source);
    const hardware = accelerator ? hardwareFromLabel(accelerator.text) : undefined;
    if (accelerator?.range)
      builder.hardware = { text: accelerator.text, id: hardware ?? null, range: accelerator.range };
    return builder;
  });
}
