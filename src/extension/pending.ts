import * as vscode from 'vscode';
import { isWorkerMethod } from '../engine/protocol/worker.js';

/**
 * Features whose engine part is not in this build yet. Their commands are registered so the palette
 * lists them, and each says plainly that it is not available rather than showing anything made up.
 * A feature leaves this table when its command is wired to its worker method.
 */
export const PENDING_FEATURES = {
  'servetune.profileGpu': { title: 'Profile GPU', method: 'profile', part: 'the GPU profiler' },
  'servetune.simulate': {
    title: 'Simulate Serving Config',
    method: 'simulate',
    part: 'the serving simulator',
  },
  'servetune.search': { title: 'Search Parallel Plans', method: 'search', part: 'the plan search' },
  'servetune.importTrace': {
    title: 'Import Workload Trace',
    method: 'importTrace',
    part: 'the workload trace reader',
  },
  'servetune.applySettings': {
    title: 'Apply Suggested Settings',
    method: 'search',
    part: 'the plan search (settings to apply come from a search result)',
  },
} as const;

export type PendingCommand = keyof typeof PENDING_FEATURES;

export function pendingMessage(command: PendingCommand): string {
  const feature = PENDING_FEATURES[command];
  const state = isWorkerMethod(feature.method)
    ? `its engine method "${feature.method}" exists but the command is not wired to it yet`
    : `${feature.part} is not part of this build`;
  return `ServeTune: ${feature.title} is not available yet: ${state}. Memory and plan reports work now.`;
}

export function showPending(command: PendingCommand): void {
  void vscode.window.showWarningMessage(pendingMessage(command));
}
