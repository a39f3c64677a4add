import { ServeTuneError } from '../../util/errors.js';
import { shellQuote } from '../shell.js';
import type { DeployServer } from './types.js';

/**
 * How one vLLM server spans the pods of a LeaderWorkerSet group (one pod per node). LeaderWorkerSet sets
 * `LWS_LEADER_ADDRESS` and `LWS_WORKER_INDEX` in every pod; Kubernetes expands `$(VAR)` in a container's
 * command and arguments.
 */
export const LEADER_ADDRESS = '$(LWS_LEADER_ADDRESS)';
const RAY_PORT = 6379;
const DATA_PARALLEL_RPC_PORT = 5555;

/**
 * Data-parallel ranks per node where whole ranks fit one node (vLLM ≥ 0.10 runs each node's ranks itself,
 * the leader answering and the others `--headless`); otherwise Ray carries TP × PP over the nodes.
 */
export type NodeSpread = { kind: 'data-parallel'; ranksPerNode: number } | { kind: 'ray' };

export function nodeSpread(server: DeployServer): NodeSpread {
  const { dp = 1, pp = 1 } = server.settings;
  if (dp > 1 && pp === 1 && dp % server.nodes === 0)
    return { kind: 'data-parallel', ranksPerNode: dp / server.nodes };
  return { kind: 'ray' };
}

/** The leader's command under Ray: start the head, then the server over it. */
export function rayLeaderCommand(argv: readonly string[]): string {
  return `ray start --head --port=${RAY_PORT} && exec ${argv.map(shellQuote).join(' ')} --distributed-executor-backend ray`;
}

/** A worker's command under Ray: join the leader's Ray cluster and hold its GPUs. */
export const RAY_WORKER_COMMAND = `ray start --address=${LEADER_ADDRESS}:${RAY_PORT} --block`;

/** The words each node's server adds for its share of the data-parallel ranks. */
function dataParallelWords(ranksPerNode: number): string {
  return [
    '--data-parallel-size-local',
    String(ranksPerNode),
    '--data-parallel-address',
    LEADER_ADDRESS,
    '--data-parallel-rpc-port',
    String(DATA_PARALLEL_RPC_PORT),
  ].join(' ');
}

/**
 * One shell script for every pod of the group, branching on the pod's index: for platforms that give
 * the leader and the workers the same template (llm-d's model service chart, KServe's `worker`).
 */
export function groupScript(argv: readonly string[], server: DeployServer): string {
  if (server.nodes < 2)
    throw new ServeTuneError('a node group script is for a server over several nodes', 'invalid-plan');
  const command = argv.map(shellQuote).join(' ');
  const spread = nodeSpread(server);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
  const isLeader = 'if [ "${LWS_WORKER_INDEX:-0}" -eq 0 ]; then';
  if (spread.kind === 'ray')
    return [isLeader, `  ${rayLeaderCommand(argv)}`, 'else', `  exec ${RAY_WORKER_COMMAND}`, 'fi', ''].join(
      '\n',
    );
  const words = dataParallelWords(spread.ranksPerNode);
  return [
    `START_RANK=$(( \${LWS_WORKER_INDEX:-0} * ${spread.ranksPerNode} ))`,
    isLeader,
    `  exec ${command} ${words}`,
    'else',
    `  exec ${command} ${words} --data-parallel-start-rank $START_RANK --headless`,
    'fi',
    '',
  ].join('\n');
}
