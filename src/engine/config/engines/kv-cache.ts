import { KvDtype } from '../../model/dtypes.js';
import { ServeTuneError } from '../../util/errors.js';
import type { PartialServingSettings } from '../serving-settings.js';
import { ENGINES, type EngineId } from './index.js';

type KvSetting = NonNullable<PartialServingSettings['kvCacheDtype']>;

/**
 * The serving settings that ask for a KV format, in order of preference: an engine takes the first its
 * knob can write (SGLang has no plain `fp8`, so it gets e4m3, the format of fp8 checkpoints). 16-bit is
 * every engine's default (`auto`); no engine's KV flag takes int8.
 */
const KV_SETTINGS: Record<KvDtype, readonly KvSetting[] | 'default'> = {
  fp16: 'default',
  bf16: 'default',
  fp8: ['fp8', 'fp8_e4m3'],
  fp4: ['fp4'],
  int8: [],
};

/** The first setting for `kv` the engine's knob table can write; undefined where it has none. */
function engineSetting(engine: EngineId, kv: KvDtype): KvSetting | undefined {
  const settings = KV_SETTINGS[kv];
  if (settings === 'default') return undefined;
  const knob = ENGINES[engine].knobTable.knobs.find((k) => k.settings.includes('kvCacheDtype'));
  return settings.find((kvCacheDtype) => typeof knob?.write({ kvCacheDtype }) === 'string');
}

/** Whether an engine can store its KV cache in `kv`. */
export function engineSupportsKvDtype(engine: EngineId, kv: KvDtype): boolean {
  return KV_SETTINGS[kv] === 'default' || engineSetting(engine, kv) !== undefined;
}

/** KV formats an engine can store, for messages and choices. */
export function kvDtypesOf(engine: EngineId): KvDtype[] {
  return KvDtype.options.filter((kv) => engineSupportsKvDtype(engine, kv));
}

/**
 * The serving settings that make `engine` store its KV cache in `kv` (none for the 16-bit default).
 * Refuses a format the engine has no flag for, rather than writing a flag the engine would reject or,
 * worse, leaving it out and planning memory the engine will not have.
 */
export function kvCacheSettingsFor(engine: EngineId, kv: KvDtype): PartialServingSettings {
  if (KV_SETTINGS[kv] === 'default') return {};
  const kvCacheDtype = engineSetting(engine, kv);
  if (kvCacheDtype === undefined) {
    throw new ServeTuneError(
      `${ENGINES[engine].displayName} cannot store the KV cache as ${kv}; it takes ${kvDtypesOf(engine).join(', ')}.`,
      'invalid-argument',
      'kvDtype',
    );
  }
  return { kvCacheDtype };
}
