import type { z } from 'zod';
import { HostToWebview, type WebviewToHost } from '../engine/protocol/webview.js';

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

/** Listens for host messages, dropping (and reporting) any that do not validate. */
export function onHostMessage(listener: (message: HostToWebview) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const parsed = HostToWebview.safeParse(event.data);
    if (parsed.success) listener(parsed.data);
    else
      post({
        type: 'error',
        message: `invalid message from the host: ${parsed.error.message.slice(0, 300)}`,
      });
  });
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
