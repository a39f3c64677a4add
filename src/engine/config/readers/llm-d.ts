import { isMap, type YAMLMap } from 'yaml';
import type { BlockBuilder } from '../block.js';
import type { SourceFile } from '../source.js';
import { countAt, vllmPart } from './platform-crds.js';
import { getIn, scalarText } from './yaml-util.js';

/** llm-d's model service chart values: `modelArtifacts` and a `decode` (and maybe `prefill`) pool. */
export function isLlmdValues(root: unknown): boolean {
  return isMap(root) && root.has('modelArtifacts') && (root.has('decode') || root.has('prefill'));
}

/** A pool the chart creates (`create: false` turns one off). */
function created(pool: unknown): boolean {
  return isMap(pool) && scalarText(getIn(pool, ['create'])) !== 'false';
}

/**
 * Pods per server under `multinode: true` (one LeaderWorkerSet group), as the chart counts them:
 * `parallelism.workers`, else `data ÷ dataLocal`, else 1.
 */
function groupSize(pool: unknown): { count: number; node: unknown } | undefined {
  const parallelism = getIn(pool, ['parallelism']);
  const workers = countAt(parallelism, ['workers']);
  if (workers !== undefined) return { count: workers, node: getIn(parallelism, ['workers']) };
  const data = countAt(parallelism, ['data']);
  const dataLocal = countAt(parallelism, ['dataLocal']);
  if (data === undefined || dataLocal === undefined || data % dataLocal !== 0) return undefined;
  return { count: data / dataLocal, node: parallelism };
}

/**
 * Each pool is one vLLM server kind: the first container's `args` (the chart runs `vllm serve <model>`
 * before them), `parallelism`, `replicas`, GPUs; prefill and decode are roles when both exist.
 */
export function readLlmdValues(root: YAMLMap, source: SourceFile): BlockBuilder[] {
  const multinode = scalarText(root.get('multinode', true)) === 'true';
  const shape = {
    containers: ['containers'],
    modelUri: getIn(root, ['modelArtifacts', 'uri']),
    modelUriKey: 'modelArtifacts.uri',
    root,
    nodes: multinode ? groupSize : undefined,
  };
  const prefill = root.get('prefill', true);
  const decode = root.get('decode', true);
  const disaggregated = created(prefill) && created(decode);
  const blocks: BlockBuilder[] = [];
  if (created(decode))
    blocks.push(vllmPart(decode, shape, source, 'llm-d decode', disaggregated ? 'decode' : undefined));
  if (created(prefill)) blocks.push(vllmPart(prefill, shape, source, 'llm-d prefill', 'prefill'));
  for (const block of blocks) block.kind = 'helm-llm-d';
  return blocks;
}
