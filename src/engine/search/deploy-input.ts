import type { DeployInput, DeployServer } from '../config/deploy/index.js';
import { EngineId } from '../config/engines/index.js';
import { PartialServingSettings } from '../config/serving-settings.js';
import type { EngineSettings } from './engine-commands.js';

/** A Kubernetes-safe name from a model id: `Qwen/Qwen3-30B-A3B` → `qwen3-30b-a3b`. */
export function deploymentName(model: string): string {
  const last = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  return (
    last
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50) || 'servetune'
  );
}

/**
 * A searched configuration's servers as a deployment: the settings they express, their copies and GPUs,
 * and the nodes a copy spans where it needs more GPUs than one node has.
 */
export function deployInputOf(settings: EngineSettings, model: string, gpusPerNode: number): DeployInput {
  const servers: DeployServer[] = settings.servers.map((server) => ({
    role: server.role,
    settings: {
      ...PartialServingSettings.parse(server.expressed),
      replicas: server.replicas,
      gpus: server.gpusPerServer,
    },
    nodes: Math.max(1, Math.ceil(server.gpusPerServer / gpusPerNode)),
  }));
  return { name: deploymentName(model), engine: EngineId.parse(settings.engine), servers };
}
