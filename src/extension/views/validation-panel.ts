import type * as vscode from 'vscode';
import { type HostToWebview, ValidationChartModel, WebviewToHost } from '../../engine/protocol/webview.js';
import { createChartPanel, initChartPanel } from './html.js';

export const VALIDATION_VIEW_TYPE = 'servetune.validation';

/**
 * The validation panel: predicted against measured for one run on this machine. One at a time,
 * refilled on each new validation. The host keeps the model and posts it after every `ready`; the page
 * keeps it too (setState), and the serializer hands it back after a window reload.
 */
export class ValidationPanel {
  private static current: ValidationPanel | undefined;
  private ready = false;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private model: ValidationChartModel,
    private readonly log: vscode.LogOutputChannel,
  ) {
    initChartPanel(
      panel,
      extensionUri,
      'validation',
      'ServeTune: validation',
      (raw) => this.receive(raw),
      () => {
        if (ValidationPanel.current === this) ValidationPanel.current = undefined;
      },
    );
  }

  static show(
    extensionUri: vscode.Uri,
    model: ValidationChartModel,
    log: vscode.LogOutputChannel,
  ): ValidationPanel {
    const existing = ValidationPanel.current;
    if (existing) {
      existing.model = model;
      existing.push();
      existing.panel.reveal(undefined, false);
      return existing;
    }
    const panel = createChartPanel(VALIDATION_VIEW_TYPE, 'ServeTune: validation', extensionUri);
    ValidationPanel.current = new ValidationPanel(panel, extensionUri, model, log);
    return ValidationPanel.current;
  }

  /** A panel restored after a window reload, with the model its page saved. */
  static revive(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    saved: unknown,
    log: vscode.LogOutputChannel,
  ): ValidationPanel | undefined {
    const parsed = ValidationChartModel.safeParse(saved);
    if (!parsed.success) {
      log.warn(`not restoring a validation panel whose saved state is invalid: ${parsed.error.message}`);
      panel.dispose();
      return undefined;
    }
    ValidationPanel.current?.panel.dispose();
    ValidationPanel.current = new ValidationPanel(panel, extensionUri, parsed.data, log);
    return ValidationPanel.current;
  }

  private push(): void {
    if (!this.ready) return;
    const message: HostToWebview = { type: 'validation', model: this.model };
    void this.panel.webview.postMessage(message);
  }

  private receive(raw: unknown): void {
    const parsed = WebviewToHost.safeParse(raw);
    if (!parsed.success) {
      this.log.warn(`validation panel sent an invalid message: ${parsed.error.message}`);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.push();
        return;
      case 'error':
        this.log.error(`validation panel: ${message.message}`);
        return;
      default:
        this.log.warn(`validation panel sent a message it has no use for: ${message.type}`);
    }
  }
}
