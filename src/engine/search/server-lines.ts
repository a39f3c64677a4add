import { bestSplit } from './disaggregation-verdict.js';
import type { EngineSettings } from './engine-commands.js';
import type { SearchResult } from './run.js';

export type EmittedServer = EngineSettings['servers'][number];

/**
 * One server's command as text a person runs: the command line, the options file it names with what to
 * put in it (TensorRT-LLM's, which carries settings and a disaggregated side's cache transceiver), what
 * the command cannot say (an int4 plan's checkpoint, a setting the engine has no flag for), and how it
 * starts over several nodes. `search` and the capacity plan print servers with it, in the CLI and the
 * editor alike.
 */
export function serverLines(server: EmittedServer): string[] {
  const lines = [
    `  ${server.role === 'server' ? '' : `${server.role}: `}${server.commandLine}   (× ${server.replicas}, ${server.gpusPerServer} GPU${server.gpusPerServer > 1 ? 's' : ''} each)`,
  ];
  const { configYaml, yamlFileName } = server;
  if (configYaml !== undefined && yamlFileName !== undefined && server.argv.includes(yamlFileName)) {
    lines.push(
      `    ${yamlFileName}:`,
      ...configYaml
        .trimEnd()
        .split('\n')
        .map((line) => `      ${line}`),
    );
  }
  if (server.dropped.length > 0)
    lines.push(
      `    not in the command: ${server.dropped.map((d) => `${d.setting} (${d.reason})`).join('; ')}`,
    );
  if (server.mpiWorld) {
    lines.push(
      `    over ${server.nodes} nodes as one MPI world, started once (HOSTFILE: the nodes, slots= their GPUs):`,
      `    mpirun: ${server.mpiWorld.mpirun}`,
      `    Slurm:  ${server.mpiWorld.srun}`,
    );
  } else if (server.nodes !== undefined) {
    lines.push(`    over ${server.nodes} nodes; on each (HEAD_NODE_IP: node 0's address):`);
    for (const [rank, line] of (server.nodeCommandLines ?? []).entries())
      lines.push(`    node ${rank}: ${line}`);
  }
  return lines;
}

/**
 * The commands of the split the disaggregation verdict reports, where it is not the best (whose commands
 * are printed already): a user weighing the split can start it.
 */
export function splitCommandLines(result: SearchResult): string[] {
  const split = bestSplit(result.configurations);
  if (!split?.settings || split.best) return [];
  return [`  Its commands (${split.label}):`, ...settingsLines(split.settings)];
}

/**
 * A configuration's commands: each server's (`serverLines`), then for a prefill/decode pair the router
 * that pairs them, with what to install and the file it reads.
 */
export function settingsLines(settings: EngineSettings): string[] {
  return [...settings.servers.flatMap(serverLines), ...routerLines(settings)];
}

/** The router of a prefill/decode pair (none for one server kind): its command, install and file. */
export function routerLines(settings: EngineSettings): string[] {
  const { router } = settings;
  if (!router) return [];
  const lines: string[] = [];
  lines.push(
    `  router: ${router.commandLine}   (PREFILL_HOST, DECODE_HOST: each pool's address, as its servers were started with)`,
  );
  if (router.install) lines.push(`    install: ${router.install}`);
  if (router.file)
    lines.push(
      `    ${router.file.path}:`,
      ...router.file.text
        .trimEnd()
        .split('\n')
        .map((l) => `      ${l}`),
    );
  return lines;
}
