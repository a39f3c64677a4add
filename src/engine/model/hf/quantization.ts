import { z } from 'zod';
import { ServeTuneError } from '../../util/errors.js';
import type { WeightDtype } from '../dtypes.js';
import type { CheckpointFormat, QuantizedPart } from '../spec.js';
import { isObject, type RawConfig } from './fields.js';

/**
 * A checkpoint's `quantization_config` as the weight format it loads in. Each method names its format
 * its own way (fp8 block sizes, compressed-tensors' config groups, AWQ/GPTQ bits and groups, modelopt's
 * algorithm) and its own list of modules left in 16-bit; both come down to a dtype, a scale group and
 * the parts of the model (attention, dense MLPs, routed experts, shared experts) that hold it.
 */

/** Module names, as checkpoints name them, that stand for each part (`N` is any layer). */
const PART_MODULES: Record<QuantizedPart, readonly string[]> = {
  attention: [
    'model.layers.N.self_attn.q_proj',
    'model.layers.N.self_attn.q_a_proj',
    'model.layers.N.self_attn.kv_a_proj_with_mqa',
    'model.layers.N.linear_attn.in_proj_qkvz',
  ],
  attention_output: ['model.layers.N.self_attn.o_proj', 'model.layers.N.linear_attn.out_proj'],
  dense: [
    'model.layers.N.mlp.gate_proj',
    'model.layers.N.mlp.down_proj',
    'model.layers.N.feed_forward.gate_proj',
  ],
  experts: [
    'model.layers.N.mlp.experts.0.gate_proj',
    'model.layers.N.mlp.experts.gate_up_proj',
    'model.layers.N.block_sparse_moe.experts.0.w1',
    'model.layers.N.feed_forward.experts.gate_up_proj',
  ],
  shared: [
    'model.layers.N.mlp.shared_experts.gate_proj',
    'model.layers.N.mlp.shared_expert.gate_proj',
    'model.layers.N.feed_forward.shared_expert.gate_proj',
  ],
};

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether a skip-list entry names a module of the part. Entries are module paths (a prefix at a `.`
 * boundary: `model.layers.*.self_attn` skips every attention projection), bare names (`lm_head`,
 * `gate`) or, in compressed-tensors, `re:` regular expressions. A layer number in an entry stands for
 * every layer: a part is quantized in all layers or none.
 */
function matchesModule(entry: string, module: string): boolean {
  if (entry.startsWith('re:')) {
    try {
      return new RegExp(entry.slice(3)).test(module.replace(/\.N\./, '.0.'));
    } catch {
      return false;
    }
  }
  const pattern = escapeRegExp(entry.replace(/\blayers\.\d+\b/, 'layers.*')).replace(/\*/g, '[^.]+');
  return new RegExp(`(^|\\.)${pattern}(\\.|$)`).test(module);
}

/**
 * Whether a skip-list entry names a layer past the decoder's last (`numLayers` of them): the
 * multi-token-prediction layer DeepSeek-V3 stores after its 61. ModelOpt's DeepSeek recipe skips it
 * with one such entry (NVIDIA/TensorRT-Model-Optimizer examples/deepseek/ptq.py @1030a22:
 * `exclude_modules.append(f"layers.{len(model.layers)}*")`, `model.layers.61*` in NVIDIA's NVFP4
 * DeepSeek-R1 files). Such an entry skips nothing the decoder runs, where a layer number elsewhere
 * stands for every layer.
 */
function namesLayerPast(entry: string, numLayers: number | undefined): boolean {
  const layer = /\blayers\.(\d+)/.exec(entry)?.[1];
  return numLayers !== undefined && layer !== undefined && Number(layer) >= numLayers;
}

function partsOutside(
  entries: readonly string[],
  parts: readonly QuantizedPart[],
  numLayers?: number,
): QuantizedPart[] {
  const skips = entries.filter((e) => !namesLayerPast(e, numLayers));
  return parts.filter((part) => !PART_MODULES[part].some((m) => skips.some((e) => matchesModule(e, m))));
}

function partsInside(entries: readonly string[], parts: readonly QuantizedPart[]): QuantizedPart[] {
  if (entries.includes('Linear')) return [...parts];
  return parts.filter((part) => PART_MODULES[part].some((m) => entries.some((e) => matchesModule(e, m))));
}

const strings = z.array(z.string()).nullish();
const Fp8Config = z.object({ weight_block_size: z.array(z.number().int().positive()).nullish() });
const GroupedIntConfig = z.object({ bits: z.number().int(), group_size: z.number().int().nullish() });
const CompressedWeights = z.object({
  num_bits: z.number().int(),
  type: z.enum(['int', 'float']),
  group_size: z.number().int().nullish(),
  block_structure: z.array(z.number().int().positive()).nullish(),
});
const CompressedGroup = z.object({ targets: z.array(z.string()), weights: CompressedWeights.nullish() });
const CompressedConfig = z.object({
  format: z.string().nullish(),
  config_groups: z.record(z.string(), CompressedGroup).nullish(),
  ignore: strings,
});
const ModeloptConfig = z.object({
  quant_algo: z.string(),
  group_size: z.number().int().nullish(),
  exclude_modules: strings,
});

