import { backToBack } from '../bench/back-to-back.js';
import { measuredSummary } from '../bench/summary.js';
import type { LocalServer } from '../serve/local/start.js';
import { SimulationConfig, type SimulationConfigInput } from '../sim/config.js';
import type { RunSummary } from '../sim/summary.js';
import { NO_SLO } from '../workload/slo-verdict.js';
import type { ValidationOptions } from './options.js';
import type { AsServed } from './prediction.js';
import type { PredictionSetup } from './prediction-setup.js';
import type { ServedRun } from './serving-runs.js';

/**
 * The validated run as measured: its blocks' requests summarized as one run (`backToBack`: each block
 * on one clock from where the previous ended), recorded with the configuration that predicts it and
 * how it was served (so `servetune calibrate` can re-simulate it).
 */
export function measuredValidatedRun(
  options: ValidationOptions,
  server: LocalServer,
  setup: PredictionSetup,
  validated: readonly ServedRun[],
  headlineConfig: SimulationConfigInput,
  served: { rate: number | null; asServed: AsServed },
): RunSummary {
  const first = validated[0].summary;
  const { rate, asServed } = served;
  return measuredSummary(backToBack(validated.map((b) => b.requests)), {
    label: validated.length > 1 ? `${first.label}, in ${validated.length} blocks` : first.label,
    url: server.url,
    servedModel: server.engine.modelId,
    model: options.model.id,
    hardware: setup.hardware.id,
    gpus: 1,
    config: SimulationConfig.parse(headlineConfig),
    workload: {
      source: options.workload,
      seed: options.seed,
      count: options.requests,
      ...(rate !== null ? { rate } : {}),
      mode: 'open',
      ...asServed,
    },
    planned: options.requests,
    slo: NO_SLO,
    seed: options.seed,
    wallSeconds: validated.reduce((sum, b) => sum + b.summary.wallSeconds, 0),
    preemptions: validated.reduce((sum, b) => sum + b.summary.preemptions, 0),
  });
}
