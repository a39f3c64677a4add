import { composeFiles } from './compose.js';
import { dynamoFiles } from './dynamo.js';
import { kserveFiles } from './kserve.js';
import { kubernetesFiles } from './kubernetes.js';
import { llmdFiles } from './llm-d.js';
import { productionStackFiles } from './production-stack.js';
import type { DeployFile, DeployFormat, DeployInput } from './types.js';

export * from './types.js';

const EMITTERS: Record<DeployFormat, (input: DeployInput) => DeployFile[]> = {
  kubernetes: kubernetesFiles,
  compose: composeFiles,
  dynamo: dynamoFiles,
  kserve: kserveFiles,
  'production-stack': productionStackFiles,
  'llm-d': llmdFiles,
};

/**
 * The files that deploy a plan in one format. Each reads back, through ServeTune's own readers, to the
 * plan's settings (tested per format).
 */
export function deploymentFiles(format: DeployFormat, input: DeployInput): DeployFile[] {
  return EMITTERS[format](input);
}
