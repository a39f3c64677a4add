import { sampleLength } from './distributions.js';
import type { Rng } from './rng.js';
import type { SyntheticWorkload } from './spec.js';
import { SYNTHETIC_HASH_BLOCK_TOKENS, type WorkloadRequest } from './types.js';

/** Hash ids of one stream (`+` part) of a mix live apart: part k's ids start at k · 2^44. */
const PART_SPAN = 2 ** 44;
/** A template's block j has id base + template · 2^20 + j; a request's own blocks count from base + 2^41. */
const TEMPLATE_SPAN = 2 ** 20;
const OWN_BASE = 2 ** 41;

/**
 * Draws the shared prefixes and sessions of one stream of a synthetic workload: which requests carry
 * a system prompt (and which template), and each session's later turns, with prefix hash ids of
 * `SYNTHETIC_HASH_BLOCK_TOKENS` tokens each so the prefix cache and cache-aware routing see them.
 * Its draws come from a stream of their own, so a spec without these keys draws what it always did.
 */
export class PrefixDrawer {
  private readonly base: number;
  private nextOwn: number;
  /** Session ids, apart per stream: part k's from k · 2^32. */
  private sessions: number;

  constructor(
    private readonly w: SyntheticWorkload,
    private readonly rng: Rng,
    part: number,
  ) {
    this.base = part * PART_SPAN;
    this.nextOwn = this.base + OWN_BASE;
    this.sessions = part * 2 ** 32;
  }

  /** Whether requests of this stream need anything drawn here. */
  static needed(w: SyntheticWorkload): boolean {
    return w.systemTokens !== undefined || w.turns !== undefined;
  }

  /**
   * The requests started at `arrival` with a drawn user prompt and output: one, or a session's turns.
   * Each has the stream's class and priority.
   */
  start(arrival: number, userPrompt: number, output: number): WorkloadRequest[] {
    const w = this.w;
    const hashes: number[] = [];
    let prompt = userPrompt;
    if (w.systemTokens !== undefined && this.rng.next() < w.sharedFraction) {
      const template = Math.floor(this.rng.next() * w.templates);
      const full = Math.floor(w.systemTokens / SYNTHETIC_HASH_BLOCK_TOKENS);
      for (let j = 0; j < full; j++) hashes.push(this.base + template * TEMPLATE_SPAN + j);
      prompt = Math.min(w.maxLength, prompt + w.systemTokens);
    }
    if (w.turns === undefined)
      return [{ arrival, promptTokens: prompt, outputTokens: output, hashIds: hashes }];
    return this.session(arrival, prompt, output, hashes);
  }

  /**
   * A session's turns, each with the session's start as arrival (a later turn is sent when the one before
   * it is answered, `thinkSeconds` later): each prompt is the previous prompt and answer plus a new message or tool result. */
  private session(arrival: number, prompt: number, output: number, prefix: number[]): WorkloadRequest[] {
    const w = this.w;
    const session = this.sessions++;
    const turns = sampleLength(w.turns!, this.rng);
    const requests: WorkloadRequest[] = [];
    let hashes = this.extend(prefix, prompt);
    requests.push({ arrival, promptTokens: prompt, outputTokens: output, hashIds: hashes, session, turn: 0 });
    for (let turn = 1; turn < turns; turn++) {
      const tool = this.rng.next() < w.toolShare;
      const think = sampleLength(tool ? w.toolPause : w.think, this.rng);
      const next = prompt + output + sampleLength(w.prompt, this.rng, w.maxLength);
      const answer = sampleLength(w.output, this.rng, w.maxLength);
      if (next + answer > w.maxLength) break;
      hashes = this.extend(hashes, next);
      requests.push({
        arrival,
        promptTokens: next,
        outputTokens: answer,
        hashIds: hashes,
        session,
        turn,
        thinkSeconds: think,
      });
      prompt = next;
      output = answer;
    }
    return requests;
  }

  /** `hashes` extended with new ids to cover every full block of a `tokens`-token prompt. */
  private extend(hashes: readonly number[], tokens: number): number[] {
    const out = hashes.slice();
    const full = Math.floor(tokens / SYNTHETIC_HASH_BLOCK_TOKENS);
    while (out.length < full) out.push(this.nextOwn++);
    return out;
  }
}
