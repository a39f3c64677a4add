import * as vscode from 'vscode';
import { findHardware } from '../../engine/hardware/catalog.js';
import { findModel } from '../../engine/model/catalog.js';
import type { DeviceProfile } from '../../engine/profile/schema.js';
import type { DeviceSummary } from '../../engine/protocol/webview.js';
import { describeEngineError, isCancellation } from '../engine.js';
import type { Services } from '../services.js';
import { saveJsonToStorage } from '../storage.js';

export interface ProfileArgs {
  quick?: boolean;
  model?: string;
}

/** The dashboard's view of a profile: measured peaks against the catalog's, when the device is known. */
function deviceSummaryOf(profile: DeviceProfile): DeviceSummary {
  const d = profile.derived;
  const catalog = profile.catalogId ? findHardware(profile.catalogId) : undefined;
  return {
    adapter: profile.adapter,
    measured: {
      at: profile.createdAt,
      quick: profile.quick,
      gflopsF32: d.peakFlopsPerSecond.f32 / 1e9,
      gflopsF16: d.peakFlopsPerSecond.f16 === null ? null : d.peakFlopsPerSecond.f16 / 1e9,
      copyGBps: d.copyBytesPerSecond / 1e9,
      peak: catalog
        ? { gflopsF32: catalog.vectorFp32Flops / 1e9, memoryGBps: catalog.memoryBandwidth / 1e9 }
        : null,
    },
  };
}

async function pickMode(): Promise<boolean | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'Quick', description: 'a smaller grid, fewer repetitions (about a minute)', quick: true },
      { label: 'Full', description: 'every shape, more repetitions (several minutes)', quick: false },
    ],
    { ignoreFocusOut: true, title: 'ServeTune: profile the GPU', placeHolder: 'How thorough a measurement' },
  );
  return picked?.quick;
}

/**
 * Measures the local GPU in the engine worker and keeps the result: the summary for the dashboard and
 * status bar, the whole profile as JSON in the extension's storage (the format `--profile` reads).
 */
export async function profileCommand(services: Services, args: ProfileArgs = {}): Promise<void> {
  const quick = args.quick ?? (await pickMode());
  if (quick === undefined) return;
  // Shapes of the model in use when it is a catalog model; else the profiler's default.
  const last = services.store.choices().model;
  const model = args.model ?? (last && findModel(last) ? last : 'llama-3.1-8b');
  let profile: DeviceProfile;
  try {
    profile = await services.engine.run(
      'profile',
      { quick, model },
      { title: `ServeTune: profiling the GPU (${quick ? 'quick' : 'full'})` },
    );
  } catch (error) {
    if (isCancellation(error)) {
      services.log.info('profile cancelled; the stored device is unchanged');
      void vscode.window.showInformationMessage('ServeTune: profiling cancelled. Nothing was stored.');
      return;
    }
    const message = describeEngineError(error);
    services.log.error(`profile failed: ${message}`);
    void vscode.window.showErrorMessage(`ServeTune: ${message}`);
    return;
  }
  const summary = deviceSummaryOf(profile);
  await services.store.setDevice(summary);
  const file = await saveJsonToStorage(services, 'device-profile.json', profile, 'the device profile');
  const m = summary.measured!;
  const text = `${profile.adapter.description || profile.adapter.device}: ${m.gflopsF32.toFixed(1)} GFLOP/s f32, ${m.copyGBps.toFixed(1)} GB/s copy`;
  services.log.info(
    `profiled ${text} (${profile.timingMethod}, ${profile.skipped.length} skipped${profile.wallSeconds ? `, ${profile.wallSeconds.toFixed(0)} s` : ''})${file ? `; saved to ${file.fsPath}` : ''}`,
  );
  void vscode.window
    .showInformationMessage(`ServeTune: profiled ${text}.`, 'Open Dashboard')
    .then((choice) => {
      if (choice === 'Open Dashboard') void vscode.commands.executeCommand('servetune.openDashboard');
    });
}