interface Format {
  dtype: WeightDtype;
  groupSize?: number;
  /** Modules left unquantized, or (compressed-tensors) the only ones quantized. */
  skip?: readonly string[];
  only?: readonly string[];
}

const positiveOrNone = (n: number | null | undefined) =>
  n !== null && n !== undefined && n > 0 ? n : undefined;

function compressedFormat(c: z.infer<typeof CompressedConfig>, fail: (why: string) => never): Format {
  const group = Object.values(c.config_groups ?? {}).find((g) => g.weights);
  const w = group?.weights;
  const name = c.format ?? '';
  let dtype: WeightDtype;
  if (name.includes('nvfp4') || (w?.num_bits === 4 && w.type === 'float' && w.group_size === 16))
    dtype = 'nvfp4';
  else if (name.includes('mxfp4') || (w?.num_bits === 4 && w.type === 'float')) dtype = 'mxfp4';
  else if (w?.num_bits === 4 || name === 'pack-quantized') dtype = 'int4';
  else if ((w?.num_bits === 8 && w.type === 'float') || name === 'float-quantized') dtype = 'fp8';
  else if (w?.num_bits === 8 || name === 'int-quantized') dtype = 'int8';
  else return fail(`has a compressed-tensors format (${name || 'no format'}) that is not modelled`);
  // fp8 scales cover blocks (block_structure) or whole channels; int4 scales cover groups; the 4-bit
  // float formats fix their own groups.
  const block = w?.block_structure;
  const groupSize =
    dtype === 'fp8' && block
      ? block.reduce((a, b) => a * b, 1)
      : dtype === 'int4'
        ? positiveOrNone(w?.group_size)
        : undefined;
  return {
    dtype,
    ...(groupSize ? { groupSize } : {}),
    skip: c.ignore ?? [],
    only: group?.targets ?? ['Linear'],
  };
}

function formatOf(q: RawConfig, method: string, fail: (why: string) => never): Format {
  const skip = strings.safeParse(q['modules_to_not_convert']).data ?? [];
  const read = <T>(schema: z.ZodType<T>): T => {
    const parsed = schema.safeParse(q);
    if (!parsed.success)
      fail(`is not a valid '${method}' quantization_config (${parsed.error.issues[0]?.message})`);
    return parsed.data as T;
  };
  switch (method) {
    case 'fp8':
    case 'fbgemm_fp8': {
      const block = read(Fp8Config).weight_block_size;
      return { dtype: 'fp8', ...(block ? { groupSize: block.reduce((a, b) => a * b, 1) } : {}), skip };
    }
    case 'awq':
    case 'gptq': {
      const { bits, group_size } = read(GroupedIntConfig);
      if (bits === 8) return { dtype: 'int8', skip };
      if (bits !== 4) fail(`has ${bits}-bit ${method} weights; 4 and 8 bits are modelled`);
      const groupSize = positiveOrNone(group_size);
      return { dtype: 'int4', ...(groupSize ? { groupSize } : {}), skip };
    }
    case 'mxfp4':
      return { dtype: 'mxfp4', skip };
    case 'compressed-tensors':
      return compressedFormat(read(CompressedConfig), fail);
    case 'modelopt': {
      const c = read(ModeloptConfig);
      const algo = c.quant_algo.toUpperCase();
      if (algo === 'NVFP4') return { dtype: 'nvfp4', skip: c.exclude_modules ?? [] };
      if (algo === 'FP8') return { dtype: 'fp8', skip: c.exclude_modules ?? [] };
      return fail(`has modelopt quant_algo '${c.quant_algo}'; NVFP4 and FP8 are modelled`);
    }
    default:
      return fail(
        `quant_method '${method}' is not modelled (modelled: fp8, compressed-tensors, awq, gptq, mxfp4, modelopt); pass --weight-dtype to plan another format`,
      );
  }
}

/**
 * The checkpoint format of a config's `quantization_config` (undefined where there is none). `parts`
 * are the parts the model has; the result lists those its format covers. `numLayers`, the decoder's
 * layers, tells skip-list entries of layers past them (a draft layer) from those of the decoder.
 */
export function readCheckpointFormat(
  raw: unknown,
  parts: readonly QuantizedPart[],
  where: string,
  numLayers?: number,
): CheckpointFormat | undefined {
  if (raw === undefined || raw === null) return undefined;
  const fail = (why: string): never => {
    throw new ServeTuneError(
      `${where}: field 'quantization_config' ${why}`,
      'invalid-config',
      `${where}#quantization_config`,
    );
  };
  if (!isObject(raw)) return fail('is not an object');
  const method = z.string().safeParse(raw['quant_method']).data;
  if (!method) return fail("has no 'quant_method'");
  const format = formatOf(raw, method, fail);
  const kept = partsOutside(format.skip ?? [], parts, numLayers);
  const quantized = format.only ? partsInside(format.only, kept) : kept;
  if (quantized.length === 0) return undefined;
  return {
    method,
    dtype: format.dtype,
    ...(format.groupSize ? { groupSize: format.groupSize } : {}),
    quantized,
  };
}
