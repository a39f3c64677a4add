import { ServeTuneError } from '../util/errors.js';
import { didYouMean, nearestNames } from '../util/nearest.js';
import { ModelSpec } from './spec.js';

/**
 * Built-in models. Every number is copied from the model's Hugging Face `config.json` (the `source`
 * repository); the import path in hf-config.ts reads the same fields.
 */
const entries: ModelSpec[] = [
  {
    id: 'llama-3.1-8b',
    name: 'Llama-3.1-8B',
    family: 'llama',
    source: 'meta-llama/Llama-3.1-8B-Instruct',
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    vocabSize: 128256,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 131072,
  },
  {
    id: 'llama-3.1-70b',
    name: 'Llama-3.1-70B',
    family: 'llama',
    source: 'meta-llama/Llama-3.1-70B-Instruct',
    hiddenSize: 8192,
    numLayers: 80,
    numHeads: 64,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 28672,
    vocabSize: 128256,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 131072,
  },
  {
    id: 'llama-3.1-405b',
    name: 'Llama-3.1-405B',
    family: 'llama',
    source: 'meta-llama/Llama-3.1-405B-Instruct',
    hiddenSize: 16384,
    numLayers: 126,
    numHeads: 128,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 53248,
    vocabSize: 128256,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 131072,
  },
  {
    id: 'llama-2-7b',
    name: 'Llama-2-7B',
    family: 'llama',
    source: 'meta-llama/Llama-2-7b-hf',
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 32,
    headDim: 128,
    intermediateSize: 11008,
    vocabSize: 32000,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 4096,
  },
  {
    id: 'llama-2-70b',
    name: 'Llama-2-70B',
    family: 'llama',
    source: 'meta-llama/Llama-2-70b-hf',
    hiddenSize: 8192,
    numLayers: 80,
    numHeads: 64,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 28672,
    vocabSize: 32000,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 4096,
  },
  {
    id: 'mistral-7b',
    name: 'Mistral-7B-v0.3',
    family: 'mistral',
    source: 'mistralai/Mistral-7B-Instruct-v0.3',
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    vocabSize: 32768,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 32768,
  },
  {
    id: 'mixtral-8x7b',
    name: 'Mixtral-8x7B',
    family: 'mixtral',
    source: 'mistralai/Mixtral-8x7B-Instruct-v0.1',
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    vocabSize: 32000,
    tiedEmbeddings: false,
    qkvBias: false,
    maxContextLength: 32768,
    moe: { numExperts: 8, topK: 2, expertIntermediateSize: 14336 },
  },
  {
    id: 'qwen2.5-7b',
    name: 'Qwen2.5-7B',
    family: 'qwen2',
    source: 'Qwen/Qwen2.5-7B-Instruct',
    hiddenSize: 3584,
    numLayers: 28,
    numHeads: 28,
    numKvHeads: 4,
    headDim: 128,
    intermediateSize: 18944,
    vocabSize: 152064,
    tiedEmbeddings: false,
    qkvBias: true,
    maxContextLength: 32768,
  },
  {
    id: 'qwen2.5-72b',
    name: 'Qwen2.5-72B',
    family: 'qwen2',
    source: 'Qwen/Qwen2.5-72B-Instruct',
    hiddenSize: 8192,
    numLayers: 80,
    numHeads: 64,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 29568,
    vocabSize: 152064,
    tiedEmbeddings: false,
    qkvBias: true,
    maxContextLength: 32768,
  },
];

export const MODEL_CATALOG: readonly ModelSpec[] = entries.map((entry) => ModelSpec.parse(entry));

export function modelIds(): string[] {
  return MODEL_CATALOG.map((m) => m.id);
}

/** A catalog model by id (case-insensitive; the display name or Hugging Face repository also match). */
export function findModel(query: string): ModelSpec | undefined {
  const q = query.trim().toLowerCase();
  return MODEL_CATALOG.find((m) => m.id === q || m.name.toLowerCase() === q || m.source.toLowerCase() === q);
}

export function getModel(query: string): ModelSpec {
  const found = findModel(query);
  if (found) return found;
  throw new ServeTuneError(
    `Unknown model '${query}'.${didYouMean(query, modelIds())} Run 'servetune models' for the list, or pass a Hugging Face config.json path.`,
    'unknown-model',
    query,
  );
}

export function nearestModelIds(query: string): string[] {
  return nearestNames(query, modelIds());
}
