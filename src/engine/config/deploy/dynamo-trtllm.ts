import { Document } from 'yaml';
import { yamlScalar } from '../emit.js';
import { kvTransferOf } from '../engines/kv-transfer.js';
import { launcherFlag } from '../knobs/flag-spelling.js';
import { type Knob, knobTable, yamlPathOf } from '../knobs/index.js';
import type { PartialServingSettings } from '../serving-settings.js';
import type { DeployFile, DeployServer } from './types.js';

/**
 * Dynamo's TensorRT-LLM worker (`python3 -m dynamo.trtllm`) takes the engine's settings as an LLM API
 * options YAML (`--extra-engine-args`, the same keys as `trtllm-serve --extra_llm_api_options`), and its
 * side of a disaggregated pair as `--disaggregation-mode`; prefill and decode workers move the KV cache
 * through the cache transceiver their YAML names.
 */

/** Every setting that has an options-YAML key, as that YAML (the model and the role go on the command). */
function optionsYaml(settings: PartialServingSettings): Record<string, unknown> {
  const yaml: Record<string, unknown> = {};
  for (const knob of knobTable('trtllm').knobs) {
    const path = yamlPathOf('trtllm', knob);
    if (!path || knob.settings.includes('model')) continue;
    const raw = knob.write(settings);
    if (raw === undefined || typeof knob.read(raw) === 'string') continue;
    let node = yaml;
    for (const key of path.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = yamlScalar(knob, raw);
  }
  return yaml;
}

/** The worker's options file name: `prefill.yaml`, `decode.yaml`, `engine.yaml`. */
export function trtllmOptionsFile(server: DeployServer): string {
  return `${server.role === 'server' ? 'engine' : server.role}.yaml`;
}

/** The worker's flag for the knob `matches` picks, as the engine's knob table spells it for Dynamo. */
function dynamoFlag(matches: (knob: Knob) => boolean): string {
  const knob = knobTable('trtllm').knobs.find(matches);
  const flag = knob && launcherFlag('trtllm', knob, 'dynamo.trtllm');
  if (!flag) throw new Error('the TensorRT-LLM knob table has no flag for a Dynamo worker argument');
  return flag;
}

/** The worker's options YAML and its arguments (the model, the options file, the side). */
export function trtllmWorker(server: DeployServer): { args: string[]; file: DeployFile } {
  const yaml = optionsYaml(server.settings);
  if (server.role !== 'server') Object.assign(yaml, kvTransferOf('trtllm').optionsYaml);
  const path = trtllmOptionsFile(server);
  const args = [
    ...(server.settings.model
      ? [dynamoFlag((k) => k.settings.includes('model')), server.settings.model]
      : []),
    dynamoFlag((k) => k.id === 'extra-llm-api-options' && k.launcherFlags !== undefined),
    path,
    ...(server.role !== 'server'
      ? [dynamoFlag((k) => k.settings.includes('disaggregationMode')), server.role]
      : []),
  ];
  return { args, file: { path, text: new Document(yaml).toString({ lineWidth: 0 }) } };
}
