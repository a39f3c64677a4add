import { ServeTuneError } from '../util/errors.js';
import { parseJsonText } from '../util/json-text.js';
import type { FamilyReader, FamilySpec } from './hf/common.js';
import { deepseekV2, deepseekV3, glmMoeDsa } from './hf/deepseek.js';
import { gemma2, gemma3, llama, mistral, phi3, qwen2, qwen3 } from './hf/dense.js';
import { ConfigFields, isObject, type RawConfig } from './hf/fields.js';
import {
  glm4Moe,
  gptOss,
  llama4,
  minimaxM2,
  mixtral,
  qwen2Moe,
  qwen3Moe,
  qwen3Next,
  qwen35Moe,
} from './hf/moe.js';
import { readCheckpointFormat } from './hf/quantization.js';
import { ModelSpec, type QuantizedPart } from './spec.js';

/**
 * Reading a Hugging Face `config.json` into a ModelSpec. Each `model_type` has a reader (model/hf/):
 * which fields it needs, the defaults transformers gives those its files leave out, and how its layers
 * differ (sliding windows, linear attention, dense layers among experts). Multimodal checkpoints
 * (Gemma 3, Llama 4, Kimi-K2.5, Qwen3.5) are read from their `text_config`: the vision tower is not modelled.
 */

/**
 * model_type → its reader. Aliases: Kimi-K2 is DeepSeek-V3's architecture, and Kimi-K2.5 wraps that text
 * model with a vision tower; MiniMax-M2 ships as 'minimax' too; a text-only Qwen3.5-MoE checkpoint is its
 * `qwen3_5_moe_text` config at the top level.
 */
const READERS: Record<string, FamilyReader> = {
  llama,
  llama4,
  mistral,
  mixtral,
  qwen2,
  qwen2_moe: qwen2Moe,
  qwen3,
  qwen3_moe: qwen3Moe,
  qwen3_next: qwen3Next,
  qwen3_5_moe: qwen35Moe,
  qwen3_5_moe_text: qwen35Moe,
  deepseek_v2: deepseekV2,
  deepseek_v3: deepseekV3,
  kimi_k2: deepseekV3,
  kimi_k25: deepseekV3,
  gpt_oss: gptOss,
  gemma2,
  gemma3,
  gemma3_text: gemma3,
  phi3,
  glm4_moe: glm4Moe,
  glm_moe_dsa: glmMoeDsa,
  minimax_m2: minimaxM2,
  minimax: minimaxM2,
};

export const SUPPORTED_MODEL_TYPES: readonly string[] = Object.keys(READERS);

/** Types whose text model is nested in `text_config`. */
const NESTED_TEXT = new Set(['gemma3', 'llama4', 'kimi_k25', 'qwen3_5_moe']);

/** What a config of an unsupported type would need to be read as one of the supported ones. */
const UNSUPPORTED_HINT =
  "To plan a decoder of another type, copy its config.json with model_type 'llama' (dense) or 'mixtral' " +
  '(experts in every layer) and the fields ServeTune reads: hidden_size, num_hidden_layers, ' +
  'num_attention_heads, num_key_value_heads, head_dim (if not hidden_size / num_attention_heads), ' +
  "intermediate_size, vocab_size, max_position_embeddings, tie_word_embeddings; for 'mixtral' also " +
  'num_local_experts and num_experts_per_tok.';

function configError(where: string, message: string, field?: string): ServeTuneError {
  return new ServeTuneError(`${where}: ${message}`, 'invalid-config', field ? `${where}#${field}` : where);
}

