import { z } from 'zod';
import type { ModelSpec } from '../model/spec.js';
import { ServeTuneError } from '../util/errors.js';

/**
 * Speculative decoding as the model stage sees it: which drafter proposes tokens, how many per step,
 * how often the target accepts them, and what that costs. The simulator (sim/speculation.ts) runs it.
 */

export const SpeculationMethod = z.enum(['draft-model', 'eagle', 'eagle3', 'mtp', 'ngram']);
export type SpeculationMethod = z.infer<typeof SpeculationMethod>;

/** Most speculative tokens per step the simulator takes (engines' own limits are of this order). */
export const MAX_SPECULATIVE_TOKENS = 16;
/** Most tokens a draft tree verifies per sequence (SGLang's EAGLE-2 presets go to 64). */
export const MAX_TREE_TOKENS = 128;

/**
 * Acceptance: one rate for every position (i.i.d.), or per-position rates (the chance position i is
 * accepted given that every earlier one was), the last repeated for positions beyond the table.
 */
export const SpecAcceptance = z.union([
  z.number().gt(0).lt(1),
  z.array(z.number().gt(0).lt(1)).min(1).max(MAX_SPECULATIVE_TOKENS),
]);
export type SpecAcceptance = z.infer<typeof SpecAcceptance>;

export const SpeculationConfig = z.object({
  method: SpeculationMethod,
  /** Speculative tokens per step (with `policy: 'adaptive'`, the most a step may take). */
  k: z.number().int().min(1).max(MAX_SPECULATIVE_TOKENS),
  /**
   * Fixed: every decode drafts k tokens. Adaptive: each step takes the k (0..k) its batch serves best.
   * Per-request: each request drafts the k its own observed acceptance pays for at the step's batch.
   */
  policy: z.enum(['fixed', 'adaptive', 'per-request']).default('fixed'),
  /** Tree drafting: candidates per drafted token (EAGLE's top-k); absent or 1: a chain of k. */
  topk: z.number().int().min(1).max(MAX_SPECULATIVE_TOKENS).optional(),
  /**
   * Tree drafting: tokens verified per sequence, the target's own included (SGLang's
   * `--speculative-num-draft-tokens`); default 1 + topk·k. A chain verifies k + 1.
   */
  draftTokens: z.number().int().min(2).max(MAX_TREE_TOKENS).optional(),
  /** Default: the method's published rate (DEFAULT_ACCEPTANCE). */
  acceptance: SpecAcceptance.optional(),
  /** `draft-model`: the draft (a catalog id); default one of the target's family (DEFAULT_DRAFTS). */
  draftModel: z.string().optional(),
});
export type SpeculationConfig = z.output<typeof SpeculationConfig>;
export type SpeculationConfigInput = z.input<typeof SpeculationConfig>;

/**
 * Per-position acceptance by method, from published measurements (sources in docs/speculation.md):
 * EAGLE chain drafting 0.75 (EAGLE paper, 0-α to 4-α of 0.71-0.79); EAGLE-3 0.8 (its acceptance
 * lengths of 5-6.5 tokens with drafts of 7-8); DeepSeek-V3's MTP 0.85 for the first position (the
 * technical report: 85-90%), then lower for positions the head drafts from its own guesses (an
 * assumption, stated in the docs); a draft model 0.7 (speculative decoding papers' 0.6-0.8 for a
 * same-family small model); n-gram prompt lookup 0.5 (strongly workload dependent; an assumption).
 */
export const DEFAULT_ACCEPTANCE: Readonly<Record<SpeculationMethod, SpecAcceptance>> = {
  'draft-model': 0.7,
  eagle: 0.75,
  eagle3: 0.8,
  mtp: [0.85, 0.75, 0.65],
  ngram: 0.5,
};

/** Draft models for a target family (same tokenizer), by the target's id prefix. */
const DEFAULT_DRAFTS: readonly [string, string][] = [
  ['llama-3', 'llama-3.2-1b'],
  ['qwen3', 'qwen3-0.6b'],
  ['qwen2.5', 'qwen2.5-7b'],
];

