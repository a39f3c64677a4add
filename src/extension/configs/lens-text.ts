import { latencyText, shownLatencies } from '../../engine/search/format.js';
import type { EvaluationMetrics, Slo } from '../../engine/search/schema.js';
import type { DisaggregationSide } from '../../engine/tune/config-simulation.js';
import type { BlockPrediction, TuneBlockResult } from '../../engine/tune/schema.js';
import { shortWorkloadName, tuneChangeText } from '../../engine/tune/tune.js';

const rate = (r: number) => `${r.toFixed(2)} req/s`;

// Latencies as the CLI and the reports write them (three significant digits): rounded to whole
// milliseconds, a 7.4 ms token gap read 'TBT 7 ms' here and 'TBT p90 7.40 ms' in `servetune search`.
function metricsText(m: EvaluationMetrics, slo: Slo, gpus: number): string {
  const p = slo.percentile;
  const latencies = shownLatencies(slo).map(({ metric, label }) => `${label} ${latencyText(m[metric][p])}`);
  return `${p} ${latencies.join(' · ')} · ${Math.round(m.throughputPerGpu * gpus)} tok/s`;
}

/**
 * The prediction lens of a block as written. `side`: the block is that side of a disaggregated
 * deployment, predicted as the prefill + decode pair (the numbers are the pair's, on both sides' lenses).
 * The workload is in the tooltip (predictionTooltip): a lens line is cut at the editor's width, and the
 * lenses after it (Apply) must stay in view.
 */
export function predictionText(
  prediction: BlockPrediction,
  slo: Slo,
  at: number,
  engineBehaviour: readonly string[] = [],
  side?: DisaggregationSide,
): string {
  const who = side ? 'ServeTune (prefill + decode pair)' : 'ServeTune';
  if (!prediction.metrics) return `${who}: cannot run as written: ${prediction.problems[0] ?? 'infeasible'}`;
  const verdict = prediction.meetsSlo ? 'meets' : 'misses';
  // The engine behaviours the file sets away from the defaults (eager, NCCL all-reduce…) time the prediction.
  const engine = engineBehaviour.length > 0 ? ` · ${engineBehaviour.join(', ')}` : '';
  return `${who}: ${metricsText(prediction.metrics, slo, prediction.gpus)} at ${rate(at)} (${verdict} the SLO)${engine}`;
}

/** The prediction lens's tooltip: the workload it was predicted for, and a side's pools (`pools`). */
export function predictionTooltip(workload: string, pools?: string): string {
  const of = `Predicted for ${shortWorkloadName(workload)}`;
  return pools ? `${pools}. ${of}` : of;
}

/** What a Tune-area lens does when clicked: tune (again), apply the suggestion, open the trade-offs, or nothing. */
export type TuneLensAction = 'tune' | 'apply' | 'tradeOffs' | 'none';

export interface TuneLens {
  title: string;
  action: TuneLensAction;
  tooltip?: string;
}

/** The last tuning of a block, as the lenses show it (the controller's outcome of `tuneBlock`). */
export type TuningOutcome =
  | { kind: 'pending' }
  | {
      kind: 'done';
      value: Pick<TuneBlockResult, 'current' | 'suggested' | 'changeList' | 'edits' | 'summary' | 'reason'>;
    }
  | { kind: 'failed'; message: string };

/**
 * The Tune lens of a side block: it tunes that side within its prefill + decode pair, as
 * `servetune tune <file> --side <side>` does (the same engine call, `tuneBlock` with `side`).
 */
export function sideTuneLens(side: DisaggregationSide): { title: string; tooltip: string } {
  const other = side === 'prefill' ? 'decode' : 'prefill';
  return {
    title: 'Tune this side',
    tooltip: `Tunes this ${side} pool within its prefill + decode pair, the ${other} side as the file writes it (servetune tune <file> --side ${side}); Apply edits this block only.`,
  };
}

/**
 * The line (0-based) of a block's tune lenses: above the first line the suggestion edits in `path`, so
 * the change shows on a lens row of its own, over what it changes, rather than after the prediction and
 * Simulate lenses where the row is cut at the editor's width; the block's first line while there is no
 * suggestion, or where the first edit is on that line or in another file.
 */
export function tuneLensLine(blockLine: number, tuning: TuningOutcome | undefined, path: string): number {
  if (tuning?.kind !== 'done' || !tuning.value.suggested) return blockLine;
  const lines = tuning.value.edits.filter((e) => e.range.file === path).map((e) => e.range.start.line);
  const first = Math.min(...lines);
  return lines.length > 0 && first > blockLine ? first : blockLine;
}

/**
 * The lenses after the prediction for tuning a block: "Tune for this workload…" (a side block: "Tune this
 * side"), then while it runs, its failure, or its summary with Apply and Show trade-offs. Undefined
 * `tuning`: not tuned yet. `side`: the block is that side of a disaggregated deployment.
 */
export function tuneLenses(tuning: TuningOutcome | undefined, side?: DisaggregationSide): TuneLens[] {
  if (!tuning) {
    if (!side) return [{ title: 'Tune for this workload…', action: 'tune' }];
    return [{ ...sideTuneLens(side), action: 'tune' }];
  }
  if (tuning.kind === 'pending')
    return [{ title: side ? `ServeTune: tuning the ${side} side…` : 'ServeTune: tuning…', action: 'none' }];
  if (tuning.kind === 'failed')
    return [{ title: `ServeTune: tuning failed: ${tuning.message}`, action: 'tune' }];
  const tradeOffs: TuneLens = { title: 'Show trade-offs', action: 'tradeOffs' };
  if (tuning.value.suggested) {
    const apply: TuneLens = side
      ? { title: 'Apply', action: 'apply', tooltip: `Edits the ${side} block only` }
      : { title: 'Apply', action: 'apply' };
    // Apply first, then what changes and what it gains; the workload and SLO it was tuned for are in
    // the tooltip: a lens line is cut at the editor's width.
    const changes: TuneLens = {
      title: `Tuned: ${tuneChangeText(tuning.value.changeList, tuning.value.current, tuning.value.suggested)}`,
      action: 'tradeOffs',
      tooltip: tuning.value.summary,
    };
    return [apply, changes, tradeOffs];
  }
  return [
    { title: `ServeTune: ${tuning.value.reason ?? 'nothing to change'}`, action: 'tradeOffs' },
    tradeOffs,
  ];
}
