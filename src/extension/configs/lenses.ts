import * as vscode from 'vscode';
import { disaggregationSides } from '../../engine/tune/config-simulation.js';
import { type ConfigController, isConfigCandidate } from './controller.js';
import { predictionText, sideTuneLens } from './lens-text.js';

export const TUNE_COMMAND = 'servetune.configs.tune';
export const APPLY_COMMAND = 'servetune.configs.apply';
export const TRADE_OFFS_COMMAND = 'servetune.configs.showTradeOffs';
export const SIMULATE_COMMAND = 'servetune.configs.simulate';
const SHOW_LOG_COMMAND = 'servetune.showLog';

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
      const lens = (title: string, command = '', args: unknown[] = [], tooltip?: string) =>
        lenses.push(
          new vscode.CodeLens(range, { title, command, arguments: args, ...(tooltip ? { tooltip } : {}) }),
        );
      const at = [document.uri, index];
      // One side of a disaggregated deployment predicts and simulates as that side paired with the
      // file's other side (`simulate --config --side`).
      const side = sides[index];
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
          const text = predictionText(
            current,
            slo,
            workload.rate,
            workload.source,
            target.engineBehaviour,
            side,
          );
          // A side's lens opens the pair's simulation (tuning takes whole servers); its tooltip names the pools.
          if (side) lens(text, SIMULATE_COMMAND, [...at, side], current.label);
          else lens(text, TUNE_COMMAND, at);
        }
      }
      const tuning = this.controller.tuning(document, index);
      if (state.inputs?.workload) {
        if (side) lens(`Simulate this config (${side} side)`, SIMULATE_COMMAND, [...at, side]);
        else lens('Simulate this config', SIMULATE_COMMAND, at);
      }
      if (side) {
        const refused = sideTuneLens(side);
        if (state.inputs?.workload) lens(refused.title, '', [], refused.tooltip);
      } else if (!tuning) {
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
