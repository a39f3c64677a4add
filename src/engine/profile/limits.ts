import { layerShapeOf, weightCount } from '../kernels/layer.js';
import type { ModelSpec } from '../model/spec.js';
import { ServeTuneError } from '../util/errors.js';
import { fitLayer } from './tasks/layer.js';

const GiB = 1024 ** 3;

/**
 * The largest layer the profile may build, in f32 weights. The layer task scales the model's layer
 * down to its memory budget (512 MiB) by halving every width as long as the KV heads divide; a layer
 * still past this bound at its smallest scale (a config.json claiming hidden_size 10^6) would be
 * allocated whole, so the model is refused first.
 */
export const MAX_PROFILE_LAYER_BYTES = 2 * GiB;

/**
 * Refuses a model whose shapes the profile cannot measure within memory: checked before the GPU is
 * acquired or anything is allocated, naming the size and the widths at fault.
 */
export function checkProfilable(model: ModelSpec, quick: boolean): void {
  const { shape, divisor } = fitLayer(layerShapeOf(model), 'f32', quick, Number.POSITIVE_INFINITY);
  const bytes = weightCount(shape) * 4;
  if (bytes <= MAX_PROFILE_LAYER_BYTES) return;
  throw new ServeTuneError(
    `${model.id}: one layer (hidden ${model.hiddenSize}, FFN ${shape.intermediateSize * divisor}, ${model.numHeads} heads of ${model.headDim}) needs ${(bytes / GiB).toFixed(1)} GiB of weights even at 1/${divisor} scale, more than the ${MAX_PROFILE_LAYER_BYTES / GiB} GiB the profile may allocate; profile with a real model's config (the default is llama-3.1-8b)`,
    'invalid-argument',
    '--model',
  );
}
