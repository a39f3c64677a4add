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
} from './common.js';
import type { DeployFile, DeployInput, DeployServer } from './types.js';

/** llm-d's image; its chart runs `vllm serve <model>` before the container's args (`modelCommand`). */
const LLMD_IMAGE = 'ghcr.io/llm-d/llm-d:v0.2.0';

function poolValues(server: DeployServer) {
  const { model: _model, tp: _tp, replicas: _replicas, gpus: _gpus, ...rest } = server.settings;
  const flags = engineFlags('vllm', rest as PartialServingSettings);
  const transfer =
    server.role === 'server' ? [] : serverFlags('vllm', { ...server, settings: {} }).argv.slice(2);
  return {
    create: true,
    replicas: replicasOf(server.settings),
    parallelism: { tensor: server.settings.tp ?? 1 },
    containers: [
      {
        name: 'vllm',
        image: LLMD_IMAGE,
        modelCommand: 'vllmServe',
        args: [...argsAfterLauncher('vllm', flags.argv), ...transfer],
        resources: { limits: { 'nvidia.com/gpu': gpusPerPod(server) } },
      },
    ],
  };
}

/** llm-d model service values: a decode pool (the only one when colocated) and a prefill pool. */
export function llmdFiles(input: DeployInput): DeployFile[] {
  if (input.engine !== 'vllm') throw new ServeTuneError('llm-d serves with vLLM', 'invalid-plan');
  for (const server of input.servers)
    requireSingleNode(server, 'llm-d values (as emitted here; use kubernetes for LeaderWorkerSet)');
  const decode = input.servers.find((s) => s.role !== 'prefill');
  const prefill = input.servers.find((s) => s.role === 'prefill');
  if (!decode) throw new ServeTuneError('a prefill pool needs a decode pool', 'invalid-plan');
  const model = decode.settings.model ?? '';
  const values = {
    modelArtifacts: { uri: `hf://${model}`, name: model },
    routing: { proxy: { enabled: prefill !== undefined } },
    decode: poolValues(decode),
    prefill: prefill ? poolValues(prefill) : { create: false },
  };
  return [{ path: 'llm-d-values.yaml', text: manifest([values]) }];
}
