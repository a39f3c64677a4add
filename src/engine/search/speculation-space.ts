import type { PartialServingSettings } from '../config/serving-settings.js';
import { findModel } from '../model/catalog.js';
import type { ModelSpec } from '../model/spec.js';
import {
  describeSpeculation,
  MAX_SPECULATIVE_TOKENS,
  MAX_TREE_TOKENS,
  type SpeculationConfig,
} from '../perf/speculation.js';
import type { Candidate, CandidateBody, EvaluatedConfiguration, Pool } from './schema.js';
import { candidateId } from './space.js';

/** The k the coarse stage tries; refinement walks it one step each way over SEARCH_K. */
const COARSE_K = 3;
const SEARCH_K = [1, 2, 3, 4, 5, 6] as const;

/**
 * The drafter a search tries for a model: its own MTP layers where it has them (DeepSeek-V3/R1), else
 * an EAGLE-3 head (the method engines ship heads for most widely).
 */
export function searchMethodFor(model: ModelSpec): SpeculationConfig['method'] {
  return model.mtpLayers && model.mtpLayers > 0 ? 'mtp' : 'eagle3';
}

const make = (body: CandidateBody): Candidate => ({ ...body, id: candidateId(body) });

/** The pool that decodes: speculation belongs to it. */
function withDecodeSpeculation(candidate: Candidate, speculation: SpeculationConfig | undefined): Candidate {
  const set = (pool: Pool): Pool => {
    const { speculation: _, ...rest } = pool;
    return speculation ? { ...rest, speculation } : rest;
  };
  return candidate.kind === 'colocated'
    ? make({ kind: 'colocated', pool: set(candidate.pool) })
    : make({ kind: 'disaggregated', prefill: candidate.prefill, decode: set(candidate.decode) });
}

export function decodeSpeculation(candidate: Candidate): SpeculationConfig | undefined {
  return candidate.kind === 'colocated' ? candidate.pool.speculation : candidate.decode.speculation;
}

/** The coarse stage's speculative twin of each candidate: the model's drafter at k = 3. */
export function speculativeCandidates(candidates: readonly Candidate[], model: ModelSpec): Candidate[] {
  const speculation: SpeculationConfig = { method: searchMethodFor(model), k: COARSE_K, policy: 'fixed' };
  return candidates.map((c) => withDecodeSpeculation(c, speculation));
}

/**
 * Speculation's neighbours of a candidate (the refinement stage): without speculation, the model's
 * drafter at the coarse k; with it, k one step each way, the adaptive policy, and speculation off.
 */
export function speculationNeighbours(candidate: Candidate, model: ModelSpec): Candidate[] {
  const current = decodeSpeculation(candidate);
  if (!current) {
    return [
      withDecodeSpeculation(candidate, { method: searchMethodFor(model), k: COARSE_K, policy: 'fixed' }),
    ];
  }
  const out: Candidate[] = [withDecodeSpeculation(candidate, undefined)];
  const i = SEARCH_K.indexOf(current.k as (typeof SEARCH_K)[number]);
  for (const k of [SEARCH_K[i - 1], SEARCH_K[i + 1]]) {
    if (k !== undefined) out.push(withDecodeSpeculation(candidate, { ...current, k }));
  }
  if (current.policy === 'fixed')
    out.push(withDecodeSpeculation(candidate, { ...current, policy: 'adaptive' }));
  return out;
}

const rateText = (r: number | null) => (r === null ? 'no rate' : `${r.toFixed(2)} req/s`);

/**
 * Why the search did or did not choose speculation: the best configuration with it against the best
 * without, by the highest rate under the SLOs (then throughput per GPU at the search rate).
 */
export function explainSpeculation(configurations: readonly EvaluatedConfiguration[]): string {
  const rank = (a: EvaluatedConfiguration, b: EvaluatedConfiguration) =>
    (b.maxRateUnderSlo ?? -1) - (a.maxRateUnderSlo ?? -1) ||
    b.metrics.throughputPerGpu - a.metrics.throughputPerGpu;
  const speculative = configurations.filter((c) => decodeSpeculation(c.candidate)).sort(rank)[0];
  const plain = configurations.filter((c) => !decodeSpeculation(c.candidate)).sort(rank)[0];
  if (!speculative) return 'speculation: no speculative configuration was evaluated';
  const setting = describeSpeculation(decodeSpeculation(speculative.candidate)!);
  const best = configurations.find((c) => c.best);
  const chosen = best !== undefined && decodeSpeculation(best.candidate) !== undefined;
  const compare = plain
    ? `${rateText(speculative.maxRateUnderSlo)} under the SLOs against ${rateText(plain.maxRateUnderSlo)} without; TPOT p90 ${(1e3 * speculative.metrics.tpot.p90).toFixed(1)} ms against ${(1e3 * plain.metrics.tpot.p90).toFixed(1)} ms at the search rate`
    : rateText(speculative.maxRateUnderSlo);
  if (chosen) {
    return `speculation chosen (${setting}): the best speculative configuration serves ${compare}. Drafting pays where batches are small enough that verifying k + 1 tokens costs about one decode.`;
  }
  return `speculation not chosen: the best speculative configuration (${setting}) serves ${compare}. ${plain ? whyNotChosen(speculative, plain) : ''}`.trimEnd();
}

/**
 * Why speculation lost to `plain`: its tokens came slower (verification costs more than the accepted
 * tokens save at these batches, or the drafter's memory left too little KV cache), or faster but in
 * bursts whose gaps the SLO's token-gap target counts whole.
 */
function whyNotChosen(speculative: EvaluatedConfiguration, plain: EvaluatedConfiguration): string {
  const s = speculative.metrics;
  const p = plain.metrics;
  const percent = (x: number) => `${(100 * x).toFixed(0)}%`;
  if (s.tpot.p90 < p.tpot.p90 && s.attainment < p.attainment) {
    return `Its tokens come faster on average but several at once: each verification is one gap between tokens, longer than a decode step, and the SLO's token-gap target counts that gap whole (${percent(s.attainment)} of requests within the targets against ${percent(p.attainment)} at the search rate). A looser tbt, or a smaller k, favours it.`;
  }
  return "At these batch sizes verifying k + 1 tokens per sequence costs more than the accepted tokens save, or the drafter's memory leaves too little KV cache.";
}

/**
 * The speculation a serving file's settings ask for, as the simulator runs it (undefined: none). A draft
 * model's checkpoint maps to the catalog entry it is, else the target's default draft stands in.
 */
export function speculationFromSettings(settings: PartialServingSettings): SpeculationConfig | undefined {
  const { speculativeMethod: method, speculativeTokens: k, speculativeDraftModel: draft } = settings;
  if (!method) return undefined;
  const draftModel = method === 'draft-model' && draft ? findModel(draft)?.id : undefined;
  // A top-k above 1 drafts a tree of the given size; 1 (or none) a chain, whatever tokens it names.
  const topk = Math.min(settings.speculativeTopK ?? 1, MAX_SPECULATIVE_TOKENS);
  const tree =
    topk > 1 && method !== 'ngram'
      ? {
          topk,
          ...(settings.speculativeDraftTokens
            ? { draftTokens: Math.min(Math.max(settings.speculativeDraftTokens, 2), MAX_TREE_TOKENS) }
            : {}),
        }
      : {};
  return {
    method,
    k: Math.min(k ?? 1, MAX_SPECULATIVE_TOKENS),
    policy: 'fixed',
    ...tree,
    ...(draftModel ? { draftModel } : {}),
  };
}
