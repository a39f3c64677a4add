import { totalmem } from 'node:os';
import type { ShaderDtype } from '../gpu/types.js';
import type { ModelSpec } from '../model/spec.js';
import { ServeTuneError } from '../util/errors.js';
import { layerShapeOf, weightCount } from './layer.js';

const GB = 1e9;

/**
 * The memory the local model's random weights take (`LocalModel`): on the device, every layer, the
 * final norm and the LM head in `dtype`; on the host, the f32 embedding table it keeps for lookups,
 * and one layer's f32 weights while they are drawn. A software adapter's "device" is host memory too.
 */
export function localModelBytes(model: ModelSpec, dtype: ShaderDtype): number {
  const e = dtype === 'f16' ? 2 : 4;
  const h = model.hiddenSize;
  const layer = weightCount(layerShapeOf(model));
  const device = (model.numLayers * layer + h * model.vocabSize + h) * e;
  const host = 4 * (model.vocabSize * h + layer);
  return device + host;
}

/** The most the local model's weights may take: a quarter of this machine's memory. */
export function localModelLimitBytes(): number {
  return totalmem() / 4;
}

/**
 * Refuses, before anything is allocated, a model whose random weights would not fit comfortably in
 * this machine's memory: the local engine draws every weight in JavaScript, so an 8B-class model in
 * f32 (32 GB) would grow the process for minutes before failing. The message names both sizes.
 */
export function checkLocalModelSize(
  model: ModelSpec,
  dtype: ShaderDtype,
  where: string,
  limitBytes = localModelLimitBytes(),
): void {
  const bytes = localModelBytes(model, dtype);
  if (bytes <= limitBytes) return;
  const layer = weightCount(layerShapeOf(model));
  const parameters = model.numLayers * layer + 2 * model.hiddenSize * model.vocabSize;
  throw new ServeTuneError(
    `${model.id}: the local engine's random weights would take ${(bytes / GB).toFixed(1)} GB (${(parameters / 1e9).toFixed(2)} B parameters in ${dtype}, plus the f32 embedding table), more than the ${(limitBytes / GB).toFixed(1)} GB it may use on this machine (a quarter of its ${(totalmem() / GB).toFixed(1)} GB of memory); serve a smaller config (--preset small, or fewer layers and a narrower hidden size)`,
    'does-not-fit',
    where,
  );
}
