import { ServeTuneError } from '../../util/errors.js';
import { engineFlags } from '../emit.js';
import { findFlag } from '../knobs/index.js';
import { chartKeys } from '../readers/helm.js';
import type { PartialServingSettings, SettingKey } from '../serving-settings.js';
import { argsAfterLauncher, gpusPerPod, manifest, replicasOf } from './common.js';
import { ENGINE_IMAGES, PRODUCTION_STACK_PD_IMAGES } from './images.js';
import {
  disaggregatedRouter,
  lmcacheConfig,
  PD_HEADER,
  poolName,
  requireSingleNodePool,
} from './production-stack-pd.js';
import type { DeployFile, DeployInput, DeployServer } from './types.js';

/**
 * vllmConfig keys the chart turns into flags, from the settings. The Deployment path passes
 * --no-enable-prefix-caching unless enablePrefixCaching is true, so it is always written; Ray's start
 * script passes only `true` (nothing leaves vLLM's default), so switching it off goes in extraArgs.
 */
function chartConfig(
  settings: PartialServingSettings,
  ray: boolean,
): { config: Record<string, unknown>; used: Set<SettingKey> } {
  const config: Record<string, unknown> = {};
  const used = new Set<SettingKey>();
  for (const key of chartKeys(ray)) {
    const knob = findFlag('vllm', key)?.knob;
    const raw = knob?.write(settings);
    if (!knob || raw === undefined) continue;
    if (key === 'enablePrefixCaching' && ray && raw !== true && raw !== 'true') continue;
    config[key] = knob.type === 'int' || knob.type === 'float' ? Number(raw) : raw === 'true' ? true : raw;
    for (const setting of knob.settings) used.add(setting);
  }
  if (!ray && config.enablePrefixCaching === undefined)
    config.enablePrefixCaching = settings.enablePrefixCaching ?? true;
  if (!ray) used.add('enablePrefixCaching');
  return { config, used };
}

/** The flags the chart has no vllmConfig key for, after the model (extraArgs). */
function extraArgsOf(settings: PartialServingSettings, used: Set<SettingKey>): string[] {
  const rest: Record<string, unknown> = { ...settings };
  for (const key of [...used, 'model', 'replicas', 'gpus']) delete rest[key];
  return argsAfterLauncher('vllm', engineFlags('vllm', rest as PartialServingSettings).argv);
}

const REQUESTS = { requestCPU: 8, requestMemory: '64Gi' };

function modelSpec(base: string, server: DeployServer) {
  if (server.role !== 'server') return poolSpec(base, server, server.role);
  const ray = server.nodes > 1;
  const { config, used } = chartConfig(server.settings, ray);
  const extraArgs = extraArgsOf(server.settings, used);
  // Data-parallel ranks spread over the Ray cluster's nodes only with Ray as their backend (vLLM ≥ 0.10).
  if (ray && (server.settings.dp ?? 1) > 1) extraArgs.push('--data-parallel-backend', 'ray');
  const [repository, tag] = ENGINE_IMAGES.vllm.split(':');
  return {
    name: base,
    repository,
    tag,
    modelURL: server.settings.model,
    // Under raySpec replicaCount counts the Ray worker pods beside the head.
    replicaCount: ray ? server.nodes - 1 : replicasOf(server.settings),
    ...REQUESTS,
    requestGPU: gpusPerPod(server),
    // The Ray cluster's pods set VLLM_USE_V1=0 unless told otherwise; vLLM ≥ 0.11 has only V1.
    vllmConfig: { ...(ray ? { v1: 1 } : {}), ...config, ...(extraArgs.length > 0 ? { extraArgs } : {}) },
    ...(ray ? { raySpec: { enabled: true, headNode: { ...REQUESTS, requestGPU: gpusPerPod(server) } } } : {}),
  };
}

/**
 * A prefill or decode pool: LMCache's vLLM image with its NIXL settings (`lmcacheConfig`), labelled with
 * its name for the router's `--prefill-model-labels`/`--decode-model-labels`.
 */
function poolSpec(base: string, server: DeployServer, role: 'prefill' | 'decode') {
  requireSingleNodePool(server);
  const { config, used } = chartConfig(server.settings, false);
  const extraArgs = extraArgsOf(server.settings, used);
  const [repository, tag] = PRODUCTION_STACK_PD_IMAGES.engine.split(':');
  const name = poolName(base, role);
  return {
    name,
    repository,
    tag,
    modelURL: server.settings.model,
    replicaCount: replicasOf(server.settings),
    ...REQUESTS,
    requestGPU: gpusPerPod(server),
    vllmConfig: { ...config, ...(extraArgs.length > 0 ? { extraArgs } : {}) },
    lmcacheConfig: lmcacheConfig(role),
    labels: { model: name },
  };
}

/**
 * production-stack Helm values: one modelSpec per server kind; a server over several nodes runs as the
 * chart's Ray cluster (`raySpec`: a head and `replicaCount` workers, one copy). Prefill and decode pools
 * follow the chart's disaggregated prefill: LMCache NIXL settings and a `disaggregated_prefill` router.
 */
export function productionStackFiles(input: DeployInput): DeployFile[] {
  if (input.engine !== 'vllm')
    throw new ServeTuneError(
      'the production-stack chart deploys vLLM only',
      'invalid-plan',
      'production-stack',
    );
  const specs = input.servers.map((server) => {
    if (server.nodes > 1 && replicasOf(server.settings) > 1)
      throw new ServeTuneError(
        `production-stack runs one Ray cluster per modelSpec, one copy of a server over ${server.nodes} nodes; this plan wants ${replicasOf(server.settings)}: emit kubernetes, llm-d or KServe`,
        'invalid-plan',
        'production-stack: raySpec',
      );
    return modelSpec(input.name, server);
  });
  if (!input.servers.some((server) => server.role !== 'server'))
    return [{ path: 'values.yaml', text: manifest([{ servingEngineSpec: { modelSpec: specs } }]) }];
  const values = { servingEngineSpec: { modelSpec: specs }, routerSpec: disaggregatedRouter(input.name) };
  return [{ path: 'values.yaml', text: manifest([values], PD_HEADER) }];
}