export function defaultDraftModelId(target: ModelSpec): string | undefined {
  return DEFAULT_DRAFTS.find(([prefix]) => target.id.startsWith(prefix))?.[1];
}

/** Tokens one sequence verifies per step at full draft: k + 1 for a chain, the tree's size for a tree. */
export function treeTokensOf(config: SpeculationConfig): number {
  if ((config.topk ?? 1) <= 1) return config.k + 1;
  return Math.min(config.draftTokens ?? 1 + config.topk! * config.k, MAX_TREE_TOKENS);
}

/** Per-position acceptance rates for positions 1..k. */
export function acceptanceRates(config: SpeculationConfig): Float64Array {
  const given = config.acceptance ?? DEFAULT_ACCEPTANCE[config.method];
  const rates = new Float64Array(config.k);
  for (let i = 0; i < config.k; i++) {
    rates[i] = typeof given === 'number' ? given : given[Math.min(i, given.length - 1)];
  }
  return rates;
}

/**
 * Tokens one verification step emits on average with `k` drafted: the accepted prefix plus the
 * target's own token, 1 + Σᵢ Πⱼ≤ᵢ αⱼ; for one rate α, (1 − α^(k+1)) / (1 − α).
 */
export function expectedTokensPerStep(rates: Float64Array, k: number): number {
  let tokens = 1;
  let reach = 1;
  for (let i = 0; i < k && i < rates.length; i++) {
    reach *= rates[i];
    tokens += reach;
  }
  return tokens;
}

/** Why speculation cannot run on `target` (empty when it can). */
export function speculationProblems(config: SpeculationConfig, target: ModelSpec): string[] {
  if (config.method === 'mtp' && !(target.mtpLayers && target.mtpLayers > 0)) {
    return [`MTP speculation needs multi-token-prediction layers; ${target.name} has none`];
  }
  if (config.method === 'draft-model' && !config.draftModel && !defaultDraftModelId(target)) {
    return [`no default draft model for ${target.name}: name one (draft=<model id>)`];
  }
  if ((config.topk ?? 1) > 1 && config.method === 'ngram') {
    return ['n-gram lookup drafts a chain: topk must be 1'];
  }
  if ((config.topk ?? 1) > 1 && config.policy !== 'fixed') {
    return [`tree drafting (topk ${config.topk}) runs with a fixed tree: policy must be fixed`];
  }
  return [];
}

/** The fields of the CLI form after `<method>:`, in the order its help lists them. */
export const SPECULATION_FIELDS = ['k', 'policy', 'topk', 'tokens', 'draft', 'acceptance'] as const;

/**
 * Parses the CLI form `<method>:k=<n>[,policy=adaptive][,draft=<model>][,acceptance=<a>[/<a2>…]]`
 * (`eagle3:k=3`, `mtp:k=2`, `draft-model:k=4,draft=llama-3.2-1b`); `where` names the option.
 */
