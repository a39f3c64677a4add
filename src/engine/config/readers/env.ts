import type { ArgToken } from '../args.js';
import type { BlockBuilder } from '../block.js';
import type { EngineId } from '../engines/index.js';
import { findEnv } from '../knobs/index.js';
import type { SourceRange } from '../source.js';

/** An environment variable handed to the server: counts where the engine reads it (TGI), else ignored. */
export function addEnvVariable(
  builder: BlockBuilder,
  engine: EngineId,
  name: string,
  value: ArgToken,
  keyRange: SourceRange | null,
): void {
  const knob = findEnv(engine, name);
  if (!knob) return;
  const edit = value.range ? { target: value.range, encoding: value.encoding, form: 'value' as const } : null;
  if (/\$\{?[A-Za-z_]/.test(value.text)) {
    builder.add({
      knob: knob.id,
      spelling: name,
      origin: 'env',
      raw: value.text,
      settings: {},
      keyRange,
      valueRange: value.range,
      edit,
      unresolved: value.text,
    });
    return;
  }
  const read = knob.read(value.text);
  builder.add({
    knob: knob.id,
    spelling: name,
    origin: 'env',
    raw: value.text,
    settings: typeof read === 'string' ? {} : read,
    keyRange,
    valueRange: value.range,
    ...(typeof read === 'string' ? { error: `${name}: ${read}` } : {}),
    edit,
    ...(value.note ? { note: value.note } : {}),
  });
}

/** GPUs listed in CUDA_VISIBLE_DEVICES / NVIDIA_VISIBLE_DEVICES (`0,1,2,3`); undefined for `all` or unknown. */
export function countDevices(list: string): number | undefined {
  const items = list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0 || items.some((item) => !/^(\d+|GPU-[0-9a-fA-F-]+|MIG-[\w/-]+)$/.test(item)))
    return undefined;
  return items.length;
}
