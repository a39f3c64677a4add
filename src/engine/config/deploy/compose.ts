import { ServeTuneError } from '../../util/errors.js';
import { ENGINES, type EngineId } from '../engines/index.js';
import {
  argsAfterLauncher,
  gpusPerPod,
  manifest,
  NIXL_SIDE_CHANNEL_HOST,
  namedConfigFile,
  replicasOf,
  requireSingleNode,
  serverFlags,
  serverName,
} from './common.js';
import { ENGINE_IMAGES } from './images.js';
import { disaggregationRouter, ROUTER_PORT } from './routers.js';
import type { DeployFile, DeployInput, DeployServer } from './types.js';

/**
 * A vLLM prefill server's NIXL handshake address: its service name, which names one container only
 * while the prefill pool has one copy.
 */
function nixlHost(engine: EngineId, server: DeployServer, name: string): Record<string, string> {
  if (engine !== 'vllm' || server.role !== 'prefill') return {};
  if (replicasOf(server.settings) > 1)
    throw new ServeTuneError(
      `compose gives a vLLM prefill pool of ${replicasOf(server.settings)} copies one address for the NIXL handshake; emit kubernetes for more than one prefill copy`,
      'invalid-plan',
    );
  return { [NIXL_SIDE_CHANNEL_HOST]: name };
}

/** docker compose: one service per server kind on one machine, GPUs reserved, options files mounted. */
export function composeFiles(input: DeployInput): DeployFile[] {
  const services: Record<string, unknown> = {};
  const files: DeployFile[] = [];
  const { engine } = input;
  for (const server of input.servers) {
    requireSingleNode(server, 'compose', 'kubernetes, llm-d, KServe, Dynamo or production-stack');
    const name = serverName(input.name, server);
    const flags = serverFlags(engine, server);
    // vLLM's image starts `vllm serve` itself: it takes only the arguments.
    const command = ENGINES[engine].image.positionalModel
      ? argsAfterLauncher(engine, flags.argv)
      : flags.argv;
    const config = namedConfigFile(flags);
    if (config) files.push(config);
    const environment = { ...flags.env, ...nixlHost(engine, server, name) };
    services[name] = {
      image: ENGINE_IMAGES[engine],
      command,
      ...(Object.keys(environment).length > 0 ? { environment } : {}),
      ipc: 'host',
      ...(config ? { working_dir: '/config', volumes: [`./${config.path}:/config/${config.path}:ro`] } : {}),
      deploy: {
        replicas: replicasOf(server.settings),
        resources: {
          reservations: { devices: [{ driver: 'nvidia', count: gpusPerPod(server), capabilities: ['gpu'] }] },
        },
      },
    };
  }
  const router = disaggregationRouter(input, (role) => `${input.name}-${role}`);
  if (router) {
    if (router.file) files.push(router.file);
    services[`${input.name}-router`] = {
      image: router.image,
      command: router.command,
      ...(router.file
        ? { working_dir: '/config', volumes: [`./${router.file.path}:/config/${router.file.path}:ro`] }
        : {}),
      ports: [`${ROUTER_PORT}:${ROUTER_PORT}`],
    };
  }
  return [{ path: 'docker-compose.yaml', text: manifest([{ services }]) }, ...files];
}
