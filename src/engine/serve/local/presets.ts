import { ModelSpec } from '../../model/spec.js';
import { ServeTuneError } from '../../util/errors.js';
import { didYouMean } from '../../util/nearest.js';

/**
 * Llama-shaped models with random weights for the local reference engine, sized for a software
 * adapter (lavapipe on a few CPU cores): `tiny` for tests, `small` for validation runs. Any
 * config.json works too; these only keep the arithmetic small enough to serve at interactive speed.
 */
const presets: Record<string, ModelSpec> = {
  tiny: {
    id: 'servetune-tiny',
    name: 'ServeTune tiny (random weights)',
    family: 'llama',
    source: 'preset:tiny',
    hiddenSize: 64,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 16,
    intermediateSize: 128,
    vocabSize: 256,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 256,
  },
  small: {
    id: 'servetune-small',
    name: 'ServeTune small (random weights)',
    family: 'llama',
    source: 'preset:small',
    hiddenSize: 256,
    numLayers: 4,
    numHeads: 8,
    numKvHeads: 4,
    headDim: 32,
    intermediateSize: 512,
    vocabSize: 1024,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 1024,
  },
};

export const PRESET_NAMES = Object.keys(presets);

export function presetModel(name: string): ModelSpec {
  const found = presets[name];
  if (!found) {
    throw new ServeTuneError(
      `Unknown preset '${name}'.${didYouMean(name, PRESET_NAMES)} Presets: ${PRESET_NAMES.join(', ')}.`,
      'invalid-argument',
      '--preset',
    );
  }
  return ModelSpec.parse(found);
}
