import type { ServingBlock } from './block.js';
import { normalizeName } from './knobs/types.js';

/**
 * How many GPUs one pod (or one command) of a block needs, as the engine places its ranks: DP attention
 * runs inside the TP group, `--data-parallel-size-local` ranks are this node's share, and a plan that
 * spans nodes (Ray, `--nnodes`, `--node-rank`) needs only its share here.
 */
export interface GpuDemand {
  /** GPUs the whole plan uses. */
  total: number;
  /** GPUs this pod needs, where known. */
  perPod: number | undefined;
  /** How `total`/`perPod` were counted, for messages. */
  formula: string;
  /** Why the plan may span several nodes (`--distributed-executor-backend ray`), when it may. */
  multiNode: string | undefined;
}

/** The raw value of a flag the block sets (by any `-`/`_` spelling), or true for a bare switch. */
export function flagValue(block: ServingBlock, flag: string): string | boolean | undefined {
  const name = normalizeName(flag);
  for (let i = block.occurrences.length - 1; i >= 0; i--) {
    const occurrence = block.occurrences[i];
    if (normalizeName(occurrence.spelling) === name) return occurrence.raw;
  }
  return block.unknownFlags.some((f) => normalizeName(f.flag) === name) ? true : undefined;
}

const MULTI_NODE_FLAGS = ['--node-rank', '--dist-init-addr', '--headless', '--data-parallel-address'];

function multiNodeReason(block: ServingBlock): string | undefined {
  if (flagValue(block, '--distributed-executor-backend') === 'ray')
    return '--distributed-executor-backend ray';
  const nnodes = flagValue(block, '--nnodes');
  if (typeof nnodes === 'string') return `--nnodes ${nnodes}`;
  return MULTI_NODE_FLAGS.find((flag) => flagValue(block, flag) !== undefined);
}

export function gpuDemand(block: ServingBlock, tp: number, pp: number, dp: number): GpuDemand {
  const dpAttention = block.engine === 'sglang' && flagValue(block, '--enable-dp-attention') === true;
  // SGLang's DP attention splits the TP group's attention into DP ranks: no more GPUs than TP.
  const replicas = dpAttention ? 1 : dp;
  const total = tp * pp * replicas;
  const formula = `TP ${tp} × PP ${pp}${dpAttention ? ` (DP ${dp} attention inside TP)` : ` × DP ${dp}`}`;
  const local = Number(flagValue(block, '--data-parallel-size-local'));
  if (Number.isInteger(local) && local > 0 && !dpAttention) {
    return {
      total,
      perPod: tp * pp * local,
      formula: `TP ${tp} × PP ${pp} × local DP ${local}`,
      multiNode: `--data-parallel-size-local ${local}`,
    };
  }
  const spread = block.nodes && block.nodes.count > 1 ? block.nodes.count : undefined;
  const multiNode = spread ? `${spread} nodes per server` : multiNodeReason(block);
  const nodes = block.nodes?.count ?? Number(flagValue(block, '--nnodes'));
  if (Number.isInteger(nodes) && nodes > 1 && total % nodes === 0) {
    return { total, perPod: total / nodes, formula: `${formula} over ${nodes} nodes`, multiNode };
  }
  return { total, perPod: multiNode ? undefined : total, formula, multiNode };
}