export function parseSpeculation(text: string, where: string): SpeculationConfig {
  const [method, rest = ''] = text.split(':', 2);
  const parsedMethod = SpeculationMethod.safeParse(method.trim());
  if (!parsedMethod.success) {
    throw new ServeTuneError(
      `${where}: unknown speculation method '${method}' (one of ${SpeculationMethod.options.join(', ')})`,
      'invalid-argument',
      where,
    );
  }
  const fields: Record<string, string> = {};
  for (const part of rest.split(',').filter((p) => p.trim() !== '')) {
    const [key, value] = part.split('=', 2).map((s) => s.trim());
    if (!value) throw new ServeTuneError(`${where}: '${part}' is not key=value`, 'invalid-argument', where);
    fields[key] = value;
  }
  const known = new Set<string>(SPECULATION_FIELDS);
  for (const key of Object.keys(fields)) {
    if (!known.has(key))
      throw new ServeTuneError(
        `${where}: unknown field '${key}' (${SPECULATION_FIELDS.join(', ')})`,
        'invalid-argument',
        where,
      );
  }
  const input: SpeculationConfigInput = {
    method: parsedMethod.data,
    k: fields.k === undefined ? Number.NaN : Number(fields.k),
    ...(fields.policy ? { policy: fields.policy as SpeculationConfig['policy'] } : {}),
    ...(fields.topk ? { topk: Number(fields.topk) } : {}),
    ...(fields.tokens ? { draftTokens: Number(fields.tokens) } : {}),
    ...(fields.draft ? { draftModel: fields.draft } : {}),
    ...(fields.acceptance ? { acceptance: parseAcceptance(fields.acceptance, where) } : {}),
  };
  const parsed = SpeculationConfig.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServeTuneError(
      `${where}: ${issue.path.join('.') || 'value'}: ${issue.message} (e.g. eagle3:k=3)`,
      'invalid-argument',
      where,
    );
  }
  return parsed.data;
}

/** `0.8` (every position) or `0.9/0.8/0.7` (per position); `where` names the option. */
export function parseAcceptance(text: string, where: string): SpecAcceptance {
  const values = text.split('/').map((s) => Number(s.trim()));
  const parsed = SpecAcceptance.safeParse(values.length === 1 ? values[0] : values);
  if (!parsed.success) {
    throw new ServeTuneError(
      `${where}: acceptance must be a rate in (0, 1) or per-position rates like 0.9/0.8/0.7, got '${text}'`,
      'invalid-argument',
      where,
    );
  }
  return parsed.data;
}

/** The short form of a speculation setting, as the CLI takes it back. */
export function describeSpeculation(config: SpeculationConfig): string {
  const parts = [`k=${config.k}`];
  if (config.policy !== 'fixed') parts.push(`policy=${config.policy}`);
  if ((config.topk ?? 1) > 1) parts.push(`topk=${config.topk}`, `tokens=${treeTokensOf(config)}`);
  if (config.draftModel) parts.push(`draft=${config.draftModel}`);
  if (config.acceptance !== undefined) {
    parts.push(
      `acceptance=${typeof config.acceptance === 'number' ? config.acceptance : config.acceptance.join('/')}`,
    );
  }
  return `${config.method}:${parts.join(',')}`;
}

/** Published EAGLE heads by target id (the authors' checkpoints engines' docs use). */
const EAGLE_HEADS: Readonly<Record<string, Partial<Record<'eagle' | 'eagle3', string>>>> = {
  'llama-3.1-8b': {
    eagle: 'yuhuili/EAGLE-LLaMA3.1-Instruct-8B',
    eagle3: 'yuhuili/EAGLE3-LLaMA3.1-Instruct-8B',
  },
  'llama-3.1-70b': {
    eagle: 'yuhuili/EAGLE-LLaMA3-Instruct-70B',
    eagle3: 'yuhuili/EAGLE3-LLaMA3.3-Instruct-70B',
  },
  'llama-3.3-70b': { eagle3: 'yuhuili/EAGLE3-LLaMA3.3-Instruct-70B' },
};

/**
 * The checkpoint an engine loads as the drafter, where one is needed and known: the named or default
 * draft model's repository, or a published EAGLE head; undefined for MTP and n-gram (nothing to load)
 * and for heads ServeTune knows none of (the user names it).
 */
export function draftCheckpointOf(
  config: SpeculationConfig,
  target: ModelSpec,
  repositoryOf: (modelId: string) => string | undefined,
): string | undefined {
  if (config.method === 'draft-model') {
    const id = config.draftModel ?? defaultDraftModelId(target);
    return id ? (repositoryOf(id) ?? id) : undefined;
  }
  if (config.method === 'eagle' || config.method === 'eagle3') {
    return config.draftModel ?? EAGLE_HEADS[target.id]?.[config.method];
  }
  return undefined;
}
