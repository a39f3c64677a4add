import { type DeployFile, type DeployFormat, deploymentFiles } from '../config/deploy/index.js';
import { findHardware } from '../hardware/catalog.js';
import { ServeTuneError } from '../util/errors.js';
import { deployInputOf } from './deploy-input.js';
import type { EngineSettings } from './engine-commands.js';

/** Catalog GPUs whose node size is not known are assumed on the common 8-GPU node. */
const DEFAULT_GPUS_PER_NODE = 8;

/**
 * The deployment files of one searched configuration, in one format: what `search --emit` writes for the
 * best and the editor's "Write Deployment Files…" for the configuration chosen. `settings` is the
 * configuration's engine settings (only the fronts' members and the best carry them).
 */
export function searchedDeploymentFiles(
  settings: EngineSettings | null | undefined,
  hardware: string,
  format: DeployFormat,
): DeployFile[] {
  const model = settings?.servers[0]?.expressed.model;
  if (!settings || typeof model !== 'string')
    throw new ServeTuneError(
      'this configuration has no engine settings: only the Pareto fronts’ members and the best carry them',
      'invalid-plan',
    );
  const gpusPerNode = findHardware(hardware)?.gpusPerNode ?? DEFAULT_GPUS_PER_NODE;
  return deploymentFiles(format, deployInputOf(settings, model, gpusPerNode));
}
