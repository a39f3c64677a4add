import { mergeEngineBehaviour } from '../config/engines/engine-behaviour.js';
import type { Plan } from '../memory/plan.js';
import type { Slo } from '../search/schema.js';
import type { SimulationEvaluator } from '../search/simulation-evaluator.js';
import { meetsSlo } from '../search/slo.js';
import { readConfigIfFile } from '../util/files.js';
import {
  type ConfigSimulation,
  type DisaggregationSide,
  simulationConfigOf,
  simulationFromConfig,
} from './config-simulation.js';
import type { BlockPrediction, PredictBlockInput } from './schema.js';

/** The inputs of a prediction that pick the block, its GPU and the engine behaviours over the file's. */
type PairInput = Pick<
  PredictBlockInput,
  | 'path'
  | 'text'
  | 'hardware'
  | 'hardwareFallback'
  | 'disableCustomAllReduce'
  | 'enforceEager'
  | 'disableOverlapScheduling'
  | 'moeBackend'
> & { block: number };

const planText = (plan: Plan) =>
  [`TP${plan.tp}`, ...(plan.pp > 1 ? [`PP${plan.pp}`] : []), ...(plan.dp > 1 ? [`DP${plan.dp}`] : [])].join(
    '×',
  );
const planGpus = (plan: Plan) => plan.tp * plan.pp * plan.dp;

/**
 * The simulation `simulate --config <file> [--side <side>]` runs for this block (`simulationFromConfig`,
 * the same function), with the behaviours the caller sets over the file's: for a side block the pair,
 * the block's pool and the file's other side (or a copy of this one where the file has none), each with
 * its own scheduler. `text` stands for the file at `path` (an editor's unsaved buffer); the files it
 * refers to are read through `readFile` (default: from disk; the editor passes its open buffers).
 */
export function configPairOf(
  input: PairInput & { readFile?: (path: string) => string | undefined },
  side?: DisaggregationSide,
): ConfigSimulation {
  const readFile = input.readFile ?? readConfigIfFile;
  const asWritten = simulationFromConfig(input.path, {
    block: input.block,
    ...(side ? { side } : {}),
    ...(input.hardware ? { hardware: input.hardware } : {}),
    ...(input.hardwareFallback ? { hardwareFallback: input.hardwareFallback } : {}),
    readFile: (path) => (path === input.path && input.text !== undefined ? input.text : readFile(path)),
  });
  return { ...asWritten, behaviour: mergeEngineBehaviour(asWritten.behaviour, input) };
}

/**
 * One side block of a disaggregated deployment, predicted as the prefill + decode pair it belongs to
 * (`configPairOf`), simulated once at `rate` on the evaluator's requests. A side cannot be predicted
 * alone: its requests need the other side to finish.
 */
export function predictPair(
  input: PairInput,
  side: DisaggregationSide,
  evaluator: SimulationEvaluator,
  rate: number,
  slo: Slo,
): BlockPrediction {
  const config = configPairOf(input, side);
  const other = config.disaggregated?.other ?? { plan: config.plan };
  const prefill = side === 'prefill' ? config.plan : other.plan;
  const decode = side === 'decode' ? config.plan : other.plan;
  const gpus = planGpus(prefill) + planGpus(decode);
  const metrics = evaluator.evaluateConfig(simulationConfigOf(config, slo), rate, gpus);
  return {
    label: `prefill ${planText(prefill)} + decode ${planText(decode)}`,
    settings: {},
    gpus,
    problems: [],
    metrics,
    meetsSlo: meetsSlo(metrics, slo),
    maxRateUnderSlo: null,
  };
}
