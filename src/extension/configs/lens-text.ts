import type { EvaluationMetrics, Slo } from '../../engine/search/schema.js';
import type { DisaggregationSide } from '../../engine/tune/config-simulation.js';
import type { BlockPrediction } from '../../engine/tune/schema.js';
import { shortWorkloadName } from '../../engine/tune/tune.js';

const seconds = (s: number) => (s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(2)} s`);
const rate = (r: number) => `${r.toFixed(2)} req/s`;

function metricsText(m: EvaluationMetrics, slo: Slo, gpus: number): string {
  const p = slo.percentile;
  return `${p} TTFT ${seconds(m.ttft[p])} · TBT ${seconds(m.tbt[p])} · ${Math.round(m.throughputPerGpu * gpus)} tok/s`;
}

/**
 * The prediction lens of a block as written. `side`: the block is that side of a disaggregated
 * deployment, predicted as the prefill + decode pair (the numbers are the pair's, on both sides' lenses).
 */
export function predictionText(
  prediction: BlockPrediction,
  slo: Slo,
  at: number,
  workload: string,
  engineBehaviour: readonly string[] = [],
  side?: DisaggregationSide,
): string {
  const who = side ? 'ServeTune (prefill + decode pair)' : 'ServeTune';
  if (!prediction.metrics) return `${who}: cannot run as written: ${prediction.problems[0] ?? 'infeasible'}`;
  const verdict = prediction.meetsSlo ? 'meets' : 'misses';
  // The engine behaviours the file sets away from the defaults (eager, NCCL all-reduce…) time the prediction.
  const engine = engineBehaviour.length > 0 ? ` · ${engineBehaviour.join(', ')}` : '';
  return `${who}: ${metricsText(prediction.metrics, slo, prediction.gpus)} at ${rate(at)} of ${shortWorkloadName(workload)} (${verdict} the SLO)${engine}`;
}

/**
 * The Tune lens of a side block: the editor's Tune rewrites one whole server, so it says why it is not
 * offered here and names the CLI command that tunes the side within its pair.
 */
export function sideTuneLens(side: DisaggregationSide): { title: string; tooltip: string } {
  return {
    title: 'Tune: whole servers only',
    tooltip: `This block is the ${side} side of a disaggregated deployment; the editor's Tune rewrites one colocated server. \`servetune tune <file> --side ${side}\` tunes this side within its pair; servetune search --disaggregation searches prefill/decode pools.`,
  };
}
