import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { WebviewKind } from '../../engine/protocol/webview.js';

/** Folders a ServeTune webview may load from: the bundles and the stylesheet, nothing else. */
export function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

/**
 * The page of a webview: a strict CSP (no inline script or style, scripts only with this load's nonce,
 * assets only from the extension), the shared bundle, and `data-view` telling it what to render.
 */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  view: WebviewKind,
  title: string,
): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'webview.css'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${title}</title>
</head>
<body data-view="${view}">
<div id="app" aria-live="polite"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/** A new editor panel for a ServeTune webview, beside nothing: in the active column, focused. */
export function createChartPanel(
  viewType: string,
  title: string,
  extensionUri: vscode.Uri,
): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(
    viewType,
    title,
    { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
    { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) },
  );
}

/**
 * Fills a panel (new, or restored after a reload) with the page of `view`, and routes what its page
 * sends to `receive` and its closing to `disposed`.
 */
export function initChartPanel(
  panel: vscode.WebviewPanel,
  extensionUri: vscode.Uri,
  view: WebviewKind,
  title: string,
  receive: (raw: unknown) => void,
  disposed: () => void,
): void {
  panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) };
  panel.webview.html = webviewHtml(panel.webview, extensionUri, view, title);
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'servetune.svg');
  panel.webview.onDidReceiveMessage(receive);
  panel.onDidDispose(disposed);
}
