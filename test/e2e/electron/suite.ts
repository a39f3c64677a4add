import assert from 'node:assert/strict';
import * as vscode from 'vscode';

// Runs inside desktop VS Code's extension host. Commands get their inputs as arguments here, since a
// test cannot answer quick picks; the code-server suite drives the pickers themselves.

async function waitFor<T>(read: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension('servetune.servetune');
  assert.ok(extension, 'ServeTune is installed');
  await extension.activate();
  const commands = await vscode.commands.getCommands(true);
  for (const id of [
    'servetune.memoryReport',
    'servetune.profileGpu',
    'servetune.search',
    'servetune.openDashboard',
  ]) {
    assert.ok(commands.includes(id), `${id} is registered`);
  }

  await vscode.commands.executeCommand('servetune.memoryReport', {
    model: 'llama-3.1-8b',
    hardware: 'h100-sxm',
    gpus: 2,
  });
  const text = await waitFor(() => {
    const content = vscode.window.activeTextEditor?.document.getText();
    return content?.includes('Memory and plan report') ? content : undefined;
  }, 'the memory report');
  assert.match(text, /llama-3\.1-8b on 2× h100-sxm/);

  // A malformed model reference fails with a message, and the next run still works.
  await vscode.commands.executeCommand('servetune.memoryReport', {
    model: 'no-such-model',
    hardware: 'h100-sxm',
    gpus: 1,
  });
  await vscode.commands.executeCommand('servetune.memoryReport', {
    model: 'qwen2.5-7b',
    hardware: 'h100-sxm',
    gpus: 1,
  });
  await waitFor(
    () =>
      vscode.window.activeTextEditor?.document.getText().includes('qwen2.5-7b on 1×') ? true : undefined,
    'the second memory report',
  );
  await vscode.commands.executeCommand('servetune.openDashboard');
}
