import type { LayerAttentionKind, ModelFamily, ModelSpec, MoeSpec } from '../spec.js';
import type { ConfigFields, RawConfig } from './fields.js';

/** Decoder layers a config may have: today's deepest models have under 200. */
const MAX_LAYERS = 4096;

/** What a family reader gives: the ModelSpec but for the names and the checkpoint, which the import adds. */
export type FamilySpec = Omit<ModelSpec, 'id' | 'name' | 'source' | 'checkpointFormat'>;

/** How one Hugging Face `model_type` is read. */
export interface FamilyReader {
  family: ModelFamily;
  /** transformers' defaults for the fields this family's files may leave out. */
  defaults?: RawConfig;
  read(f: ConfigFields): FamilySpec;
}

/** The fields every decoder shares: sizes, heads (GQA; MHA and MQA are its ends), vocabulary, context. */
export function readBase(
  f: ConfigFields,
  family: ModelFamily,
): Pick<
  FamilySpec,
  | 'family'
  | 'hiddenSize'
  | 'numLayers'
  | 'numHeads'
  | 'numKvHeads'
  | 'headDim'
  | 'intermediateSize'
  | 'vocabSize'
  | 'tiedEmbeddings'
  | 'maxContextLength'
> {
  const hiddenSize = f.int('hidden_size');
  const numLayers = f.int('num_hidden_layers');
  // Per-layer tables are built from it: a corrupt count must not become a billion-entry array.
  if (numLayers > MAX_LAYERS) {
    f.fail(
      'num_hidden_layers',
      `(${numLayers}) is more layers than any model has (at most ${MAX_LAYERS} are read)`,
    );
  }
  const numHeads = f.int('num_attention_heads');
  const numKvHeads = f.optionalInt('num_key_value_heads') ?? numHeads;
  const headDim = f.optionalInt('head_dim') ?? hiddenSize / numHeads;
  if (!Number.isInteger(headDim)) {
    f.fail(
      'hidden_size',
      `(${hiddenSize}) is not a multiple of '${f.path('num_attention_heads')}' (${numHeads}) and no '${f.path('head_dim')}' is given`,
    );
  }
  if (numHeads % numKvHeads !== 0) {
    f.fail(
      'num_key_value_heads',
      `(${numKvHeads}) must divide '${f.path('num_attention_heads')}' (${numHeads})`,
    );
  }
  return {
    family,
    hiddenSize,
    numLayers,
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: f.int('intermediate_size'),
    vocabSize: f.int('vocab_size'),
    tiedEmbeddings: f.optionalBool('tie_word_embeddings') ?? false,
    maxContextLength: f.int('max_position_embeddings'),
  };
}

const LAYER_TYPES: Record<string, LayerAttentionKind> = {
  full_attention: 'full',
  sliding_attention: 'sliding',
  // Llama 4's chunked attention keeps at most one chunk: a window of attention_chunk_size, at most.
  chunked_attention: 'sliding',
  linear_attention: 'linear',
};

/** `layer_types` (transformers' per-layer attention list) where the file gives one. */
export function readLayerTypes(f: ConfigFields, numLayers: number): LayerAttentionKind[] | undefined {
  const names = f.optionalStringList('layer_types');
  if (!names) return undefined;
  if (names.length !== numLayers) {
    f.fail('layer_types', `names ${names.length} layers, but num_hidden_layers is ${numLayers}`);
  }
  return names.map((name) => {
    const kind = LAYER_TYPES[name];
    if (!kind) {
      f.fail('layer_types', `has '${name}'; known kinds: ${Object.keys(LAYER_TYPES).join(', ')}`);
    }
    return kind;
  });
}

/** Layer kinds from a repeating rule: layer i is `kindOf(i)`. */
export function layerPattern(
  numLayers: number,
  kindOf: (i: number) => LayerAttentionKind,
): LayerAttentionKind[] {
  return Array.from({ length: numLayers }, (_, i) => kindOf(i));
}

/**
 * The spec's attention fields for these layer kinds: nothing where every layer is full; only the
 * window where every layer slides; both otherwise. A window as long as the context is none at all.
 */
export function attentionLayout(
  kinds: readonly LayerAttentionKind[],
  window: number | undefined,
  maxContextLength: number,
): Pick<FamilySpec, 'layerAttention' | 'slidingWindow'> {
  const slides = window !== undefined && window < maxContextLength;
  const effective = kinds.map((kind) => (kind === 'sliding' && !slides ? 'full' : kind));
  if (effective.every((kind) => kind === 'full')) return {};
  if (effective.every((kind) => kind === 'sliding')) return { slidingWindow: window };
  return {
    layerAttention: effective,
    ...(effective.includes('sliding') ? { slidingWindow: window } : {}),
  };
}

/**
 * The MoE block of a spec, with the layers (0-based) that run a dense MLP instead: `isMoeLayer` says
 * which run experts. Undefined when no layer does.
 */
export function moeWithDenseLayers(
  numLayers: number,
  experts: Omit<MoeSpec, 'denseLayers'>,
  isMoeLayer: (i: number) => boolean,
): MoeSpec | undefined {
  const dense: number[] = [];
  for (let i = 0; i < numLayers; i++) if (!isMoeLayer(i)) dense.push(i);
  if (dense.length === numLayers) return undefined;
  const moe: MoeSpec = { ...experts };
  if (experts.sharedIntermediateSize === undefined) delete moe.sharedIntermediateSize;
  if (dense.length > 0) moe.denseLayers = dense;
  return moe;
}

/** A shared-expert width as configs give it, where 0 means none. */
export function sharedWidth(width: number | undefined): number | undefined {
  return width === undefined || width === 0 ? undefined : width;
}
