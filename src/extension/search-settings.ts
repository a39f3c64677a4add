import type { Settings } from './configuration.js';
import { searchEngineInput } from './engine-settings.js';

/** `perfDb` as the engine's inputs take it: absent where the setting is empty. */
export function perfDbInput(settings: Pick<Settings, 'perfDb'>): { perfDb?: string } {
  const dir = settings.perfDb.trim();
  return dir ? { perfDb: dir } : {};
}

/** `calibration` as the engine's inputs take it (`--calibration`): absent where the setting is empty. */
export function calibrationInput(settings: Pick<Settings, 'calibration'>): { calibration?: string } {
  const file = settings.calibration.trim();
  return file ? { calibration: file } : {};
}

/**
 * The fields a `search` and a `planCapacity` request take from the settings alike: the engine and its
 * options, the user's measured op tables and saved calibration, GPU prices and the requests each configuration is simulated
 * on. One place, so neither request forgets one (as `search` and `search --hardware a,b` share flags).
 */
export function searchSettingsInput(
  settings: Pick<Settings, 'engineFlavour' | 'engineVersion' | 'moeBackend' | 'nvfp4Dispatch' | 'perfDb'> &
    Pick<Settings, 'calibration' | 'prices' | 'searchSampleRequests'>,
) {
  return {
    ...searchEngineInput(settings),
    ...perfDbInput(settings),
    ...calibrationInput(settings),
    prices: settings.prices,
    // Results name where a price came from: here the setting, not --price nor a servetune.json.
    pricesGivenIn: 'the servetune.prices setting',
    sampleRequests: settings.searchSampleRequests,
  };
}
