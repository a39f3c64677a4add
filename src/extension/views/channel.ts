import { type HostToWebview, WebviewToHost } from '../../engine/protocol/webview.js';

// The host's end of the handshake every ServeTune webview keeps (the page's end is connectToHost in
// src/webview/api.ts): the host posts nothing before the page says `ready`, and posts its latest state
// after every `ready`, so a page that reloads (hidden and shown, a window reload) is never blank.
// Free of `vscode` so it is tested alone; connectWebview (html.ts) binds it to a webview.

/** Messages a page sends beyond the handshake and its errors, which every view handles alike. */
export type PageMessage = Exclude<WebviewToHost, { type: 'ready' } | { type: 'error' }>;

export interface WebviewChannelOptions {
  /** The view as log lines name it ("Pareto panel"). */
  name: string;
  log: { warn(message: string): void; error(message: string): void };
  /** Posts to the page. */
  post: (message: HostToWebview) => void;
  /** What the page should show now: posted after each `ready` and on each `push`. */
  latest: () => HostToWebview;
  /** The page's other messages, validated; without it they are logged as unused. */
  receive?: (message: PageMessage) => void;
}

export interface WebviewChannel {
  /** Posts `latest()` to the page, once the page has said it is ready. */
  push(): void;
  /** Handles one message from the page: validated; errors logged, other messages to `receive`. */
  receive(raw: unknown): void;
}

export function webviewChannel(options: WebviewChannelOptions): WebviewChannel {
  let ready = false;
  const push = () => {
    if (ready) options.post(options.latest());
  };
  const receive = (raw: unknown) => {
    const parsed = WebviewToHost.safeParse(raw);
    if (!parsed.success) {
      options.log.warn(`${options.name} sent an invalid message: ${parsed.error.message}`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'ready') {
      ready = true;
      push();
    } else if (message.type === 'error') {
      options.log.error(`${options.name}: ${message.message}`);
    } else if (options.receive) {
      options.receive(message);
    } else {
      options.log.warn(`${options.name} sent a message it has no use for: ${message.type}`);
    }
  };
  return { push, receive };
}
