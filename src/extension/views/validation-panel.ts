import type * as vscode from 'vscode';
import { ValidationChartModel } from '../../engine/protocol/webview.js';
import type { WebviewChannel } from './channel.js';
import { createChartPanel, initChartPanel, savedPanelState } from './html.js';

export const VALIDATION_VIEW_TYPE = 'servetune.validation';
const TITLE = 'ServeTune: validation';

/**
 * The validation panel: predicted against measured for one run on this machine. One at a time,
 * refilled on each new validation. The host keeps the model and posts it after every `ready`; the page
 * keeps it too (setState), and the serializer hands it back after a window reload.
 */
export class ValidationPanel {
  private static current: ValidationPanel | undefined;
  private readonly channel: WebviewChannel;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private model: ValidationChartModel,
    log: vscode.LogOutputChannel,
  ) {
    this.channel = initChartPanel(panel, extensionUri, {
      view: 'validation',
      title: TITLE,
      name: 'validation panel',
      log,
      latest: () => ({ type: 'validation', model: this.model }),
      disposed: () => {
        if (ValidationPanel.current === this) ValidationPanel.current = undefined;
      },
    });
  }

  static show(
    extensionUri: vscode.Uri,
    model: ValidationChartModel,
    log: vscode.LogOutputChannel,
  ): ValidationPanel {
    const existing = ValidationPanel.current;
    if (existing) {
      existing.model = model;
      existing.channel.push();
      existing.panel.reveal(undefined, false);
      return existing;
    }
    const panel = createChartPanel(VALIDATION_VIEW_TYPE, TITLE, extensionUri);
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
    const model = savedPanelState(ValidationChartModel, saved, panel, 'validation panel', log);
    if (!model) return undefined;
    ValidationPanel.current?.panel.dispose();
    ValidationPanel.current = new ValidationPanel(panel, extensionUri, model, log);
    return ValidationPanel.current;
  }
}
