import { z } from 'zod';
import { ServeTuneError } from '../util/errors.js';
import { ModelSpec } from './spec.js';

const SUPPORTED_TYPES = ['llama', 'mistral', 'mixtral', 'qwen2'] as const;

const positiveInt = z.number().int().positive();

/** The fields of a Hugging Face `config.json` that serving cost depends on; the rest are ignored. */
const HfConfig = z.object({
  model_type: z.enum(SUPPORTED_TYPES, {
    error: (issue) =>
      issue.input === undefined
        ? 'is missing'
        : `is '${String(issue.input)}', but only ${SUPPORTED_TYPES.join(', ')} are supported`,
  }),
  hidden_size: positiveInt,
  num_hidden_layers: positiveInt,
  num_attention_heads: positiveInt,
  num_key_value_heads: positiveInt.optional(),
  head_dim: positiveInt.nullish(),
  intermediate_size: positiveInt,
  vocab_size: positiveInt,
  tie_word_embeddings: z.boolean().optional(),
  max_position_embeddings: positiveInt.optional(),
  num_local_experts: positiveInt.optional(),
  num_experts_per_tok: positiveInt.optional(),
  _name_or_path: z.string().optional(),
});

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
    return `field '${field}' is missing`;
  }
  return `field '${field}' ${issue.message.startsWith('is ') ? issue.message : `is invalid: ${issue.message}`}`;
}

/**
 * Reads a Hugging Face `config.json` (its text) into a ModelSpec. `where` names the file in errors.
 * Families: llama, mistral, mixtral (MoE), qwen2 (qkv bias).
 */
export function modelFromHfConfig(text: string, where: string, id?: string): ModelSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ServeTuneError(
      `${where}: not valid JSON (${(error as Error).message})`,
      'invalid-config',
      where,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ServeTuneError(`${where}: expected a JSON object`, 'invalid-config', where);
  }
  const parsed = HfConfig.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const field = first.path.join('.');
    throw new ServeTuneError(`${where}: ${describeIssue(first)}`, 'invalid-config', `${where}#${field}`);
  }
  const c = parsed.data;
  const numKvHeads = c.num_key_value_heads ?? c.num_attention_heads;
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  if (!Number.isInteger(headDim)) {
    throw new ServeTuneError(
      `${where}: field 'hidden_size' (${c.hidden_size}) is not a multiple of 'num_attention_heads' (${c.num_attention_heads}) and no 'head_dim' is given`,
      'invalid-config',
      `${where}#hidden_size`,
    );
  }
  if (c.num_attention_heads % numKvHeads !== 0) {
    throw new ServeTuneError(
      `${where}: field 'num_key_value_heads' (${numKvHeads}) must divide 'num_attention_heads' (${c.num_attention_heads})`,
      'invalid-config',
      `${where}#num_key_value_heads`,
    );
  }
  const isMoe = c.model_type === 'mixtral';
  if (isMoe && (c.num_local_experts === undefined || c.num_experts_per_tok === undefined)) {
    const missing = c.num_local_experts === undefined ? 'num_local_experts' : 'num_experts_per_tok';
    throw new ServeTuneError(
      `${where}: field '${missing}' is missing (required for model_type 'mixtral')`,
      'invalid-config',
      `${where}#${missing}`,
    );
  }
  const name = c._name_or_path?.split('/').pop() || id || where;
  const spec = {
    id: id ?? name.toLowerCase(),
    name,
    family: c.model_type,
    source: c._name_or_path || where,
    hiddenSize: c.hidden_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    numKvHeads,
    headDim,
    intermediateSize: c.intermediate_size,
    vocabSize: c.vocab_size,
    tiedEmbeddings: c.tie_word_embeddings ?? false,
    qkvBias: c.model_type === 'qwen2',
    maxContextLength: c.max_position_embeddings ?? 4096,
    moe: isMoe
      ? {
          numExperts: c.num_local_experts!,
          topK: c.num_experts_per_tok!,
          expertIntermediateSize: c.intermediate_size,
        }
      : undefined,
  };
  const checked = ModelSpec.safeParse(spec);
  if (!checked.success) {
    const first = checked.error.issues[0]!;
    throw new ServeTuneError(`${where}: ${first.message}`, 'invalid-config', where);
  }
  return checked.data;
}
