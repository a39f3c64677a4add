import * as vscode from 'vscode';
import { pickSlo } from '../picks.js';
import type { Services } from '../services.js';
import { sloTargetsChoiceText } from '../slo-definition.js';
import { DASHBOARD_VIEW_ID } from '../views/dashboard-view.js';
import { ParetoPanel } from '../views/pareto-panel.js';
import { type ApplyTarget, applySettingsCommand } from './apply.js';
import { planCapacityCommand } from './capacity.js';
import { writeDeploymentCommand } from './deploy.js';
import { detectDeviceCommand } from './device.js';
import { importTraceCommand } from './import-trace.js';
import { showLastChartCommand, showLastReportCommand } from './last-report.js';
import { type MemoryReportArgs, memoryReportCommand } from './memory-report.js';
import { chooseMoeBackendCommand } from './moe-backend.js';
import { type ProfileArgs, profileCommand } from './profile.js';
import { searchCommand } from './search.js';
import { simulateCommand } from './simulate.js';
import { showLastValidationCommand, type ValidateArgs, validateCommand } from './validate.js';

/** Every ServeTune command id, as package.json contributes them. */
export const COMMAND_IDS = [
  'servetune.memoryReport',
  'servetune.openDashboard',
  'servetune.showLastReport',
  'servetune.showLastChart',
  'servetune.setSlo',
  'servetune.chooseMoeBackend',
  'servetune.detectDevice',
  'servetune.exportChartCsv',
  'servetune.exportChartPng',
  'servetune.restartEngine',
  'servetune.showLog',
  'servetune.profileGpu',
  'servetune.simulate',
  'servetune.search',
  'servetune.planCapacity',
  'servetune.importTrace',
  'servetune.applySettings',
  'servetune.writeDeployment',
  'servetune.validate',
  'servetune.showLastValidation',
] as const;

function noPanel(): void {
  void vscode.window.showInformationMessage('ServeTune: open a chart first ("ServeTune: Show Last Chart").');
}

export function registerCommands(services: Services): vscode.Disposable[] {
  const register = (id: string, run: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, run as (...args: unknown[]) => unknown);
  return [
    register('servetune.memoryReport', (args?: MemoryReportArgs) => memoryReportCommand(services, args)),
    register('servetune.openDashboard', () => vscode.commands.executeCommand(`${DASHBOARD_VIEW_ID}.focus`)),
    register('servetune.showLastReport', (runId?: string) => showLastReportCommand(services, runId)),
    register('servetune.showLastChart', (runId?: string) => showLastChartCommand(services, runId)),
    register('servetune.setSlo', async () => {
      const slo = await pickSlo(services.store);
      if (slo) {
        services.log.info(`latency targets: ${sloTargetsChoiceText(slo)}`);
      }
    }),
    register('servetune.chooseMoeBackend', () => chooseMoeBackendCommand(services)),
    register('servetune.detectDevice', () => detectDeviceCommand(services)),
    register('servetune.exportChartCsv', () =>
      ParetoPanel.active ? ParetoPanel.active.exportCsv() : noPanel(),
    ),
    register('servetune.exportChartPng', () =>
      ParetoPanel.active ? ParetoPanel.active.exportPng() : noPanel(),
    ),
    register('servetune.restartEngine', async () => {
      try {
        await services.worker.restart();
        void vscode.window.showInformationMessage('ServeTune: engine worker restarted.');
      } catch (error) {
        void vscode.window.showErrorMessage(`ServeTune: ${(error as Error).message}`);
      }
    }),
    register('servetune.showLog', () => services.log.show(true)),
    register('servetune.profileGpu', (args?: ProfileArgs) => profileCommand(services, args)),
    register('servetune.simulate', () => simulateCommand(services)),
    register('servetune.search', () => searchCommand(services)),
    register('servetune.planCapacity', () => planCapacityCommand(services)),
    register('servetune.importTrace', (target?: vscode.Uri | string) => importTraceCommand(services, target)),
    register('servetune.applySettings', (target?: ApplyTarget) => applySettingsCommand(services, target)),
    register('servetune.writeDeployment', (target?: ApplyTarget) => writeDeploymentCommand(services, target)),
    register('servetune.validate', (args?: ValidateArgs) => validateCommand(services, args)),
    register('servetune.showLastValidation', (runId?: string) => showLastValidationCommand(services, runId)),
  ];
}
