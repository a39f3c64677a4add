import { acceptanceRates, type SpeculationMethod, treeTokensOf } from '../../perf/speculation.js';
import { buildDraftTree, treePaths, treeShapeOfPaths } from '../../perf/speculation-tree.js';
import type { PartialServingSettings } from '../serving-settings.js';
import { type Knob, type KnobValue, normalizeName, parseInteger } from './types.js';

/**
 * Speculative decoding as each engine spells it. vLLM: one `--speculative-config` JSON (a draft tree
 * as `speculative_token_tree`, its nodes' paths). SGLang: an algorithm, the number of draft steps, the
 * EAGLE tree's top-k (1: a chain) and the tokens verified (steps + 1 for a chain), and the draft's path.
 * TensorRT-LLM: `speculative_config` in its extra options YAML with a decoding type, a draft length
 * (MTP: the number of next-n layers), a dynamic tree's top-k and size, and the draft's directory.
 */

const SETTINGS = [
  'speculativeMethod',
  'speculativeTokens',
  'speculativeDraftModel',
  'speculativeTopK',
  'speculativeDraftTokens',
] as const;

/** Tree drafting's shape in the settings, where they ask for a tree (top-k above 1); else undefined. */
function treeOf(settings: PartialServingSettings): { topk: number; tokens: number } | undefined {
  const { speculativeMethod: method, speculativeTokens: k, speculativeTopK: topk } = settings;
  if (!method || !k || !topk || topk <= 1 || method === 'ngram') return undefined;
  const draftTokens = settings.speculativeDraftTokens;
  return {
    topk,
    tokens: treeTokensOf({ method, k, policy: 'fixed', topk, ...(draftTokens ? { draftTokens } : {}) }),
  };
}

/**
 * vLLM's `speculative_token_tree` for a tree: the nodes ServeTune's tree of that depth, width and size
 * holds under the method's default acceptance (each node as the path of sibling ranks leading to it).
 */
function vllmTokenTree(method: SpeculationMethod, k: number, topk: number, tokens: number): string {
  const tree = buildDraftTree(acceptanceRates({ method, k, policy: 'fixed' }), k, topk, tokens);
  return `[${treePaths(tree)
    .map((path) => `(${path.join(', ')}${path.length === 1 ? ',' : ''})`)
    .join(', ')}]`;
}

/** `[(0,), (0, 1)]` (a Python list of tuples, as vLLM takes it) as paths; undefined where it is not one. */
function parseTokenTree(text: string): number[][] | undefined {
  try {
    const json = text
      .replace(/\(/g, '[')
      .replace(/\)/g, ']')
      .replace(/,\s*\]/g, ']');
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
    const ok = parsed.every(
      (p) => Array.isArray(p) && p.length > 0 && p.every((r) => Number.isInteger(r) && r >= 0),
    );
    return ok ? (parsed as number[][]) : undefined;
  } catch {
    return undefined;
  }
}

/** vLLM drafts trees with its EAGLE proposer (EAGLE, EAGLE-3, MTP). */
const VLLM_TREE_METHODS: readonly SpeculationMethod[] = ['eagle', 'eagle3', 'mtp'];

/** vLLM method names (0.10: MTP is `deepseek_mtp`; later versions also take `mtp` and other `*_mtp`). */
const VLLM_METHODS: readonly (readonly [string, SpeculationMethod])[] = [
  ['eagle', 'eagle'],
  ['eagle3', 'eagle3'],
  ['deepseek_mtp', 'mtp'],
  ['mtp', 'mtp'],
  ['ngram', 'ngram'],
  ['draft_model', 'draft-model'],
];

function vllmMethodOf(word: string): SpeculationMethod | undefined {
  const found = VLLM_METHODS.find(([w]) => w === word)?.[1];
  return found ?? (word.endsWith('_mtp') ? 'mtp' : undefined);
}