function readModelType(raw: RawConfig, where: string): string {
  const type = raw['model_type'];
  if (type === undefined) throw configError(where, "field 'model_type' is missing", 'model_type');
  if (typeof type !== 'string' || !(type in READERS)) {
    throw configError(
      where,
      `field 'model_type' is '${String(type)}', but only ${SUPPORTED_MODEL_TYPES.join(', ')} are supported. ${UNSUPPORTED_HINT}`,
      'model_type',
    );
  }
  if (type === 'minimax') {
    const architectures = raw['architectures'];
    if (!Array.isArray(architectures) || !architectures.includes('MiniMaxM2ForCausalLM')) {
      throw configError(
        where,
        "field 'model_type' is 'minimax' without architectures ['MiniMaxM2ForCausalLM']: only MiniMax-M2 is supported (MiniMax-Text-01's lightning attention is not)",
        'architectures',
      );
    }
  }
  return type;
}

/** The fields of the text model: the file itself, or its `text_config` for a multimodal type. */
function textFields(raw: RawConfig, type: string, where: string): ConfigFields {
  const reader = READERS[type]!;
  if (!NESTED_TEXT.has(type)) return new ConfigFields(raw, where, type, reader.defaults);
  const text = raw['text_config'];
  if (!isObject(text)) {
    throw configError(
      where,
      `field 'text_config' is missing (required for model_type '${type}': the text model's fields)`,
      'text_config',
    );
  }
  return new ConfigFields(text, where, type, reader.defaults, 'text_config.');
}

/** The parts a checkpoint could quantize, as this model has them. */
function partsOf(spec: FamilySpec): QuantizedPart[] {
  const parts: QuantizedPart[] = ['attention', 'attention_output'];
  if (!spec.moe || (spec.moe.denseLayers?.length ?? 0) > 0) parts.push('dense');
  if (spec.moe) parts.push('experts');
  if (spec.moe?.sharedIntermediateSize) parts.push('shared');
  return parts;
}

/** The spec without the keys a reader left undefined, so that specs compare equal field by field. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** How a model is named where its config.json does not say (`_name_or_path`). */
export interface ModelNames {
  id?: string;
  name?: string;
  /** The Hugging Face repository (or file) the numbers come from. */
  source?: string;
}

/**
 * Reads an already-parsed `config.json` object; see modelFromHfConfig. `otherQuantizations` are the
 * `quantization_config`s of other checkpoints published of the same weights (ModelSpec.otherCheckpoints).
 */
export function modelFromHfObject(
  raw: unknown,
  where: string,
  names: ModelNames = {},
  otherQuantizations: readonly unknown[] = [],
): ModelSpec {
  if (!isObject(raw)) throw configError(where, 'expected a JSON object');
  const type = readModelType(raw, where);
  const read = READERS[type]!.read(textFields(raw, type, where));
  const nameOrPath = typeof raw['_name_or_path'] === 'string' ? raw['_name_or_path'] : '';
  const name = names.name ?? (nameOrPath.split('/').pop() || names.id || where);
  const parts = partsOf(read);
  const checkpointFormat = readCheckpointFormat(raw['quantization_config'], parts, where, read.numLayers);
  const others = otherQuantizations.flatMap(
    (q) => readCheckpointFormat(q, parts, where, read.numLayers) ?? [],
  );
  const spec = withoutUndefined({
    id: names.id ?? name.toLowerCase(),
    name,
    source: names.source ?? (nameOrPath || where),
    ...read,
    moe: read.moe && withoutUndefined(read.moe),
    checkpointFormat,
    otherCheckpoints: others.length > 0 ? others : undefined,
  });
  const checked = ModelSpec.safeParse(spec);
  if (!checked.success) throw configError(where, checked.error.issues[0]!.message);
  return checked.data;
}

/**
 * Reads a Hugging Face `config.json` (its text) into a ModelSpec. `where` names the file in errors.
 * Supported types: SUPPORTED_MODEL_TYPES.
 */
export function modelFromHfConfig(text: string, where: string, id?: string): ModelSpec {
  let raw: unknown;
  try {
    raw = parseJsonText(text);
  } catch (error) {
    throw configError(where, `not valid JSON (${(error as Error).message})`);
  }
  return modelFromHfObject(raw, where, id === undefined ? {} : { id });
}
