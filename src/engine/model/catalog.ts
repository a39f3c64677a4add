import { ServeTuneError } from '../util/errors.js';
import { didYouMean, nearestNames } from '../util/nearest.js';
import { HF_CATALOG, type HfCatalogEntry } from './hf-catalog.js';
import { modelFromHfObject } from './hf-config.js';
import type { ModelSpec } from './spec.js';

/**
 * Built-in models: the Hugging Face catalog (hf-catalog.ts, excerpts of each model's published
 * `config.json`) read through the same import as a user's file, so every entry is also a test of it.
 */

/** Display names that are not the repository's last part (kept as the catalog has always shown them). */
const DISPLAY_NAMES: Record<string, string> = {
  'llama-3.1-8b': 'Llama-3.1-8B',
  'llama-3.1-70b': 'Llama-3.1-70B',
  'llama-3.1-405b': 'Llama-3.1-405B',
  'llama-2-7b': 'Llama-2-7B',
  'llama-2-70b': 'Llama-2-70B',
  'mistral-7b': 'Mistral-7B-v0.3',
  'mixtral-8x7b': 'Mixtral-8x7B',
  'qwen2.5-7b': 'Qwen2.5-7B',
  'qwen2.5-72b': 'Qwen2.5-72B',
};

function catalogModel(entry: HfCatalogEntry): ModelSpec {
  const others = (entry.otherCheckpoints ?? []).map((c) => c.quantization_config);
  return modelFromHfObject(
    entry.config,
    `catalog entry '${entry.id}'`,
    { id: entry.id, name: DISPLAY_NAMES[entry.id] ?? entry.repo.split('/').pop()!, source: entry.repo },
    others,
  );
}

export const MODEL_CATALOG: readonly ModelSpec[] = HF_CATALOG.map(catalogModel);

/**
 * The catalog model as another checkpoint published of its weights holds it (NVIDIA's NVFP4 DeepSeek-R1,
 * which recipes name as `--model-path nvidia/DeepSeek-R1-0528-FP4-v2`): the same id and geometry, that
 * checkpoint's format first (the one plans load unless told otherwise), the model's own among the others.
 */
function otherCheckpointModel(entry: HfCatalogEntry, repo: string): ModelSpec {
  const checkpoints = entry.otherCheckpoints ?? [];
  const own = entry.config['quantization_config'];
  const wanted = checkpoints.find((c) => c.repo === repo)!;
  const others = checkpoints.filter((c) => c !== wanted).map((c) => c.quantization_config);
  return modelFromHfObject(
    { ...entry.config, quantization_config: wanted.quantization_config },
    `catalog entry '${entry.id}' (${repo})`,
    { id: entry.id, name: repo.split('/').pop()!, source: repo },
    own === undefined ? others : [own, ...others],
  );
}

const OTHER_CHECKPOINT_MODELS: readonly ModelSpec[] = HF_CATALOG.flatMap((entry) =>
  (entry.otherCheckpoints ?? []).map((c) => otherCheckpointModel(entry, c.repo)),
);

export function modelIds(): string[] {
  return MODEL_CATALOG.map((m) => m.id);
}

/**
 * A catalog model by id (case-insensitive; the display name or Hugging Face repository also match), or
 * by the repository of another checkpoint of its weights (read in that checkpoint's format).
 */
export function findModel(query: string): ModelSpec | undefined {
  const q = query.trim().toLowerCase();
  return (
    MODEL_CATALOG.find((m) => m.id === q || m.name.toLowerCase() === q || m.source.toLowerCase() === q) ??
    OTHER_CHECKPOINT_MODELS.find((m) => m.source.toLowerCase() === q)
  );
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
