import * as vscode from 'vscode';
import { type DashboardState, type HostToWebview, WebviewToHost } from '../../engine/protocol/webview.js';
import { webviewHtml, webviewRoots } from './html.js';

export const DASHBOARD_VIEW_ID = 'servetune.dashboard';

/**
 * The sidebar dashboard. The host owns the state and pushes it whole on every change; the webview only
 * renders it and sends back the commands its buttons name (checked against ServeTune's own commands).
 */
export class DashboardViewProvider implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private ready = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly state: () => DashboardState,
    private readonly allowedCommands: ReadonlySet<string>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(this.extensionUri) };
    view.webview.html = webviewHtml(view.webview, this.extensionUri, 'dashboard', 'ServeTune');
    view.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw));
    view.onDidChangeVisibility(() => {
      if (view.visible) this.refresh();
    });
    view.onDidDispose(() => {
      this.view = undefined;
      this.ready = false;
    });
  }

  /** Pushes the current state if the view is showing and has said it is ready. */
  refresh(): void {
    if (!this.view || !this.ready) return;
    const message: HostToWebview = { type: 'dashboard', state: this.state() };
    void this.view.webview.postMessage(message);
  }

  private receive(raw: unknown): void {
    const parsed = WebviewToHost.safeParse(raw);
    if (!parsed.success) {
      this.log.warn(`dashboard sent an invalid message: ${parsed.error.message}`);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.refresh();
        return;
      case 'run-command':
        if (!this.allowedCommands.has(message.command)) {
          this.log.warn(`dashboard asked for a command it may not run: ${message.command}`);
          return;
        }
        void vscode.commands.executeCommand(message.command, ...message.args);
        return;
      case 'error':
        this.log.error(`dashboard: ${message.message}`);
        return;
      default:
        this.log.warn(`dashboard sent a message it has no use for: ${message.type}`);
    }
  }
}
