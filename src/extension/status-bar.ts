import * as vscode from 'vscode';
import type { Store } from './state.js';
import type { WorkerState } from './worker/manager.js';

/** The status bar item: the local device and the last result; it opens the dashboard. */
export class StatusBar {
  private readonly item = vscode.window.createStatusBarItem(
    'servetune.status',
    vscode.StatusBarAlignment.Left,
    50,
  );
  private worker: WorkerState = { kind: 'idle' };

  constructor(private readonly store: Store) {
    this.item.name = 'ServeTune';
    this.item.command = 'servetune.openDashboard';
    this.render();
    this.item.show();
  }

  setWorker(state: WorkerState): void {
    this.worker = state;
    this.render();
  }

  render(): void {
    const device = this.store.device();
    const last = this.store.lastRun();
    // Adapter descriptions read like "llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)": the part before the colon names it.
    const deviceText = device
      ? device.adapter.description.split(':')[0]?.trim() || device.adapter.device
      : 'no device';
    const icon =
      this.worker.kind === 'crashed' || this.worker.kind === 'unavailable'
        ? '$(warning)'
        : '$(server-process)';
    this.item.text = `${icon} ServeTune: ${deviceText}${last?.summary.best ? ` · ${last.summary.best}` : ''}`;
    const lines = [
      `Device: ${device ? device.adapter.description : 'not detected yet'}`,
      `Engine: ${this.worker.kind}${'message' in this.worker ? ` (${this.worker.message})` : ''}`,
      `Last result: ${last ? `${last.summary.title}${last.summary.best ? `, best ${last.summary.best}` : ''}` : 'none yet'}`,
    ];
    this.item.tooltip = lines.join('\n');
  }

  dispose(): void {
    this.item.dispose();
  }
}
