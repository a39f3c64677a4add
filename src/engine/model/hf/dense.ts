import type { LayerAttentionKind } from '../spec.js';
import {
  attentionLayout,
  type FamilyReader,
  type FamilySpec,
  layerPattern,
  readBase,
  readLayerTypes,
} from './common.js';
import type { ConfigFields } from './fields.js';

/**
 * The dense decoder families: Llama, Mistral, Qwen2/Qwen3, Phi-3/4 and Gemma 2/3. The defaults are
 * transformers' for the fields their files may leave out.
 */

/** Mistral and Phi-3: a `sliding_window` (when set) applies to every layer. */
function everyLayerSliding(f: ConfigFields, base: Pick<FamilySpec, 'numLayers' | 'maxContextLength'>) {
  const window = f.optionalInt('sliding_window');
  return attentionLayout(
    layerPattern(base.numLayers, () => 'sliding'),
    window,
    base.maxContextLength,
  );
}

/**
 * Qwen2/Qwen3 (and their MoE): `layer_types` where given; else, with `use_sliding_window`, layers from
 * `max_window_layers` on slide over `sliding_window`. Published checkpoints keep it off: all full.
 */
export function qwenAttention(f: ConfigFields, base: Pick<FamilySpec, 'numLayers' | 'maxContextLength'>) {
  const window = f.optionalBool('use_sliding_window') ? f.optionalInt('sliding_window') : undefined;
  const first = f.optionalCount('max_window_layers') ?? 0;
  const kinds =
    readLayerTypes(f, base.numLayers) ??
    layerPattern(base.numLayers, (i) => (window !== undefined && i >= first ? 'sliding' : 'full'));
  return attentionLayout(kinds, window, base.maxContextLength);
}

export const llama: FamilyReader = {
  family: 'llama',
  defaults: { max_position_embeddings: 2048 },
  read: (f) => ({ ...readBase(f, 'llama'), qkvBias: f.optionalBool('attention_bias') ?? false }),
};

export const mistral: FamilyReader = {
  family: 'mistral',
  defaults: { max_position_embeddings: 4096 * 32 },
  read: (f) => {
    const base = readBase(f, 'mistral');
    return { ...base, qkvBias: false, ...everyLayerSliding(f, base) };
  },
};

export const qwen2: FamilyReader = {
  family: 'qwen2',
  defaults: { max_position_embeddings: 32768 },
  read: (f) => {
    const base = readBase(f, 'qwen2');
    return { ...base, qkvBias: true, ...qwenAttention(f, base) };
  },
};

export const qwen3: FamilyReader = {
  family: 'qwen3',
  defaults: { max_position_embeddings: 32768 },
  read: (f) => {
    const base = readBase(f, 'qwen3');
    return {
      ...base,
      qkvBias: f.optionalBool('attention_bias') ?? false,
      qkNorm: true,
      ...qwenAttention(f, base),
    };
  },
};

export const phi3: FamilyReader = {
  family: 'phi3',
  defaults: { max_position_embeddings: 4096 },
  read: (f) => {
    const base = readBase(f, 'phi3');
    return { ...base, qkvBias: false, ...everyLayerSliding(f, base) };
  },
};

/** Gemma 2: sliding and full attention alternate, the window first (layer 0 slides). */
export const gemma2: FamilyReader = {
  family: 'gemma2',
  defaults: {
    head_dim: 256,
    max_position_embeddings: 8192,
    sliding_window: 4096,
    tie_word_embeddings: true,
    vocab_size: 256000,
  },
  read: (f) => {
    const base = readBase(f, 'gemma2');
    const kinds =
      readLayerTypes(f, base.numLayers) ??
      layerPattern(base.numLayers, (i): LayerAttentionKind => (i % 2 === 0 ? 'sliding' : 'full'));
    return {
      ...base,
      qkvBias: f.optionalBool('attention_bias') ?? false,
      ...attentionLayout(kinds, f.optionalInt('sliding_window'), base.maxContextLength),
    };
  },
};

/**
 * Gemma 3 (the text model of `gemma3`, or `gemma3_text`): of every `sliding_window_pattern` layers, all
 * but the last slide (pattern 6: layers 5, 11, 17… are full). Its files publish only what differs from
 * Gemma3TextConfig's defaults.
 */
export const gemma3: FamilyReader = {
  family: 'gemma3',
  defaults: {
    head_dim: 256,
    max_position_embeddings: 131072,
    num_attention_heads: 8,
    num_key_value_heads: 4,
    sliding_window: 4096,
    sliding_window_pattern: 6,
    tie_word_embeddings: true,
    vocab_size: 262208,
  },
  read: (f) => {
    const base = readBase(f, 'gemma3');
    const pattern = f.int('sliding_window_pattern');
    const kinds =
      readLayerTypes(f, base.numLayers) ??
      layerPattern(base.numLayers, (i): LayerAttentionKind => ((i + 1) % pattern === 0 ? 'full' : 'sliding'));
    return {
      ...base,
      qkvBias: f.optionalBool('attention_bias') ?? false,
      qkNorm: true,
      ...attentionLayout(kinds, f.optionalInt('sliding_window'), base.maxContextLength),
    };
  },
};
