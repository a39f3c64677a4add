import type { ArgToken } from '../args.js';
import type { BlockBuilder } from '../block.js';
import { ENGINES, type EngineId } from '../engines/index.js';
import { findEnv } from '../knobs/index.js';
import { nearKnownNames } from '../knobs/near-miss.js';
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
  if (!knob) {
    warnIfMisspelt(builder, engine, name, keyRange ?? value.range);
    return;
  }
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

/**
 * A variable the engine's table does not know but that is a slip away from one it does
 * (MAX_BATCH_PREFIL_TOKENS for MAX_BATCH_PREFILL_TOKENS): the engine reads env vars by exact name (TGI's
 * launcher each flag's, `#[clap(long, env)]` in huggingface/text-generation-inference
 * launcher/src/main.rs at 009c4e0b945b2c111368afdc2c9813c32db0a9b7), so the setting meant is not set. Any other variable (HF_TOKEN, CUDA_VISIBLE_DEVICES) is
 * left alone: a container's environment holds many the engine never reads.
 */
function warnIfMisspelt(builder: BlockBuilder, engine: EngineId, name: string, range: SourceRange | null) {
  const near = nearKnownNames(engine, name, 'env');
  if (near.length === 0) return;
  const message = `unknown ${ENGINES[engine].displayName} variable ${name}: did you mean ${near.join(' or ')}?`;
  builder.problem('warning', message, range, 'unknown-flag');
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
