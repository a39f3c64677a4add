import { ServeTuneError } from '../../util/errors.js';
import { engineFlags } from '../emit.js';
import { findFlag } from '../knobs/index.js';
import { CHART_KEYS } from '../readers/helm.js';
import type { PartialServingSettings, SettingKey } from '../serving-settings.js';
import { argsAfterLauncher, gpusPerPod, manifest, replicasOf, requireSingleNode } from './common.js';
import { ENGINE_IMAGES } from './images.js';
import type { DeployFile, DeployInput, DeployServer } from './types.js';

/**
 * vllmConfig keys the chart turns into flags, from the settings; the chart passes
 * --no-enable-prefix-caching unless enablePrefixCaching is true, so it is always written.
 */
function chartConfig(settings: PartialServingSettings): {
  config: Record<string, unknown>;
  used: Set<SettingKey>;
} {
  const config: Record<string, unknown> = {};
  const used = new Set<SettingKey>();
  for (const key of CHART_KEYS) {
    const knob = findFlag('vllm', key)?.knob;
    const raw = knob?.write(settings);
    if (!knob || raw === undefined) continue;
    config[key] = knob.type === 'int' || knob.type === 'float' ? Number(raw) : raw === 'true' ? true : raw;
    for (const setting of knob.settings) used.add(setting);
  }
  if (config.enablePrefixCaching === undefined)
    config.enablePrefixCaching = settings.enablePrefixCaching ?? true;
  used.add('enablePrefixCaching');
  return { config, used };
}

function modelSpec(name: string, server: DeployServer) {
  const { config, used } = chartConfig(server.settings);
  const rest: Record<string, unknown> = { ...server.settings };
  for (const key of [...used, 'model', 'replicas', 'gpus']) delete rest[key];
  const extraArgs = argsAfterLauncher('vllm', engineFlags('vllm', rest as PartialServingSettings).argv);
  const [repository, tag] = ENGINE_IMAGES.vllm.split(':');
  return {
    name,
    repository,
    tag,
    modelURL: server.settings.model,
    replicaCount: replicasOf(server.settings),
    requestCPU: 8,
    requestMemory: '64Gi',
    requestGPU: gpusPerPod(server),
    vllmConfig: { ...config, ...(extraArgs.length > 0 ? { extraArgs } : {}) },
  };
}

/** production-stack Helm values: one modelSpec per server kind (vLLM, colocated, one node each). */
export function productionStackFiles(input: DeployInput): DeployFile[] {
  if (input.engine !== 'vllm')
    throw new ServeTuneError('the production-stack chart deploys vLLM only', 'invalid-plan');
  const specs = input.servers.map((server) => {
    requireSingleNode(server, 'production-stack (as emitted here)');
    if (server.role !== 'server')
      throw new ServeTuneError(
        'production-stack prefill/decode pools are not emitted; use llm-d, Dynamo or KServe',
        'invalid-plan',
      );
    return modelSpec(input.name, server);
  });
  return [{ path: 'values.yaml', text: manifest([{ servingEngineSpec: { modelSpec: specs } }]) }];
}
