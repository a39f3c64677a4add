import * as vscode from 'vscode';
import { disaggregationSides } from '../../engine/tune/config-simulation.js';
import { type ConfigController, isConfigCandidate } from './controller.js';
import { predictionText, predictionTooltip, tuneLenses, tuneLensLine } from './lens-text.js';

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
          const text = predictionText(current, slo, workload.rate, target.engineBehaviour, side);
          // A side's lens opens the pair's simulation; its tooltip names the pools.
          if (side)
            lens(text, SIMULATE_COMMAND, [...at, side], predictionTooltip(workload.source, current.label));
          else lens(text, TUNE_COMMAND, at, predictionTooltip(workload.source));
        }
      }
      const tuning = this.controller.tuning(document, index);
      if (state.inputs?.workload) {
        if (side) lens(`Simulate this config (${side} side)`, SIMULATE_COMMAND, [...at, side]);
        else lens('Simulate this config', SIMULATE_COMMAND, at);
      } else if (!tuning) return;
      // A side block tunes within its pair (`tune --side`); its Apply edits that block only. A suggestion's
      // lenses sit over the first line it edits (tuneLensLine), a row of their own.
      const commands = { tune: TUNE_COMMAND, apply: APPLY_COMMAND, tradeOffs: TRADE_OFFS_COMMAND, none: '' };
      const tuneLine = Math.min(tuneLensLine(line, tuning, document.uri.fsPath), document.lineCount - 1);
      const tuneRange = new vscode.Range(tuneLine, 0, tuneLine, 0);
      for (const tune of tuneLenses(tuning, side)) {
        const args = tune.action === 'none' ? [] : tune.action === 'tune' && side ? [...at, side] : at;
        lenses.push(
          new vscode.CodeLens(tuneRange, {
            title: tune.title,
            command: commands[tune.action],
            arguments: args,
            ...(tune.tooltip ? { tooltip: tune.tooltip } : {}),
          }),
        );
      }
    });
    return lenses;
  }
}
