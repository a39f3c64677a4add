import * as vscode from 'vscode';
import type { DashboardState } from '../../engine/protocol/webview.js';
import type { PageMessage, WebviewChannel } from './channel.js';
import { connectWebview, webviewHtml, webviewRoots } from './html.js';

export const DASHBOARD_VIEW_ID = 'servetune.dashboard';

/**
 * The sidebar dashboard. The host owns the state and pushes it whole on every change; the webview only
 * renders it and sends back the commands its buttons name (checked against ServeTune's own commands).
 */
export class DashboardViewProvider implements vscode.WebviewViewProvider {
  /** The handshake with the view's page; a new page (the view resolved again) starts a new one. */
  private channel: WebviewChannel | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly state: () => DashboardState,
    private readonly allowedCommands: ReadonlySet<string>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    view.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(this.extensionUri) };
    view.webview.html = webviewHtml(view.webview, this.extensionUri, 'dashboard', 'ServeTune');
    const channel = connectWebview(view.webview, {
      name: 'dashboard',
      log: this.log,
      latest: () => ({ type: 'dashboard', state: this.state() }),
      receive: (message) => this.receive(message),
    });
    this.channel = channel;
    view.onDidChangeVisibility(() => {
      if (view.visible) this.refresh();
    });
    view.onDidDispose(() => {
      if (this.channel === channel) this.channel = undefined;
    });
  }

  /** Pushes the current state if the view is showing and has said it is ready. */
  refresh(): void {
    this.channel?.push();
  }

  private receive(message: PageMessage): void {
    if (message.type !== 'run-command') {
      this.log.warn(`dashboard sent a message it has no use for: ${message.type}`);
      return;
    }
    if (!this.allowedCommands.has(message.command)) {
      this.log.warn(`dashboard asked for a command it may not run: ${message.command}`);
      return;
    }
    void vscode.commands.executeCommand(message.command, ...message.args);
  }
}