/** `--speculative-config '{"method": "eagle3", "model": …, "num_speculative_tokens": 3}'`. */
export const vllmSpeculativeConfig: Knob = {
  id: 'speculative-config',
  flag: '--speculative-config',
  kind: 'value',
  type: 'string',
  settings: SETTINGS,
  defaultText: 'none',
  doc: 'Speculative decoding as JSON: method, draft model, num_speculative_tokens.',
  read(raw: KnobValue) {
    let parsed: unknown;
    try {
      parsed = typeof raw === 'string' ? JSON.parse(raw) : undefined;
    } catch {
      return `expected JSON, got '${String(raw)}'`;
    }
    if (typeof parsed !== 'object' || parsed === null) return 'expected a JSON object';
    const o = parsed as Record<string, unknown>;
    const tokens = o.num_speculative_tokens;
    if (typeof tokens !== 'number' || !Number.isInteger(tokens) || tokens < 1)
      return 'num_speculative_tokens must be a positive integer';
    const model = typeof o.model === 'string' && o.model !== '' ? o.model : undefined;
    // Without a method, a draft model is implied (vLLM reads the method from the draft's config).
    const method = typeof o.method === 'string' ? vllmMethodOf(o.method) : model ? 'draft-model' : undefined;
    if (!method)
      return `method '${String(o.method)}' is not modelled (eagle, eagle3, mtp, ngram, draft_model)`;
    if (o.speculative_token_tree === undefined || o.speculative_token_tree === null)
      return settingsOf(method, tokens, model);
    const paths =
      typeof o.speculative_token_tree === 'string' ? parseTokenTree(o.speculative_token_tree) : undefined;
    if (!paths) return 'speculative_token_tree must be a list of node paths like [(0,), (1,), (0, 0)]';
    if (paths.length !== tokens)
      return 'num_speculative_tokens must be the number of nodes in speculative_token_tree';
    const shape = treeShapeOfPaths(paths);
    return {
      ...settingsOf(method, shape.depth, model),
      speculativeTopK: shape.topk,
      speculativeDraftTokens: shape.tokens,
    };
  },
  write(settings) {
    const { speculativeMethod: method, speculativeTokens: k, speculativeDraftModel: model } = settings;
    if (!method || !k) return undefined;
    const word = method === 'mtp' ? 'deepseek_mtp' : method === 'draft-model' ? 'draft_model' : method;
    const tree = VLLM_TREE_METHODS.includes(method) ? treeOf(settings) : undefined;
    const config: Record<string, unknown> = {
      method: word,
      num_speculative_tokens: tree ? tree.tokens - 1 : k,
    };
    if (tree) config.speculative_token_tree = vllmTokenTree(method, k, tree.topk, tree.tokens);
    if (model) config.model = model;
    if (method === 'ngram') config.prompt_lookup_max = 4;
    return JSON.stringify(config);
  },
};

function settingsOf(
  method: SpeculationMethod,
  tokens: number,
  model: string | undefined,
): PartialServingSettings {
  return {
    speculativeMethod: method,
    speculativeTokens: tokens,
    ...(model ? { speculativeDraftModel: model } : {}),
  };
}

const SGLANG_ALGORITHMS: readonly (readonly [string, SpeculationMethod])[] = [
  ['EAGLE', 'eagle'],
  ['EAGLE3', 'eagle3'],
  ['NEXTN', 'mtp'],
  ['NGRAM', 'ngram'],
  ['STANDALONE', 'draft-model'],
];

function sglangValueKnob(
  flag: string,
  doc: string,
  settings: readonly (typeof SETTINGS)[number][],
  read: (raw: KnobValue) => PartialServingSettings | string,
  write: (s: PartialServingSettings) => string | undefined,
): Knob {
  return { id: normalizeName(flag), flag, kind: 'value', type: 'string', settings, doc, read, write };
}

/** SGLang's four flags; `--speculative-num-draft-tokens` and `--speculative-eagle-topk` follow a chain of k. */
export const sglangSpeculationKnobs: readonly Knob[] = [
  sglangValueKnob(
    '--speculative-algorithm',
    'Speculative decoding algorithm: EAGLE, EAGLE3, NEXTN (MTP), STANDALONE (a draft model), NGRAM.',
    ['speculativeMethod'],
    (raw) => {
      const word = String(raw).trim().toUpperCase();
      const method = SGLANG_ALGORITHMS.find(([w]) => w === word)?.[1];
      return method ? { speculativeMethod: method } : `algorithm '${String(raw)}' is not modelled`;
    },
    (s) => SGLANG_ALGORITHMS.find(([, m]) => m === s.speculativeMethod)?.[0],
  ),
  sglangValueKnob(
    '--speculative-num-steps',
    'Draft steps per verification (the chain depth).',
    ['speculativeTokens'],
    integerAtLeast(1, (n) => ({ speculativeTokens: n })),
    (s) => (s.speculativeMethod && s.speculativeTokens ? String(s.speculativeTokens) : undefined),
  ),
  sglangValueKnob(
    '--speculative-eagle-topk',
    'Branching of the draft tree: candidates per drafted token; 1 drafts a chain.',
    ['speculativeTopK'],
    integerAtLeast(1, (n) => ({ speculativeTopK: n })),
    (s) =>
      s.speculativeMethod && s.speculativeTokens && s.speculativeMethod !== 'ngram'
        ? String(treeOf(s)?.topk ?? 1)
        : undefined,
  ),
  sglangValueKnob(
    '--speculative-num-draft-tokens',
    "Tokens verified per step: steps + 1 for a chain, the tree's size for a tree.",
    ['speculativeDraftTokens'],
    integerAtLeast(2, (n) => ({ speculativeDraftTokens: n })),
    (s) =>
      s.speculativeMethod && s.speculativeTokens
        ? String(treeOf(s)?.tokens ?? s.speculativeTokens + 1)
        : undefined,
  ),
  sglangValueKnob(
    '--speculative-draft-model-path',
    'The draft model or EAGLE head checkpoint.',
    ['speculativeDraftModel'],
    (raw) => (String(raw).trim() ? { speculativeDraftModel: String(raw).trim() } : 'expected a path'),
    (s) => (s.speculativeMethod ? s.speculativeDraftModel : undefined),
  ),
];

