import { Document } from 'yaml';
import { ServeTuneError } from '../../util/errors.js';
import { disaggregatedFlags } from '../disaggregated-flags.js';
import { type EngineFlags, engineFlags } from '../emit.js';
import { type EngineId, launchWords } from '../engines/index.js';
import type { PartialServingSettings } from '../serving-settings.js';
import type { DeployFormat, DeployServer } from './types.js';

/** The engine flags of one server, with what disaggregated serving needs to move KV between pools. */
export function serverFlags(engine: EngineId, server: DeployServer): EngineFlags {
  const yamlFileName = `${server.role === 'server' ? 'serve' : server.role}.yaml`;
  return server.role === 'server'
    ? engineFlags(engine, server.settings, { yamlFileName })
    : disaggregatedFlags(engine, server.settings, server.role, { yamlFileName });
}

export { NIXL_SIDE_CHANNEL_HOST } from '../engines/kv-transfer.js';

/** `name-prefill`, `name-decode`, or `name` for a colocated server. */
export function serverName(base: string, server: DeployServer): string {
  return server.role === 'server' ? base : `${base}-${server.role}`;
}

/** The words after the program: what a container image whose entrypoint is the launcher takes. */
export function argsAfterLauncher(engine: EngineId, argv: readonly string[]): string[] {
  return argv.slice(launchWords(engine).length);
}

/** GPUs one pod holds: a copy's GPUs spread over its nodes. */
export function gpusPerPod(server: DeployServer): number {
  if (server.settings.gpus === undefined) return 1;
  if (server.settings.gpus % server.nodes !== 0)
    throw new ServeTuneError(
      `${server.settings.gpus} GPUs do not split evenly over ${server.nodes} nodes`,
      'invalid-plan',
    );
  return server.settings.gpus / server.nodes;
}

export const replicasOf = (settings: PartialServingSettings) => settings.replicas ?? 1;

/** YAML documents joined as one manifest. */
export function manifest(documents: readonly unknown[], header?: string): string {
  const body = documents.map((d) => new Document(d).toString({ lineWidth: 0 })).join('---\n');
  return header
    ? `${header
        .split('\n')
        .map((line) => `# ${line}`)
        .join('\n')}\n${body}`
    : body;
}

/** Which server of a plan a refusal is about: `prefill server`, `decode server`, `the server`. */
export function serverWhere(server: DeployServer): string {
  return `${server.role === 'server' ? 'the' : server.role} server`;
}

/**
 * Refuses a server over several nodes where the format runs each server on one machine, naming the
 * format that deploys it instead; `where` says which format and server.
 */
export function requireSingleNode(
  server: DeployServer,
  format: DeployFormat,
  instead: string,
  what: string = format,
): void {
  if (server.nodes > 1)
    throw new ServeTuneError(
      `${what} runs each server on one machine; this plan's ${server.role === 'server' ? '' : `${server.role} `}server spans ${server.nodes} nodes: emit ${instead}`,
      'invalid-plan',
      `${format}: ${serverWhere(server)}`,
    );
}

/**
 * The options file the command names, when it names one (TensorRT-LLM's extra options). vLLM's and
 * SGLang's `configYaml` repeat the flags as an alternative and are not deployed.
 */
export function namedConfigFile(flags: EngineFlags): { path: string; text: string } | undefined {
  const { configYaml, yamlFileName } = flags;
  if (configYaml === undefined || yamlFileName === undefined || !flags.argv.includes(yamlFileName))
    return undefined;
  return { path: yamlFileName, text: configYaml };
}
