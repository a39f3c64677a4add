import * as vscode from 'vscode';
import type { EvaluationMetrics, Slo } from '../../engine/search/schema.js';
import { disaggregationSides } from '../../engine/tune/config-simulation.js';
import type { BlockPrediction } from '../../engine/tune/schema.js';
import { shortWorkloadName } from '../../engine/tune/tune.js';
import { type ConfigController, isConfigCandidate } from './controller.js';

export const TUNE_COMMAND = 'servetune.configs.tune';
export const APPLY_COMMAND = 'servetune.configs.apply';
export const TRADE_OFFS_COMMAND = 'servetune.configs.showTradeOffs';
export const SIMULATE_COMMAND = 'servetune.configs.simulate';
const SHOW_LOG_COMMAND = 'servetune.showLog';

const seconds = (s: number) => (s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(2)} s`);
const rate = (r: number) => `${r.toFixed(2)} req/s`;

function metricsText(m: EvaluationMetrics, slo: Slo, gpus: number): string {
  const p = slo.percentile;
  return `${p} TTFT ${seconds(m.ttft[p])} · TBT ${seconds(m.tbt[p])} · ${Math.round(m.throughputPerGpu * gpus)} tok/s`;
}

function predictionText(
  prediction: BlockPrediction,
  slo: Slo,
  at: number,
  workload: string,
  engineBehaviour: readonly string[] = [],
): string {
  if (!prediction.metrics)
    return `ServeTune: cannot run as written: ${prediction.problems[0] ?? 'infeasible'}`;
  const verdict = prediction.meetsSlo ? 'meets' : 'misses';
  // The engine behaviours the file sets away from the defaults (eager, NCCL all-reduce…) time the prediction.
  const engine = engineBehaviour.length > 0 ? ` · ${engineBehaviour.join(', ')}` : '';
  return `ServeTune: ${metricsText(prediction.metrics, slo, prediction.gpus)} at ${rate(at)} of ${shortWorkloadName(workload)} (${verdict} the SLO)${engine}`;
}

/** Lenses over every recognised serving block: the prediction as written, and tuning with apply. */
export class ConfigLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly controller: ConfigController) {
    this.onDidChangeCodeLenses = controller.onDidChange;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!isConfigCandidate(document)) return [];
    const state = this.controller.state(document);
    if (!state) {
      void this.controller.refresh(document);
      return [];
    }
    if (state.check.kind !== 'done') return [];
    const lenses: vscode.CodeLens[] = [];
    const sides = disaggregationSides(state.check.value.report);
    state.check.value.report.blocks.forEach((block, index) => {
      const line = Math.min(block.range.start.line, document.lineCount - 1);
      const range = new vscode.Range(line, 0, line, 0);
      const lens = (title: string, command = '', args: unknown[] = []) =>
        lenses.push(new vscode.CodeLens(range, { title, command, arguments: args }));
      const at = [document.uri, index];
      if (state.inputsError) lens(`ServeTune: ${state.inputsError}`);
      else if (!state.inputs?.workload) {
        lens(
          'ServeTune: add a workload to servetune.json to predict this server',
          'workbench.action.openSettings',
          ['servetune.workload'],
        );
      } else {
        const prediction = state.predictions.get(index);
        if (!prediction || prediction.kind === 'pending') lens('ServeTune: predicting…');
        else if (prediction.kind === 'failed')
          lens(`ServeTune: cannot predict: ${prediction.message}`, SHOW_LOG_COMMAND);
        else {
          const { current, slo, workload, target } = prediction.value;
          lens(
            predictionText(current, slo, workload.rate, workload.source, target.engineBehaviour),
            TUNE_COMMAND,
            at,
          );
        }
      }
      const tuning = this.controller.tuning(document, index);
      // One side of a disaggregated deployment simulates as that side paired with the file's other side.
      const side = sides[index];
      if (state.inputs?.workload) {
        if (side) lens(`Simulate this config (${side} side)`, SIMULATE_COMMAND, [...at, side]);
        else lens('Simulate this config', SIMULATE_COMMAND, at);
      }
      if (!tuning) {
        if (state.inputs?.workload) lens('Tune for this workload…', TUNE_COMMAND, at);
      } else if (tuning.kind === 'pending') lens('ServeTune: tuning…');
      else if (tuning.kind === 'failed')
        lens(`ServeTune: tuning failed: ${tuning.message}`, TUNE_COMMAND, at);
      else if (tuning.value.suggested) {
        lens(tuning.value.summary, TRADE_OFFS_COMMAND, at);
        lens('Apply', APPLY_COMMAND, at);
        lens('Show trade-offs', TRADE_OFFS_COMMAND, at);
      } else {
        lens(`ServeTune: ${tuning.value.reason ?? 'nothing to change'}`, TRADE_OFFS_COMMAND, at);
        lens('Show trade-offs', TRADE_OFFS_COMMAND, at);
      }
    });
    return lenses;
  }
}
