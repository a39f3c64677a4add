import { ServeTuneError } from '../../util/errors.js';
import { ENGINES, type EngineId } from '../engines/index.js';
import {
  gpusPerPod,
  manifest,
  NIXL_SIDE_CHANNEL_HOST,
  namedConfigFile,
  replicasOf,
  serverFlags,
  serverName,
  serverWhere,
} from './common.js';
import { ENGINE_IMAGES } from './images.js';
import { RAY_WORKER_COMMAND, rayLeaderCommand } from './node-group.js';
import { type DisaggregationRouter, disaggregationRouter, SERVER_PORT } from './routers.js';
import type { DeployFile, DeployInput, DeployServer } from './types.js';

type EnvVar =
  | { name: string; value: string }
  | { name: string; valueFrom: { fieldRef: { fieldPath: string } } };

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  workingDir?: string;
  volumeMounts?: { name: string; mountPath: string }[];
  resources?: { limits: Record<string, number> };
}

/** The container that runs one server: the whole command, its env, its GPUs, its options file. */
export function engineContainer(
  engine: EngineId,
  server: DeployServer,
  name: string,
  command: string[],
): Container {
  const flags = serverFlags(engine, server);
  const env: EnvVar[] = Object.entries(flags.env).map(([key, value]) => ({ name: key, value }));
  if (engine === 'vllm' && server.role !== 'server')
    // NIXL's handshake address: vLLM's default (localhost) is unreachable from the other pool's pods.
    env.push({ name: NIXL_SIDE_CHANNEL_HOST, valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
  return {
    name,
    image: ENGINE_IMAGES[engine],
    command,
    ...(env.length > 0 ? { env } : {}),
    ...(namedConfigFile(flags)
      ? { workingDir: '/config', volumeMounts: [{ name: 'engine-config', mountPath: '/config' }] }
      : {}),
    resources: { limits: { 'nvidia.com/gpu': gpusPerPod(server) } },
  };
}

function podSpec(container: Container, configMap: string | undefined) {
  return {
    containers: [container],
    ...(configMap ? { volumes: [{ name: 'engine-config', configMap: { name: configMap } }] } : {}),
  };
}

function deployment(name: string, replicas: number, container: Container, configMap?: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec(container, configMap) },
    },
  };
}

/**
 * A server over several nodes as a LeaderWorkerSet: vLLM's leader starts Ray and the server over it
 * (the workers join Ray); SGLang runs the server on every pod with its node rank.
 */
function leaderWorkerSet(engine: EngineId, server: DeployServer, name: string, configMap?: string) {
  const argv = serverFlags(engine, server).argv;
  const multi =
    engine === 'sglang'
      ? {
          leader: [...argv, ...SGLANG_NODE_ARGS],
          worker: [...argv, ...SGLANG_NODE_ARGS],
        }
      : {
          leader: ['sh', '-c', rayLeaderCommand(argv)],
          worker: ['sh', '-c', RAY_WORKER_COMMAND],
        };
  const leader = engineContainer(engine, server, 'leader', multi.leader);
  const worker = { ...engineContainer(engine, server, 'worker', multi.worker) };
  return {
    apiVersion: 'leaderworkerset.x-k8s.io/v1',
    kind: 'LeaderWorkerSet',
    metadata: { name },
    spec: {
      replicas: replicasOf(server.settings),
      leaderWorkerTemplate: {
        size: server.nodes,
        leaderTemplate: { spec: podSpec(leader, configMap) },
        workerTemplate: { spec: podSpec(worker, configMap) },
      },
    },
  };
}

const SGLANG_NODE_ARGS = [
  '--nnodes',
  '$(LWS_GROUP_SIZE)',
  '--node-rank',
  '$(LWS_WORKER_INDEX)',
  '--dist-init-addr',
  '$(LWS_LEADER_ADDRESS):20000',
];

/** Plain Kubernetes: a Deployment per server kind (a LeaderWorkerSet where one copy spans nodes). */
export function kubernetesFiles(input: DeployInput): DeployFile[] {
  const documents: unknown[] = [];
  const files: DeployFile[] = [];
  for (const server of input.servers) {
    if (server.nodes > 1 && input.engine !== 'vllm' && input.engine !== 'sglang')
      // TensorRT-LLM and TGI start over nodes through their launcher (mpirun, Slurm), not Ray or flags.
      throw new ServeTuneError(
        `a LeaderWorkerSet is emitted for vLLM (Ray) and SGLang (--nnodes) servers over nodes, not ${input.engine}: ${input.engine === 'trtllm' ? 'emit dynamo, whose operator launches TensorRT-LLM over its nodes' : 'plan it on one node'}`,
        'invalid-plan',
        `kubernetes: ${serverWhere(server)}`,
      );
    const name = serverName(input.name, server);
    const flags = serverFlags(input.engine, server);
    const config = namedConfigFile(flags);
    const configMap = config ? `${name}-engine-config` : undefined;
    if (config) {
      documents.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: configMap },
        data: { [config.path]: config.text },
      });
      files.push(config);
    }
    documents.push(
      server.nodes > 1
        ? leaderWorkerSet(input.engine, server, name, configMap)
        : deployment(
            name,
            replicasOf(server.settings),
            engineContainer(input.engine, server, ENGINES[input.engine].id, flags.argv),
            configMap,
          ),
    );
  }
  const router = disaggregationRouter(input, (role) => `${input.name}-${role}`);
  if (router) {
    // The router reaches each pool by its Service name.
    for (const role of ['prefill', 'decode'] as const)
      documents.push(service(`${input.name}-${role}`, SERVER_PORT[input.engine]));
    documents.push(...routerDocuments(`${input.name}-router`, router));
    if (router.file) files.push(router.file);
  }
  return [{ path: `${input.name}.yaml`, text: manifest(documents, HEADER) }, ...files];
}

function service(name: string, port: number) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port, targetPort: port }] },
  };
}

const HEADER = 'Emitted by ServeTune; the engine images are pinned so the settings mean what they say.';

/** The router's Deployment, with its config file as a ConfigMap mounted where it runs. */
function routerDocuments(name: string, router: DisaggregationRouter): unknown[] {
  const container: Container = {
    name: 'router',
    image: router.image,
    command: router.command,
    ...(router.file
      ? { workingDir: '/config', volumeMounts: [{ name: 'engine-config', mountPath: '/config' }] }
      : {}),
  };
  if (!router.file) return [deployment(name, 1, container)];
  const configMap = `${name}-config`;
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: configMap },
      data: { [router.file.path]: router.file.text },
    },
    deployment(name, 1, container, configMap),
  ];
}
