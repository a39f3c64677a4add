import * as vscode from 'vscode';
import { HARDWARE_CATALOG } from '../engine/hardware/catalog.js';
import { enumeratePlans } from '../engine/memory/plans.js';
import { MODEL_CATALOG } from '../engine/model/catalog.js';
import { describePlan, type Plan } from '../engine/plan.js';
import { isServeTuneError } from '../engine/util/errors.js';

const GiB = 1024 ** 3;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('ServeTune');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('servetune.memoryReport', async () => {
      const config = vscode.workspace.getConfiguration('servetune');
      const model = await vscode.window.showQuickPick(
        MODEL_CATALOG.map((m) => ({ label: m.id, description: m.source })),
        { placeHolder: 'Model' },
      );
      if (!model) return;
      const hardware = await vscode.window.showQuickPick(
        HARDWARE_CATALOG.map((h) => ({
          label: h.id,
          description: h.name,
          picked: h.id === config.get('hardware'),
        })),
        { placeHolder: 'GPU' },
      );
      if (!hardware) return;
      const gpusText = await vscode.window.showInputBox({
        prompt: 'Number of GPUs',
        value: String(config.get<number>('gpuCount') ?? 8),
        validateInput: (text) => (/^[1-9]\d*$/.test(text) ? undefined : 'A positive integer'),
      });
      if (!gpusText) return;
      try {
        const report = enumeratePlans(
          MODEL_CATALOG.find((m) => m.id === model.label)!,
          HARDWARE_CATALOG.find((h) => h.id === hardware.label)!,
          Number(gpusText),
          { weightDtype: 'bf16', kvDtype: 'bf16' },
        );
        output.clear();
        output.appendLine(`${report.model} on ${report.gpus}× ${report.hardware}`);
        for (const p of report.plans) {
          output.appendLine(
            `${describePlan(p.plan as Plan).padEnd(16)} weights ${(p.perGpu.weightBytes / GiB).toFixed(1)} GiB/GPU, ` +
              `KV ${p.perReplica.kvCapacityTokens} tokens/replica, ${p.fits ? 'fits' : `does not fit: ${p.problems[0]}`}`,
          );
        }
        output.show(true);
      } catch (error) {
        const message = isServeTuneError(error) ? error.message : String(error);
        void vscode.window.showErrorMessage(`ServeTune: ${message}`);
      }
    }),
  );
}

export function deactivate(): void {}
