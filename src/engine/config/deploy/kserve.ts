import { ServeTuneError } from '../../util/errors.js';
import { engineFlags } from '../emit.js';
import type { PartialServingSettings } from '../serving-settings.js';
import {
  argsAfterLauncher,
  gpusPerPod,
  manifest,
  replicasOf,
  requireSingleNode,
  serverFlags,
  serverName,
  serverWhere,
} from './common.js';
import { ENGINE_IMAGES } from './images.js';
import { groupScript, nodeSpread } from './node-group.js';
import type { DeployFile, DeployInput, DeployServer } from './types.js';

/** The settings KServe's LLMInferenceService holds in its own fields rather than as flags. */
function withoutServiceFields(settings: PartialServingSettings): PartialServingSettings {
  const { model: _model, tp: _tp, pp: _pp, replicas: _replicas, gpus: _gpus, ...rest } = settings;
  return rest;
}

function container(server: DeployServer, command: Record<string, string[]>) {
  return {
    name: 'main',
    image: ENGINE_IMAGES.vllm,
    ...command,
    resources: { limits: { 'nvidia.com/gpu': gpusPerPod(server) } },
  };
}

function llmPart(server: DeployServer) {
  if (server.nodes > 1) return multiNodePart(server);
  const flags = engineFlags('vllm', withoutServiceFields(server.settings));
  const transfer = serverFlags('vllm', { ...server, settings: {} }).argv.slice(2);
  return {
    replicas: replicasOf(server.settings),
    parallelism: {
      tensor: server.settings.tp ?? 1,
      ...(server.settings.pp && server.settings.pp > 1 ? { pipeline: server.settings.pp } : {}),
    },
    template: {
      containers: [container(server, { args: [...argsAfterLauncher('vllm', flags.argv), ...transfer] })],
    },
  };
}

/**
 * A part whose server spans nodes: KServe deploys a LeaderWorkerSet when the part has a `worker`
 * template, sized by `parallelism` (data ÷ dataLocal when data parallel, else pipeline). Leader and
 * workers run one script that branches on the pod's index (the command replaces KServe's own).
 */
function multiNodePart(server: DeployServer) {
  const { tp = 1, pp = 1, dp } = server.settings;
  const spread = nodeSpread(server);
  if (spread.kind === 'ray' && pp !== server.nodes)
    throw new ServeTuneError(
      `KServe sizes a multi-node LLMInferenceService by parallelism.pipeline or data ÷ dataLocal; TP ${tp} × PP ${pp} over ${server.nodes} nodes is neither (PP must equal the node count): emit kubernetes for a LeaderWorkerSet`,
      'invalid-plan',
      `kserve: ${serverWhere(server)}`,
    );
  const parallelism =
    spread.kind === 'ray'
      ? { tensor: tp, pipeline: pp }
      : {
          tensor: tp,
          data: dp,
          dataLocal: spread.ranksPerNode,
          ...(server.settings.expertParallel ? { expert: true } : {}),
        };
  const script = groupScript(serverFlags('vllm', server).argv, server);
  const pod = () => ({ containers: [container(server, { command: ['/bin/sh', '-c'], args: [script] })] });
  return { replicas: replicasOf(server.settings), parallelism, template: pod(), worker: pod() };
}

/** vLLM as a KServe LLMInferenceService: the main (decode) part and a prefill part when disaggregated. */
function llmInferenceService(input: DeployInput): DeployFile[] {
  const main = input.servers.find((s) => s.role !== 'prefill');
  const prefill = input.servers.find((s) => s.role === 'prefill');
  if (!main) throw new ServeTuneError('a prefill pool needs a decode pool', 'invalid-plan');
  const model = main.settings.model ?? '';
  const resource = {
    apiVersion: 'serving.kserve.io/v1alpha1',
    kind: 'LLMInferenceService',
    metadata: { name: input.name },
    spec: {
      model: { uri: `hf://${model}`, name: model },
      ...llmPart(main),
      ...(prefill ? { prefill: llmPart(prefill) } : {}),
      router: { gateway: {}, route: {}, scheduler: {} },
    },
  };
  return [{ path: `${input.name}-kserve.yaml`, text: manifest([resource]) }];
}

/** Other engines as an InferenceService whose predictor runs the engine's own command. */
function inferenceService(input: DeployInput): DeployFile[] {
  const documents = input.servers.map((server) => {
    if (server.role !== 'server')
      throw new ServeTuneError(`KServe prefill/decode pools are emitted for vLLM only`, 'invalid-plan');
    const flags = serverFlags(input.engine, server);
    return {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: serverName(input.name, server) },
      spec: {
        predictor: {
          minReplicas: replicasOf(server.settings),
          containers: [
            {
              name: 'kserve-container',
              image: ENGINE_IMAGES[input.engine],
              command: flags.argv,
              resources: { limits: { 'nvidia.com/gpu': gpusPerPod(server) } },
            },
          ],
        },
      },
    };
  });
  return [{ path: `${input.name}-kserve.yaml`, text: manifest(documents) }];
}

export function kserveFiles(input: DeployInput): DeployFile[] {
  if (input.engine !== 'vllm')
    for (const server of input.servers)
      requireSingleNode(
        server,
        'kserve',
        'kubernetes (LeaderWorkerSet)',
        `KServe's InferenceService for ${input.engine}`,
      );
  return input.engine === 'vllm' ? llmInferenceService(input) : inferenceService(input);
}
