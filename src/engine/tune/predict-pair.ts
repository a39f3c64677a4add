import { mergeEngineBehaviour } from '../config/engines/engine-behaviour.js';
import type { Plan } from '../memory/plan.js';
import { DEFAULT_RATE_SEARCH, maxRatesUnderSlo } from '../search/rate.js';
import type { EvaluationMetrics, Pool, Slo } from '../search/schema.js';
import { type SimulationEvaluator, schedulerFor } from '../search/simulation-evaluator.js';
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
  | 'nvfp4Dispatch'
  | 'fp8QBProj'
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
 * The pair with the picked side's pool as `pool` (plan and scheduler knobs, `maxModelLen` as the block
 * sets it), the other side as it was.
 */
export function pairWithPool(config: ConfigSimulation, pool: Pool, maxModelLen: number): ConfigSimulation {
  const { enablePrefixCaching } = config.scheduler;
  return {
    ...config,
    plan: pool.plan,
    scheduler: {
      ...schedulerFor(config.engine.id, pool.knobs, maxModelLen),
      ...(enablePrefixCaching !== undefined ? { enablePrefixCaching } : {}),
    },
  };
}

/** The pair simulated at `rate` on the evaluator's requests, and the GPUs of both pools. */
export function evaluatePair(
  config: ConfigSimulation,
  evaluator: SimulationEvaluator,
  rate: number,
  slo: Slo,
): { metrics: EvaluationMetrics; gpus: number; label: string } {
  const side = config.disaggregated?.side ?? 'prefill';
  const other = config.disaggregated?.other ?? { plan: config.plan };
  const prefill = side === 'prefill' ? config.plan : other.plan;
  const decode = side === 'decode' ? config.plan : other.plan;
  const gpus = planGpus(prefill) + planGpus(decode);
  const metrics = evaluator.evaluateConfig(simulationConfigOf(config, slo), rate, gpus);
  return { metrics, gpus, label: `prefill ${planText(prefill)} + decode ${planText(decode)}` };
}

/** The highest rate at which the pair meets the SLOs (null: none), searched from `start`. */
export async function pairMaxRate(
  config: ConfigSimulation,
  evaluator: SimulationEvaluator,
  start: number,
  slo: Slo,
): Promise<number | null> {
  const [found] = await maxRatesUnderSlo(
    1,
    async (round) =>
      round.map(({ rate }) => ({
        holds: meetsSlo(evaluatePair(config, evaluator, rate, slo).metrics, slo),
        payload: undefined,
      })),
    { ...DEFAULT_RATE_SEARCH, start },
  );
  return found.rate;
}

/**
 * One side block of a disaggregated deployment, predicted as the prefill + decode pair it belongs to
 * (`configPairOf`), simulated once at `rate` on the evaluator's requests (and, `withMaxRate`, rated: the
 * highest rate meeting the SLOs). A side cannot be predicted alone: its requests need the other side.
 */
export async function predictPair(
  input: PairInput & { readFile?: (path: string) => string | undefined },
  side: DisaggregationSide,
  evaluator: SimulationEvaluator,
  rate: number,
  slo: Slo,
  withMaxRate = false,
): Promise<BlockPrediction> {
  const config = configPairOf(input, side);
  const { metrics, gpus, label } = evaluatePair(config, evaluator, rate, slo);
  return {
    label,
    settings: {},
    gpus,
    problems: [],
    metrics,
    meetsSlo: meetsSlo(metrics, slo),
    maxRateUnderSlo: withMaxRate ? await pairMaxRate(config, evaluator, rate, slo) : null,
  };
}
