// Webview entry: announces itself to the extension host, which posts nothing before this `ready`.
interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscodeApi = acquireVsCodeApi();
vscodeApi.postMessage({ type: 'ready' });
