import type { z } from 'zod';
import { HostToWebview, type WebviewKind, type WebviewToHost } from '../engine/protocol/webview.js';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

// acquireVsCodeApi may be called once per page.
export const vscodeApi: VsCodeApi = acquireVsCodeApi();

export function post(message: z.input<typeof WebviewToHost>): void {
  vscodeApi.postMessage(message);
}

/**
 * The page's end of the handshake every ServeTune webview keeps (the host's end is
 * src/extension/views/channel.ts): listen for host messages first, then say `ready`. The host posts
 * nothing before it, and its latest state after each one. Host messages that do not validate are
 * dropped and reported.
 */
export function connectToHost(view: WebviewKind, listener: (message: HostToWebview) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const parsed = HostToWebview.safeParse(event.data);
    if (parsed.success) listener(parsed.data);
    else
      post({
        type: 'error',
        message: `invalid message from the host: ${parsed.error.message.slice(0, 300)}`,
      });
  });
  post({ type: 'ready', view });
}

/** Creates an element with text and attributes; never parses HTML, so data cannot inject markup. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { text?: string; className?: string; attrs?: Record<string, string> } = {},
  ...children: (Node | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.text !== undefined) node.textContent = props.text;
  if (props.className) node.className = props.className;
  for (const [key, value] of Object.entries(props.attrs ?? {})) node.setAttribute(key, value);
  for (const child of children) if (child) node.append(child);
  return node;
}
