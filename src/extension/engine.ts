import * as vscode from 'vscode';
import {
  type MethodParams,
  type MethodResult,
  TRANSPORT_ERROR_CODES,
  WORKER_METHODS,
  type WorkerMethodName,
} from '../engine/protocol/worker.js';
import { isServeTuneError } from '../engine/util/errors.js';
import { HANDLERS } from '../worker/handlers.js';
import { type RequestOptions, WorkerRequestError } from './worker/client.js';
import type { WorkerManager } from './worker/manager.js';

interface RunOptions<M extends WorkerMethodName> {
  /** Title of the progress notification of a long run. */
  title: string;
  onPartial?: RequestOptions<M>['onPartial'];
}

/**
 * How commands reach the engine. Long methods run under a cancellable progress notification that
 * streams the worker's progress; cancelling it cancels the request in the worker. When no Node can run
 * the worker, short methods that need no GPU run here in the extension host instead, so memory reports
 * and trace imports keep working; GPU methods and long runs then fail with the reason and the fix.
 */
export class Engine {
  private warnedInProcess = false;

  constructor(
    private readonly worker: WorkerManager,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async run<M extends WorkerMethodName>(
    method: M,
    params: MethodParams<M>,
    options: RunOptions<M>,
  ): Promise<MethodResult<M>> {
    if (!WORKER_METHODS[method].long) return this.call(method, params, { onPartial: options.onPartial });
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: options.title, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        return this.call(method, params, {
          signal: controller.signal,
          onPartial: options.onPartial,
          onProgress: (done, total, message) => {
            const percent = total > 0 ? (100 * done) / total : 0;
            progress.report({ increment: Math.max(0, percent - reported), message });
            reported = Math.max(reported, percent);
          },
        });
      },
    );
  }

  private async call<M extends WorkerMethodName>(
    method: M,
    params: MethodParams<M>,
    options: RequestOptions<M>,
  ): Promise<MethodResult<M>> {
    try {
      return await this.worker.request(method, params, options);
    } catch (error) {
      const unavailable =
        error instanceof WorkerRequestError && error.code === TRANSPORT_ERROR_CODES.unavailable;
      // GPU work cannot run in the extension host, and long runs would block it.
      const spec = WORKER_METHODS[method];
      if (!unavailable || spec.gpu || spec.long) throw error;
      return this.inProcess(method, params, options);
    }
  }

  private async inProcess<M extends WorkerMethodName>(
    method: M,
    params: MethodParams<M>,
    options: RequestOptions<M>,
  ): Promise<MethodResult<M>> {
    if (!this.warnedInProcess) {
      this.log.warn('no engine worker: running GPU-free engine methods inside the editor');
      this.warnedInProcess = true;
    }
    const parsed = WORKER_METHODS[method].params.parse(params);
    const controller = new AbortController();
    options.signal?.addEventListener('abort', () => controller.abort());
    const handler = HANDLERS[method];
    return (await handler(parsed as never, {
      signal: controller.signal,
      progress: (done, total, message) => options.onProgress?.(done, total, message),
      partial: (value) => options.onPartial?.(value as never),
      log: (level, message) => this.log[level === 'warn' ? 'warn' : level](message),
    })) as MethodResult<M>;
  }
}

/** The message to show for an engine failure: what went wrong and, where known, where. */
export function describeEngineError(error: unknown): string {
  if (error instanceof WorkerRequestError || isServeTuneError(error)) {
    return error.where && !error.message.includes(error.where)
      ? `${error.message} (${error.where})`
      : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function isCancellation(error: unknown): boolean {
  return error instanceof WorkerRequestError && error.code === TRANSPORT_ERROR_CODES.cancelled;
}
