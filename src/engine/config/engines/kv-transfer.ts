import { ServeTuneError } from '../../util/errors.js';
import type { EngineId } from './index.js';

/** Which side of a disaggregated pair a server is. */
export type PoolSide = 'prefill' | 'decode';

/**
 * What each engine needs, beyond its side (`disaggregationMode`, a knob of its table), to move the KV cache
 * from a prefill server to a decode server: the one place these facts live. Every emitter of a
 * disaggregated pair (the search's commands, the deployment files, Dynamo's workers) reads them here.
 *
 * - `serverArgs`: words after the engine's own flags on each side's command.
 * - `optionsYaml`: what goes into the engine's options file on each side (TensorRT-LLM).
 * - `dynamoArgs`: Dynamo's worker for the engine, which moves the KV itself, on each side.
 */
interface KvTransfer {
  serverArgs: (side: PoolSide) => string[];
  /**
   * The environment variable a prefill server gives decode servers its address in, where the engine's
   * default (localhost) is unreachable from another machine.
   */
  prefillAddressEnv?: string;
  optionsYaml?: Record<string, unknown>;
  dynamoArgs: (side: PoolSide) => string[];
}

/**
 * SGLang and TensorRT-LLM listen on 127.0.0.1 unless told otherwise (SGLang ServerArgs `host`,
 * trtllm-serve `--host` default `localhost`), and the router pairing the pools reaches them from another
 * machine or container.
 */
const ALL_INTERFACES = ['--host', '0.0.0.0'];

/**
 * vLLM's NIXL connector: `--kv-transfer-config` with `kv_connector: NixlConnector` and the side as
 * `kv_role` (`kv_producer` for prefill, `kv_consumer` for decode, as vLLM's multi-machine examples write
 * them; the connector itself does not tell them apart, the proxy does) — vllm-project/vllm
 * docs/features/nixl_connector_usage.md @ 026c83f974fcee0e1887060ebdcc53dc427bacfc, "Multi-Instance Setup"
 * and "KV Role Options". The JSON is built here (never by hand), so it is valid; shell-quoting is the
 * command line's (`shellQuote`).
 */
export function vllmKvTransferConfig(side: PoolSide): string {
  return JSON.stringify({
    kv_connector: 'NixlConnector',
    kv_role: side === 'prefill' ? 'kv_producer' : 'kv_consumer',
  });
}

/**
 * SGLang's transfer backend: ServerArgs `disaggregation_transfer_backend` defaults to `mooncake`, which
 * needs Mooncake's transfer engine and an RDMA device; `nixl` is the other backend its image carries.
 * The prefill side serves its bootstrap server on `disaggregation_bootstrap_port` (default 8998), the port
 * the router is given beside each prefill URL — sgl-project/sglang python/sglang/srt/server_args.py @
 * 469c63e54e7d94591617ef9590c6aa26d54dc1bb (`disaggregation_mode`, `disaggregation_bootstrap_port: int =
 * 8998`, `disaggregation_transfer_backend: str = "mooncake"`).
 */
export const SGLANG_TRANSFER_BACKEND = 'nixl';
export const SGLANG_BOOTSTRAP_PORT = 8998;

const sglangTransfer = (side: PoolSide) => [
  '--disaggregation-transfer-backend',
  SGLANG_TRANSFER_BACKEND,
  ...(side === 'prefill' ? ['--disaggregation-bootstrap-port', String(SGLANG_BOOTSTRAP_PORT)] : []),
];

/**
 * TensorRT-LLM moves the KV through its cache transceiver, set in the LLM API options
 * (`cache_transceiver_config.backend`, one of DEFAULT, UCX, NIXL, MPI) on both the context and the
 * generation server — NVIDIA/TensorRT-LLM tensorrt_llm/llmapi/llm_args.py @ 00043967
 * (`CacheTransceiverConfig`); the side is `--server_role`, a knob. Dynamo's `dynamo.trtllm` worker reads
 * the same options file (`--extra-engine-args`).
 */
const TRTLLM_CACHE_TRANSCEIVER = { cache_transceiver_config: { backend: 'UCX' } };

/**
 * The address a vLLM prefill server gives decode servers for the NIXL handshake: default "localhost",
 * "set when prefiller and decoder are on different machines" (nixl_connector_usage.md @ 026c83f9,
 * "Environment Variables").
 */
export const NIXL_SIDE_CHANNEL_HOST = 'VLLM_NIXL_SIDE_CHANNEL_HOST';

export const KV_TRANSFER: Partial<Record<EngineId, KvTransfer>> = {
  vllm: {
    serverArgs: (side) => ['--kv-transfer-config', vllmKvTransferConfig(side)],
    prefillAddressEnv: NIXL_SIDE_CHANNEL_HOST,
    // Dynamo's vLLM worker (ai-dynamo/dynamo components/backends/vllm/src/dynamo/vllm/args.py, 0.5.0:
    // `--is-prefill-worker`, store_true) sets up the NIXL connector itself; a decode worker is the default.
    dynamoArgs: (side) => (side === 'prefill' ? ['--is-prefill-worker'] : []),
  },
  sglang: {
    serverArgs: (side) => [...sglangTransfer(side), ...ALL_INTERFACES],
    dynamoArgs: (side) => sglangTransfer(side),
  },
  trtllm: {
    serverArgs: () => [...ALL_INTERFACES],
    optionsYaml: TRTLLM_CACHE_TRANSCEIVER,
    dynamoArgs: () => [],
  },
};

/** The engine's KV transfer; an engine without disaggregated serving is refused. */
export function kvTransferOf(engine: EngineId): KvTransfer {
  const transfer = KV_TRANSFER[engine];
  if (!transfer)
    throw new ServeTuneError(`${engine} has no prefill/decode disaggregation to emit`, 'invalid-plan');
  return transfer;
}