const TRTLLM_TYPES: readonly (readonly [string, SpeculationMethod])[] = [
  ['Eagle3', 'eagle3'],
  ['Eagle', 'eagle'],
  ['MTP', 'mtp'],
  ['NGram', 'ngram'],
  ['DraftTarget', 'draft-model'],
];

function trtllmYamlKnob(
  path: readonly string[],
  doc: string,
  settings: readonly (typeof SETTINGS)[number][],
  read: (raw: KnobValue) => PartialServingSettings | string,
  write: (s: PartialServingSettings) => string | undefined,
  type: 'int' | 'string' | 'bool' = 'string',
): Knob {
  return {
    id: normalizeName(path.join('.')),
    yamlPath: path,
    kind: 'value',
    type,
    settings,
    doc,
    read,
    write,
  };
}

/** A reader of an integer value of at least `min`, into the settings `toSettings` makes of it. */
function integerAtLeast(
  min: number,
  toSettings: (n: number) => PartialServingSettings,
): (raw: KnobValue) => PartialServingSettings | string {
  return (raw) => {
    const n = parseInteger(raw);
    return n !== undefined && n >= min ? toSettings(n) : `expected an integer ≥ ${min}, got '${String(raw)}'`;
  };
}

const draftLength = integerAtLeast(1, (n) => ({ speculativeTokens: n }));

/** TensorRT-LLM's `speculative_config` block (MTP's depth is `num_nextn_predict_layers`). */
export const trtllmSpeculationKnobs: readonly Knob[] = [
  trtllmYamlKnob(
    ['speculative_config', 'decoding_type'],
    'Speculative decoding: Eagle, Eagle3, MTP, NGram, DraftTarget.',
    ['speculativeMethod'],
    (raw) => {
      const word = String(raw).trim().toLowerCase();
      const method = TRTLLM_TYPES.find(([w]) => w.toLowerCase() === word)?.[1];
      return method ? { speculativeMethod: method } : `decoding type '${String(raw)}' is not modelled`;
    },
    (s) => TRTLLM_TYPES.find(([, m]) => m === s.speculativeMethod)?.[0],
  ),
  trtllmYamlKnob(
    ['speculative_config', 'max_draft_len'],
    'Draft tokens per step.',
    ['speculativeTokens'],
    draftLength,
    (s) =>
      s.speculativeMethod && s.speculativeMethod !== 'mtp' && s.speculativeTokens
        ? String(s.speculativeTokens)
        : undefined,
    'int',
  ),
  trtllmYamlKnob(
    ['speculative_config', 'num_nextn_predict_layers'],
    'MTP: draft tokens per step.',
    ['speculativeTokens'],
    draftLength,
    (s) => (s.speculativeMethod === 'mtp' && s.speculativeTokens ? String(s.speculativeTokens) : undefined),
    'int',
  ),
  trtllmYamlKnob(
    ['speculative_config', 'use_dynamic_tree'],
    'EAGLE-3: draft a dynamic tree (dynamic_tree_max_topK candidates per token) instead of a chain.',
    ['speculativeTopK'],
    (raw) => (raw === true || String(raw) === 'true' ? {} : { speculativeTopK: 1 }),
    (s) => (s.speculativeMethod === 'eagle3' && treeOf(s) ? 'true' : undefined),
    'bool',
  ),
  trtllmYamlKnob(
    ['speculative_config', 'dynamic_tree_max_topK'],
    'Dynamic tree: candidates per drafted token.',
    ['speculativeTopK'],
    integerAtLeast(1, (n) => ({ speculativeTopK: n })),
    (s) => (s.speculativeMethod === 'eagle3' ? treeOf(s)?.topk.toString() : undefined),
    'int',
  ),
  trtllmYamlKnob(
    ['speculative_config', 'max_total_draft_tokens'],
    "Dynamic tree: drafted tokens verified per step (the tree's nodes).",
    ['speculativeDraftTokens'],
    integerAtLeast(1, (n) => ({ speculativeDraftTokens: n + 1 })),
    (s) => {
      const tree = s.speculativeMethod === 'eagle3' ? treeOf(s) : undefined;
      return tree ? String(tree.tokens - 1) : undefined;
    },
    'int',
  ),
  trtllmYamlKnob(
    ['speculative_config', 'speculative_model_dir'],
    'The draft model or EAGLE head checkpoint.',
    ['speculativeDraftModel'],
    (raw) => (String(raw).trim() ? { speculativeDraftModel: String(raw).trim() } : 'expected a path'),
    (s) => (s.speculativeMethod ? s.speculativeDraftModel : undefined),
  ),
];
