import { Document } from 'yaml';
import type { EngineId } from '../engines/index.js';
import { SGLANG_BOOTSTRAP_PORT } from '../engines/kv-transfer.js';
import { ROUTER_IMAGES, VLLM_ROUTER } from './images.js';
import type { DeployFile, DeployInput } from './types.js';

/** The port each engine's server listens on when the emitted command does not name one. */
export const SERVER_PORT: Record<EngineId, number> = { vllm: 8000, sglang: 30000, tgi: 80, trtllm: 8000 };

/** The port the router answers clients on. */
export const ROUTER_PORT = 8000;

/**
 * The process that pairs prefill and decode servers: what it runs, and the config file it reads (mounted
 * in its working directory). `host(role)` is how the router reaches a pool (a Service or compose service).
 */
export interface DisaggregationRouter {
  image: string;
  /** The container's command (vLLM's installs the router first). */
  command: string[];
  /** The router's own command, as a person starts it where the router is installed. */
  run: string[];
  /** What must be installed for `run` where the image does not carry it. */
  install?: string;
  file?: DeployFile;
}

export function disaggregationRouter(
  input: DeployInput,
  host: (role: 'prefill' | 'decode') => string,
): DisaggregationRouter | undefined {
  if (!input.servers.some((s) => s.role === 'prefill')) return undefined;
  return pairingRouter(input.engine, host);
}

/** The router pairing an engine's prefill and decode pools, each reached at `host(role)`. */
export function pairingRouter(
  engine: EngineId,
  host: (role: 'prefill' | 'decode') => string,
): DisaggregationRouter | undefined {
  const url = (role: 'prefill' | 'decode') => `http://${host(role)}:${SERVER_PORT[engine]}`;
  if (engine === 'sglang') {
    const run = ['python3', '-m', 'sglang_router.launch_router', ...pdRouterArgs(url, SGLANG_BOOTSTRAP_PORT)];
    return { image: ROUTER_IMAGES.sglang, command: run, run };
  }
  if (engine === 'trtllm') return trtllmRouter(host);
  if (engine === 'vllm') return vllmRouter(url);
  return undefined;
}

/**
 * vLLM's pairing router (`vllm-router --vllm-pd-disaggregation`): it sends each request to a prefill
 * server for the KV cache (the NIXL connector moves it), then to a decode server. The image holds Python
 * only, so the container installs the pinned router when it starts.
 */
function vllmRouter(url: (role: 'prefill' | 'decode') => string): DisaggregationRouter {
  const router = ['vllm-router', '--vllm-pd-disaggregation', ...pdRouterArgs(url).slice(1)];
  return {
    image: ROUTER_IMAGES.vllm,
    command: ['sh', '-c', `pip install --no-cache-dir ${VLLM_ROUTER.package} && exec ${router.join(' ')}`],
    run: router,
    install: `pip install ${VLLM_ROUTER.package}`,
  };
}

/**
 * SGLang's router pairing prefill and decode servers (`python3 -m sglang_router.launch_router`): each
 * prefill URL with the bootstrap port its server names (`--prefill URL [BOOTSTRAP_PORT]`, omitted: none —
 * sgl-project/sglang sgl-router/py_src/sglang_router/router_args.py), so the two cannot disagree.
 */
function pdRouterArgs(url: (role: 'prefill' | 'decode') => string, bootstrapPort?: number): string[] {
  return [
    '--pd-disaggregation',
    '--prefill',
    url('prefill'),
    ...(bootstrapPort !== undefined ? [String(bootstrapPort)] : []),
    '--decode',
    url('decode'),
    '--host',
    '0.0.0.0',
    '--port',
    String(ROUTER_PORT),
  ];
}

export const TRTLLM_ROUTER_FILE = 'disagg-router.yaml';

/**
 * `trtllm-serve disaggregated -c disagg-router.yaml`: its YAML lists the context (prefill) and
 * generation (decode) servers by URL; each server's own options carry `cache_transceiver_config` and its
 * command `--server_role`. One URL per pool: the Service in front of its copies.
 */
function trtllmRouter(host: (role: 'prefill' | 'decode') => string): DisaggregationRouter {
  const pool = (role: 'prefill' | 'decode') => ({
    num_instances: 1,
    urls: [`${host(role)}:${SERVER_PORT.trtllm}`],
  });
  const config = {
    hostname: '0.0.0.0',
    port: ROUTER_PORT,
    backend: 'pytorch',
    context_servers: pool('prefill'),
    generation_servers: pool('decode'),
  };
  return {
    image: ROUTER_IMAGES.trtllm,
    command: ['trtllm-serve', 'disaggregated', '-c', TRTLLM_ROUTER_FILE],
    run: ['trtllm-serve', 'disaggregated', '-c', TRTLLM_ROUTER_FILE],
    file: { path: TRTLLM_ROUTER_FILE, text: new Document(config).toString({ lineWidth: 0 }) },
  };
}
