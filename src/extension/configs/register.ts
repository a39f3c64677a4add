import * as vscode from 'vscode';
import type { DisaggregationSide } from '../../engine/tune/config-simulation.js';
import type { Services } from '../services.js';
import { ConfigController, isConfigCandidate } from './controller.js';
import {
  APPLY_COMMAND,
  ConfigLensProvider,
  SIMULATE_COMMAND,
  TRADE_OFFS_COMMAND,
  TUNE_COMMAND,
} from './lenses.js';
import { ConfigQuickFixes } from './quick-fixes.js';

const SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', language: 'dockercompose' },
  { scheme: 'file', language: 'shellscript' },
  // Kubernetes manifests written as JSON; `isConfigCandidate` passes only those.
  { scheme: 'file', language: 'json' },
  { scheme: 'file', pattern: '**/*.{yaml,yml,sh,bash,json}' },
];

/** Serving config files in the editor: CodeLenses, diagnostics with quick fixes, tune and apply. */
export function registerConfigFeatures(services: Services): vscode.Disposable[] {
  const controller = new ConfigController(services);
  const refreshAll = () => {
    for (const document of vscode.workspace.textDocuments)
      if (isConfigCandidate(document)) controller.schedule(document);
  };
  return [
    controller,
    vscode.languages.registerCodeLensProvider(SELECTOR, new ConfigLensProvider(controller)),
    vscode.languages.registerCodeActionsProvider(SELECTOR, new ConfigQuickFixes(controller), {
      providedCodeActionKinds: ConfigQuickFixes.kinds,
    }),
    vscode.workspace.onDidOpenTextDocument((d) => controller.schedule(d)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0) controller.schedule(e.document);
    }),
    vscode.workspace.onDidCloseTextDocument((d) => controller.forget(d)),
    // servetune.json and the settings feed every prediction.
    vscode.workspace.onDidSaveTextDocument((d) => {
      if (d.uri.fsPath.endsWith('servetune.json')) refreshAll();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('servetune')) refreshAll();
    }),
    vscode.commands.registerCommand(
      TUNE_COMMAND,
      (uri: vscode.Uri, block: number, side?: DisaggregationSide) => controller.tune(uri, block, side),
    ),
    vscode.commands.registerCommand(
      SIMULATE_COMMAND,
      (uri: vscode.Uri, block: number, side?: DisaggregationSide) => controller.simulate(uri, block, side),
    ),
    vscode.commands.registerCommand(APPLY_COMMAND, (uri: vscode.Uri, block: number) =>
      controller.apply(uri, block),
    ),
    vscode.commands.registerCommand(TRADE_OFFS_COMMAND, (uri: vscode.Uri, block: number) =>
      controller.showTradeOffs(uri, block),
    ),
  ];
}
