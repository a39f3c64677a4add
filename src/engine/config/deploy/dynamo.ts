import { ServeTuneError } from '../../util/errors.js';
import { engineFlags } from '../emit.js';
import { ENGINES, type EngineId } from '../engines/index.js';
import { kvTransferOf } from '../engines/kv-transfer.js';
import { argsAfterLauncher, gpusPerPod, manifest, replicasOf } from './common.js';
import { trtllmWorker } from './dynamo-trtllm.js';
import { DYNAMO_IMAGES } from './images.js';
import type { DeployFile, DeployInput, DeployServer } from './types.js';

const TITLE: Partial<Record<EngineId, string>> = { vllm: 'Vllm', sglang: 'Sglang', trtllm: 'TRTLLM' };

/**
 * The worker's arguments: the engine's own flags with the model as a flag (Dynamo's workers take no
 * positional model). Dynamo moves the KV between prefill and decode itself: vLLM's prefill workers say
 * `--is-prefill-worker`, SGLang's keep `--disaggregation-mode` and name the transfer backend.
 */
function workerArgs(engine: EngineId, server: DeployServer): string[] {
  const settings =
    server.role === 'server' || engine !== 'sglang'
      ? server.settings
      : { ...server.settings, disaggregationMode: server.role };
  const flags = engineFlags(engine, settings);
  const args = argsAfterLauncher(engine, flags.argv);
  if (ENGINES[engine].launchers[0].positionalModel && server.settings.model)
    args.splice(0, 1, '--model', server.settings.model);
  if (server.role !== 'server') args.push(...kvTransferOf(engine).dynamoArgs(server.role));
  return args;
}

const CONFIG_VOLUME = 'engine-config';

/** The pod around a worker: TensorRT-LLM's options file comes from a ConfigMap mounted where it runs. */
function workerPod(engine: EngineId, args: string[], configMap: string | undefined) {
  const mainContainer = {
    image: DYNAMO_IMAGES[engine],
    command: ['python3', '-m', `dynamo.${engine}`],
    args,
    ...(configMap
      ? { workingDir: '/config', volumeMounts: [{ name: CONFIG_VOLUME, mountPath: '/config' }] }
      : {}),
  };
  return {
    ...(configMap ? { volumes: [{ name: CONFIG_VOLUME, configMap: { name: configMap } }] } : {}),
    mainContainer,
  };
}

function workerService(engine: EngineId, server: DeployServer, args: string[], configMap?: string) {
  return {
    componentType: 'worker',
    ...(server.role !== 'server' ? { subComponentType: server.role } : {}),
    replicas: replicasOf(server.settings),
    ...(server.nodes > 1 ? { multinode: { nodeCount: server.nodes } } : {}),
    resources: { limits: { gpu: String(gpusPerPod(server)) } },
    extraPodSpec: workerPod(engine, args, configMap),
  };
}

/**
 * Dynamo: one DynamoGraphDeployment with a frontend and a worker service per server kind (TensorRT-LLM's
 * options YAMLs beside it, as ConfigMaps and as files).
 */
export function dynamoFiles(input: DeployInput): DeployFile[] {
  const title = TITLE[input.engine];
  if (!title)
    throw new ServeTuneError(
      `Dynamo deployments are emitted for vLLM, SGLang and TensorRT-LLM, not ${input.engine}`,
      'invalid-plan',
      `dynamo: ${input.engine}`,
    );
  const services: Record<string, unknown> = {
    Frontend: {
      componentType: 'frontend',
      replicas: 1,
      extraPodSpec: {
        mainContainer: {
          image: DYNAMO_IMAGES[input.engine],
          command: ['python3', '-m', 'dynamo.frontend', '--http-port', '8000'],
        },
      },
    },
  };
  const configMaps: unknown[] = [];
  const files: DeployFile[] = [];
  for (const server of input.servers) {
    const role = server.role === 'server' ? '' : server.role[0].toUpperCase() + server.role.slice(1);
    const service = `${title}${role}Worker`;
    if (input.engine === 'trtllm') {
      const { args, file } = trtllmWorker(server);
      const configMap = `${input.name}-${server.role}-engine-config`;
      configMaps.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: configMap },
        data: { [file.path]: file.text },
      });
      files.push(file);
      services[service] = workerService(input.engine, server, args, configMap);
    } else services[service] = workerService(input.engine, server, workerArgs(input.engine, server));
  }
  const graph = {
    apiVersion: 'nvidia.com/v1alpha1',
    kind: 'DynamoGraphDeployment',
    metadata: { name: input.name },
    spec: { services },
  };
  return [{ path: `${input.name}-dynamo.yaml`, text: manifest([graph, ...configMaps]) }, ...files];
}
