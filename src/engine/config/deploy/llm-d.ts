import { ServeTuneError } from '../../util/errors.js';
import { engineFlags } from '../emit.js';
import type { PartialServingSettings } from '../serving-settings.js';
import { argsAfterLauncher, gpusPerPod, manifest, replicasOf, serverFlags } from './common.js';
import { LLMD_IMAGE, LLMD_ROUTING_SIDECAR_IMAGE } from './images.js';
import { groupScript, nodeSpread } from './node-group.js';
import type { DeployFile, DeployInput, DeployServer } from './types.js';

/**
 * The chart's ports: clients reach `routing.servicePort`; with the routing proxy on, decode pods' vLLM
 * listens behind it on `routing.proxy.targetPort` (the chart's defaults, written out).
 */
const SERVICE_PORT = 8000;
const PROXY_TARGET_PORT = 8200;

/** The KV transfer flags of a prefill or decode pool (the NIXL connector, its side). */
function transferArgs(server: DeployServer): string[] {
  return server.role === 'server' ? [] : serverFlags('vllm', { ...server, settings: {} }).argv.slice(2);
}

function gpuLimits(server: DeployServer) {
  return { limits: { 'nvidia.com/gpu': gpusPerPod(server) } };
}

/** A pool on one node: the chart runs `vllm serve <model>` with `parallelism.tensor` (`vllmServe`). */
function singleNodePool(server: DeployServer) {
  const { model: _model, tp: _tp, replicas: _replicas, gpus: _gpus, ...rest } = server.settings;
  const flags = engineFlags('vllm', rest as PartialServingSettings);
  return {
    create: true,
    replicas: replicasOf(server.settings),
    parallelism: { tensor: server.settings.tp ?? 1 },
    containers: [
      {
        name: 'vllm',
        image: LLMD_IMAGE,
        modelCommand: 'vllmServe',
        args: [...argsAfterLauncher('vllm', flags.argv), ...transferArgs(server)],
        resources: gpuLimits(server),
      },
    ],
  };
}

/**
 * A pool whose server spans nodes (`multinode: true`: a LeaderWorkerSet of `parallelism.workers` pods):
 * the chart gives leader and workers one template, so the command is a script that branches on the pod's
 * index (`modelCommand: custom`: the chart passes it as written, parallelism only sizes the group).
 */
function multiNodePool(server: DeployServer, port: number) {
  const argv = [...serverFlags('vllm', server).argv, '--port', String(port)];
  const spread = nodeSpread(server);
  const dataParallel =
    spread.kind === 'data-parallel' ? { data: server.settings.dp, dataLocal: spread.ranksPerNode } : {};
  return {
    create: true,
    replicas: replicasOf(server.settings),
    parallelism: { tensor: server.settings.tp ?? 1, ...dataParallel, workers: server.nodes },
    containers: [
      {
        name: 'vllm',
        image: LLMD_IMAGE,
        modelCommand: 'custom',
        command: ['/bin/sh', '-c'],
        args: [groupScript(argv, server)],
        resources: gpuLimits(server),
      },
    ],
  };
}

/**
 * llm-d model service values: a decode pool (the only one when colocated) and a prefill pool; a server
 * over several nodes makes the chart deploy LeaderWorkerSets (`multinode: true`, for every pool).
 */
export function llmdFiles(input: DeployInput): DeployFile[] {
  if (input.engine !== 'vllm')
    throw new ServeTuneError(
      `llm-d serves with vLLM, not ${input.engine}: emit kubernetes or dynamo`,
      'invalid-plan',
      `llm-d: ${input.engine}`,
    );
  const decode = input.servers.find((s) => s.role !== 'prefill');
  const prefill = input.servers.find((s) => s.role === 'prefill');
  if (!decode) throw new ServeTuneError('a prefill pool needs a decode pool', 'invalid-plan', 'llm-d');
  const model = decode.settings.model ?? '';
  const proxy = prefill !== undefined;
  const multinode = input.servers.some((s) => s.nodes > 1);
  const pool = (server: DeployServer, port: number) =>
    server.nodes > 1 ? multiNodePool(server, port) : singleNodePool(server);
  const values = {
    modelArtifacts: { uri: `hf://${model}`, name: model },
    routing: {
      servicePort: SERVICE_PORT,
      proxy: proxy
        ? { enabled: true, image: LLMD_ROUTING_SIDECAR_IMAGE, targetPort: PROXY_TARGET_PORT }
        : { enabled: false },
    },
    ...(multinode ? { multinode: true } : {}),
    decode: pool(decode, proxy ? PROXY_TARGET_PORT : SERVICE_PORT),
    prefill: prefill ? pool(prefill, SERVICE_PORT) : { create: false },
  };
  return [{ path: 'llm-d-values.yaml', text: manifest([values]) }];
}
