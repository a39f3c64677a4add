import type { EngineId } from '../engines/index.js';
import type { PartialServingSettings } from '../serving-settings.js';

/**
 * One kind of server of a plan. `settings` holds the engine settings and the deployment ones: `replicas`
 * (copies) and `gpus` (GPUs one copy uses over all its nodes).
 */
export interface DeployServer {
  role: 'server' | 'prefill' | 'decode';
  settings: PartialServingSettings;
  /** Nodes one copy spans (1 where it fits one machine). */
  nodes: number;
}

export interface DeployInput {
  /** Kubernetes-safe base name (`qwen3-30b-a3b`). */
  name: string;
  engine: EngineId;
  servers: DeployServer[];
}

export interface DeployFile {
  path: string;
  text: string;
}

export const DEPLOY_FORMATS = [
  'kubernetes',
  'compose',
  'dynamo',
  'kserve',
  'production-stack',
  'llm-d',
] as const;
export type DeployFormat = (typeof DEPLOY_FORMATS)[number];
