import { ServeTuneError } from '../../util/errors.js';
import { serverWhere } from './common.js';
import { PRODUCTION_STACK_PD_IMAGES } from './images.js';
import type { DeployServer } from './types.js';

/** The router's NIXL proxy and the decode side's NIXL ports (the chart tutorial's values). */
const NIXL = { proxyPort: 7500, peerInitPort: 7300, peerAllocPort: 7400 };

/** The modelSpec name (and router label) of a prefill or decode pool. */
export const poolName = (base: string, role: 'prefill' | 'decode') => `${base}-${role}`;

/**
 * LMCache's NIXL settings of one side, as production-stack's disaggregated prefill tutorial writes them:
 * the chart passes `--kv-transfer-config` with LMCacheConnectorV1 and `kvRole`; prefill sends its KV
 * through the router's NIXL proxy, decode receives it on its own NIXL ports.
 */
export function lmcacheConfig(role: 'prefill' | 'decode') {
  const common = {
    enabled: true,
    enableNixl: true,
    enableXpyd: true,
    enablePD: true,
    nixlBufferDevice: 'cuda',
  };
  if (role === 'prefill')
    return {
      ...common,
      kvRole: 'kv_producer',
      localCpu: true,
      maxLocalCpuSize: 5,
      nixlRole: 'sender',
      nixlProxyHost: 'vllm-router-service',
      nixlProxyPort: NIXL.proxyPort,
      nixlBufferSize: '1073741824',
      rpcPort: 'producer1',
    };
  return {
    ...common,
    kvRole: 'kv_consumer',
    localCpu: false,
    maxLocalCpuSize: 0,
    nixlRole: 'receiver',
    nixlPeerHost: '0.0.0.0',
    nixlPeerInitPort: NIXL.peerInitPort,
    nixlPeerAllocPort: NIXL.peerAllocPort,
    nixlBufferSize: '2147483648',
    nixlBackends: ['UCX'],
    rpcPort: 'consumer1',
    skipLastNTokens: 1,
  };
}

/** The router pairing the pools: `disaggregated_prefill` routing by the pools' model labels. */
export function disaggregatedRouter(base: string) {
  const [repository, tag] = PRODUCTION_STACK_PD_IMAGES.router.split(':');
  return {
    enableRouter: true,
    repository,
    tag,
    replicaCount: 1,
    routingLogic: 'disaggregated_prefill',
    enablePD: true,
    extraArgs: [
      '--prefill-model-labels',
      poolName(base, 'prefill'),
      '--decode-model-labels',
      poolName(base, 'decode'),
    ],
    nixlPeerHost: `vllm-${poolName(base, 'decode')}-engine-service`,
    nixlPeerInitPort: NIXL.peerInitPort,
    nixlPeerAllocPort: NIXL.peerAllocPort,
    nixlProxyHost: '0.0.0.0',
    nixlProxyPort: NIXL.proxyPort,
  };
}

/** The chart's LMCache/NIXL pools run on one node each (no Ray cluster with LMCache's transfer). */
export function requireSingleNodePool(server: DeployServer): void {
  if (server.nodes > 1)
    throw new ServeTuneError(
      `production-stack's disaggregated prefill runs each pool on one node; this plan's ${server.role} server spans ${server.nodes} nodes: emit llm-d, Dynamo, KServe or kubernetes`,
      'invalid-plan',
      `production-stack: ${serverWhere(server)}`,
    );
}

export const PD_HEADER = [
  "production-stack disaggregated prefill (the chart's tutorial values-16-disagg-prefill.yaml): LMCache's",
  'NIXL transfer between a prefill and a decode pool, paired by the router (routingLogic',
  "disaggregated_prefill). The tutorial runs LMCache's nightly images; this file pins released tags",
  `(${PRODUCTION_STACK_PD_IMAGES.engine}, ${PRODUCTION_STACK_PD_IMAGES.router}) that the tutorial was not run on.`,
].join('\n');
