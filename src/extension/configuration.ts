import * as vscode from 'vscode';
import { z } from 'zod';
import { EngineSettingsSchema, readEngineSettings } from './engine-settings.js';
import { settingPath } from './setting-path.js';
import { SloSettings } from './slo-definition.js';

/** `contributes.configuration` as the code reads it: validated, with the manifest's defaults. */
export const Settings = z.object({
  nodePath: z.string().catch(''),
  model: z.string().catch(''),
  hardware: z.string().catch('h100-sxm'),
  gpuCount: z.number().int().positive().catch(8),
  ...EngineSettingsSchema.shape,
  slo: SloSettings,
  /**
   * US dollars per GPU-hour by catalog id or name, over the catalog's list prices. Judged by the engine
   * (search/cost.ts PriceOverrides), whose error names the GPU: a bad price here once dropped every price
   * without a word, and the catalog's stood in.
   */
  prices: z.record(z.string(), z.number()).catch({}),
  searchSampleRequests: z.number().int().positive().catch(1000),
  /** The user's op database folder (`--perf-db`); empty: the shipped tables. */
  perfDb: z.string().catch(''),
  /** A saved calibration file (`--calibration`); empty: the GPU class's defaults. */
  calibration: z.string().catch(''),
  /** Requests "Validate on This Machine" serves; null: the run's own default. */
  validationRequests: z.number().int().positive().max(10_000).nullable().catch(null),
});
export type Settings = z.infer<typeof Settings>;

/** A path setting, a relative one taken from the first workspace folder (`settingPath`). */
function pathSetting(value: unknown): unknown {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return typeof value === 'string' ? settingPath(value, folder) : value;
}

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration('servetune');
  return Settings.parse({
    nodePath: config.get('nodePath'),
    model: config.get('model'),
    hardware: config.get('hardware'),
    gpuCount: config.get('gpuCount'),
    ...readEngineSettings((key) => config.get(key)),
    slo: {
      percentile: config.get('slo.percentile'),
      ttftSeconds: config.get('slo.ttftSeconds'),
      tbtSeconds: config.get('slo.tbtSeconds'),
      attainment: config.get('slo.attainment'),
      form: config.get('slo.form'),
      gap: config.get('slo.gap'),
    },
    prices: config.get('prices') ?? {},
    searchSampleRequests: config.get('sampleRequests'),
    perfDb: pathSetting(config.get('perfDb')),
    calibration: pathSetting(config.get('calibration')),
    validationRequests: config.get('validation.requests') ?? null,
  });
}
