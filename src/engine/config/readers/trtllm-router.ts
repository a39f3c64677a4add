import { isMap, isSeq, parse, type YAMLMap } from 'yaml';
import type { BlockBuilder, BlockProblem } from '../block.js';
import type { SourceFile } from '../source.js';
import { getIn, nodeRange, scalarText } from './yaml-util.js';

const POOLS = [
  ['context_servers', 'prefill'],
  ['generation_servers', 'decode'],
] as const;

/** The ports a pool's `urls` name (`localhost:8001`, `http://host:8002`). */
function poolPorts(config: unknown, pool: string): Set<string> {
  const urls = (config as Record<string, { urls?: unknown } | undefined> | null)?.[pool]?.urls;
  if (!Array.isArray(urls)) return new Set();
  return new Set(urls.flatMap((url) => (/:(\d+)\/?$/.exec(String(url)) ?? []).slice(1)));
}

/**
 * TensorRT-LLM servers started without `--server_role` take their side from the router's YAML
 * (`trtllm-serve disaggregated -c FILE`): a server whose `--port` is in `context_servers.urls` is the
 * context (prefill) side, in `generation_servers.urls` the generation (decode) side. A port both lists or
 * neither names gives no role.
 */
export function rolesFromRouterConfig(blocks: readonly BlockBuilder[], text: string, file: string): void {
  let config: unknown;
  try {
    config = parse(text);
  } catch {
    return;
  }
  const ports = POOLS.map(([pool, role]) => ({ pool, role, ports: poolPorts(config, pool) }));
  for (const block of blocks) {
    if (block.engine !== 'trtllm') continue;
    if (block.occurrences.some((o) => o.settings.disaggregationMode !== undefined)) continue;
    const port = block.occurrences.findLast((o) => o.spelling === '--port')?.raw;
    const sides = ports.filter((p) => p.ports.has(String(port)));
    if (port === undefined || sides.length !== 1) continue;
    const [{ pool, role }] = sides;
    block.add({
      knob: null,
      spelling: `${pool}.urls`,
      origin: 'deployment',
      raw: String(port),
      settings: { disaggregationMode: role },
      keyRange: null,
      valueRange: null,
      edit: null,
      note: `port ${String(port)} is in ${pool}.urls of ${file}`,
    });
  }
}

/** The YAML `trtllm-serve disaggregated -c` reads: the context and generation servers it routes to. */
export function isTrtllmRouterConfig(root: unknown): boolean {
  return isMap(root) && POOLS.some(([pool]) => isSeq(getIn(root, [pool, 'urls'])));
}

/**
 * What a router config read alone says: the servers it routes to, each side's URLs; it is not a server
 * (each server's settings are in its own `trtllm-serve` command and options YAML).
 */
export function describeRouterConfig(root: YAMLMap, source: SourceFile): BlockProblem {
  const sides = POOLS.map(([pool, role]) => {
    const urls = getIn(root, [pool, 'urls']);
    const list = isSeq(urls) ? urls.items.map((url) => scalarText(url) ?? '?') : [];
    return `${role === 'prefill' ? 'context (prefill)' : 'generation (decode)'} servers ${list.join(', ') || 'none'}`;
  });
  return {
    severity: 'info',
    code: 'disaggregated-router',
    message: `TensorRT-LLM disaggregated router config (trtllm-serve disaggregated -c): it routes to ${sides.join(' and ')}; it is not a server, so no engine settings are read here (check each server's own command)`,
    range: nodeRange(root, source),
  };
}
