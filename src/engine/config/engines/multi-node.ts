import { shellQuote } from '../shell.js';
import type { EngineId } from './index.js';

/** Where the other nodes reach the first (the user's head node address), as a shell variable. */
export const HEAD_NODE_ADDRESS = '$HEAD_NODE_IP';

/**
 * The words each node's command adds when one server spans `nodes` nodes (SGLang 0.5, vLLM 0.10 data
 * parallel); `dataParallel` is the server's DP size (vLLM splits its ranks over the nodes). TensorRT-LLM
 * starts as one MPI world (mpiWorldCommands) and TGI serves from one node: undefined.
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

/** The hostfile mpirun reads (one line per node, `slots=` its GPUs), as a shell variable. */
export const MPI_HOSTFILE = '$HOSTFILE';

/** TensorRT-LLM's wrapper that makes one MPI world's ranks a single server (rank 0 serves HTTP). */
export const TRTLLM_MPI_WRAPPER = 'trtllm-llmapi-launch';

/**
 * One server over `nodes` nodes started as one MPI world from one place, as TensorRT-LLM documents it:
 * `mpirun -n <world> … trtllm-llmapi-launch trtllm-serve …` (the hostfile names the nodes) or, under
 * Slurm, `srun -N <nodes> --ntasks <world> --ntasks-per-node <gpus> --mpi=pmix trtllm-llmapi-launch
 * trtllm-serve …`. `argv` is the server's command; `env` its variables, passed to every rank.
 */
export function mpiWorldCommands(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  world: number,
  nodes: number,
): { mpirun: string; srun: string } {
  const command = [TRTLLM_MPI_WRAPPER, ...argv].map(shellQuote).join(' ');
  const variables = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const mpirunEnv = variables.flatMap((kv) => ['-x', shellQuote(kv)]);
  const srunEnv = variables.length > 0 ? [shellQuote(`--export=ALL,${variables.join(',')}`)] : [];
  const perNode = Math.ceil(world / nodes);
  const mpirun = ['mpirun', '-n', String(world), '--hostfile', MPI_HOSTFILE, '--allow-run-as-root'];
  const srun = ['srun', '-N', String(nodes), '--ntasks', String(world), '--ntasks-per-node', String(perNode)];
  return {
    mpirun: [...mpirun, ...mpirunEnv, command].join(' '),
    srun: [...srun, '--mpi=pmix', ...srunEnv, command].join(' '),
  };
}
