import type { EngineId } from './index.js';

/** Where the other nodes reach the first (the user's head node address), as a shell variable. */
export const HEAD_NODE_ADDRESS = '$HEAD_NODE_IP';

/**
 * The words each node's command adds when one server spans `nodes` nodes (SGLang 0.5, vLLM 0.10 data
 * parallel); `dataParallel` is the server's DP size (vLLM splits its ranks over the nodes). TensorRT-LLM
 * and TGI are launched across nodes by their launcher (mpirun, Slurm), not by flags: undefined.
 */
export function nodeLaunchWords(
  engine: EngineId,
  nodes: number,
  rank: number,
  dataParallel: number,
): string[] | undefined {
  if (engine === 'sglang') {
    return [
      '--nnodes',
      String(nodes),
      '--node-rank',
      String(rank),
      '--dist-init-addr',
      `${HEAD_NODE_ADDRESS}:5000`,
    ];
  }
  if (engine === 'vllm' && dataParallel % nodes === 0) {
    const local = dataParallel / nodes;
    const words = ['--data-parallel-size-local', String(local), '--data-parallel-address', HEAD_NODE_ADDRESS];
    words.push('--data-parallel-rpc-port', '13345');
    return rank === 0 ? words : [...words, '--data-parallel-start-rank', String(rank * local), '--headless'];
  }
  return undefined;
}
