import * as vscode from 'vscode';
import { describeEngineError } from '../engine.js';
import type { Services } from '../services.js';

/** Asks the worker for the local WebGPU adapter and remembers it for the dashboard and status bar. */
export async function detectDeviceCommand(services: Services): Promise<void> {
  try {
    const { adapter, reason } = await services.engine.run(
      'adapter',
      { powerPreference: 'high-performance' },
      { title: 'ServeTune: detecting the GPU' },
    );
    if (!adapter) {
      services.log.warn(`no WebGPU adapter: ${reason}`);
      void vscode.window.showWarningMessage(`ServeTune: ${reason ?? 'no WebGPU adapter found'}`);
      return;
    }
    const previous = services.store.device();
    // A new adapter invalidates old measurements; the same one keeps them.
    const measured = previous?.adapter.description === adapter.description ? previous.measured : null;
    await services.store.setDevice({ adapter, measured });
    services.log.info(`WebGPU adapter: ${adapter.description} (${adapter.vendor}, ${adapter.architecture})`);
    void vscode.window.showInformationMessage(`ServeTune: GPU adapter ${adapter.description}`);
  } catch (error) {
    const message = describeEngineError(error);
    services.log.error(`adapter detection failed: ${message}`);
    void vscode.window.showErrorMessage(`ServeTune: ${message}`);
  }
}
