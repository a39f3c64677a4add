import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { z } from 'zod';
import type { WebviewKind } from '../../engine/protocol/webview.js';
import { type WebviewChannel, type WebviewChannelOptions, webviewChannel } from './channel.js';

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
 * Keeps the handshake with `webview`'s page (channel.ts): the host posts nothing before the page's
 * `ready`, and posts the latest state after every one.
 */
export function connectWebview(
  webview: vscode.Webview,
  options: Omit<WebviewChannelOptions, 'post'>,
): WebviewChannel {
  const channel = webviewChannel({
    ...options,
    post: (message) => void webview.postMessage(message),
  });
  webview.onDidReceiveMessage((raw: unknown) => channel.receive(raw));
  return channel;
}

interface ChartPanelOptions extends Omit<WebviewChannelOptions, 'post'> {
  view: WebviewKind;
  title: string;
  disposed: () => void;
}

/** Fills a panel (new, or restored after a reload) with the page of `view` and keeps its handshake. */
export function initChartPanel(
  panel: vscode.WebviewPanel,
  extensionUri: vscode.Uri,
  options: ChartPanelOptions,
): WebviewChannel {
  panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) };
  panel.webview.html = webviewHtml(panel.webview, extensionUri, options.view, options.title);
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'servetune.svg');
  const channel = connectWebview(panel.webview, options);
  panel.onDidDispose(options.disposed);
  return channel;
}

/**
 * The state a panel's page saved, handed back by the serializer after a window reload; an invalid one
 * is logged and its panel closed rather than restored half-filled.
 */
export function savedPanelState<T>(
  schema: z.ZodType<T>,
  saved: unknown,
  panel: vscode.WebviewPanel,
  name: string,
  log: vscode.LogOutputChannel,
): T | undefined {
  const parsed = schema.safeParse(saved);
  if (parsed.success) return parsed.data;
  log.warn(`not restoring a ${name} whose saved state is invalid: ${parsed.error.message}`);
  panel.dispose();
  return undefined;
}
