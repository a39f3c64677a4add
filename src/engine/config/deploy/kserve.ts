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
} from './common.js';
import { ENGINE_IMAGES } from './images.js';
import type { DeployFile, DeployInput, DeployServer } from './types.js';

/** The settings KServe's LLMInferenceService holds in its own fields rather than as flags. */
function withoutServiceFields(settings: PartialServingSettings): PartialServingSettings {
  const { model: _model, tp: _tp, pp: _pp, replicas: _replicas, gpus: _gpus, ...rest } = settings;
  return rest;
}

function llmPart(server: DeployServer) {
  const flags = engineFlags('vllm', withoutServiceFields(server.settings));
  const transfer = serverFlags('vllm', { ...server, settings: {} }).argv.slice(2);
  return {
    replicas: replicasOf(server.settings),
    parallelism: {
      tensor: server.settings.tp ?? 1,
      ...(server.settings.pp && server.settings.pp > 1 ? { pipeline: server.settings.pp } : {}),
    },
    template: {
      containers: [
        {
          name: 'main',
          image: ENGINE_IMAGES.vllm,
          args: [...argsAfterLauncher('vllm', flags.argv), ...transfer],
          resources: { limits: { 'nvidia.com/gpu': gpusPerPod(server) } },
        },
      ],
    },
  };
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
  for (const server of input.servers) requireSingleNode(server, 'KServe (as emitted here)');
  return input.engine === 'vllm' ? llmInferenceService(input) : inferenceService(input);
}
