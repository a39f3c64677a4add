import * as vscode from 'vscode';
import { isWorkerMethod } from '../engine/protocol/worker.js';

/**
 * Features whose engine part is not in this build yet. Their commands are registered so the palette
 * lists them, and each says plainly that it is not available rather than showing anything made up.
 * A feature leaves this table when its command is wired to its worker method.
 */
interface PendingFeature {
  title: string;
  /** The worker method the command will call. */
  method: string;
  /** The engine part it waits for, in words. */
  part: string;
}

// Every command of this build is wired to its engine method; a new command whose engine part is still
// missing gets an entry here (e.g. 'servetune.x': { title, method, part }) until it is.
export const PENDING_FEATURES: Readonly<Record<string, PendingFeature>> = {};

export type PendingCommand = string;

export function pendingMessage(command: PendingCommand): string {
  const feature = PENDING_FEATURES[command];
  if (!feature) return `ServeTune: ${command} is available.`;
  const state = isWorkerMethod(feature.method)
    ? `its engine method "${feature.method}" exists but the command is not wired to it yet`
    : `${feature.part} is not part of this build`;
  return `ServeTune: ${feature.title} is not available yet: ${state}. Memory and plan reports work now.`;
}

export function showPending(command: PendingCommand): void {
  void vscode.window.showWarningMessage(pendingMessage(command));
}
