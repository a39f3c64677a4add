import type * as vscode from 'vscode';
import type { ChartModel } from '../engine/protocol/webview.js';
import type { Engine } from './engine.js';
import type { Store } from './state.js';
import type { WorkerManager } from './worker/manager.js';

/** What commands and views share; built once in activate(). */
export interface Services {
  extensionUri: vscode.Uri;
  /** Where ServeTune keeps files of its own (the device profile). */
  storageUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  store: Store;
  engine: Engine;
  worker: WorkerManager;
  /** Opens (or refills) the Pareto panel with a chart, with a point selected (default: the best). */
  showChart(model: ChartModel, selectedId?: string): void;
}
