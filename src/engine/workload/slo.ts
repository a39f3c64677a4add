import { z } from 'zod';
import { ServeTuneError } from '../util/errors.js';

// Latency targets (SLOs) and the one grammar every front end reads them in: `--slo` of search, tune,
// simulate and bench, and servetune.json's "slo". The simulator counts goodput against any of them; the
// search and the tuner rank by any of ttft, tbt and tpot. Each caller says which it takes.

/** A latency target, seconds. */
export const SloSeconds = z.number().positive().finite();

/** Latency targets, seconds; a request meets them when every given target holds (vLLM's goodput). */
export const SloTargets = z.object({
  /** Time to first token. */
  ttft: SloSeconds.optional(),
  /** Mean time per output token after the first. */
  tpot: SloSeconds.optional(),
  /** The request's largest gap between two tokens (time between tokens). */
  tbt: SloSeconds.optional(),
  /** End to end: arrival to last token. */
  e2e: SloSeconds.optional(),
});
export type SloTargets = z.infer<typeof SloTargets>;
export type SloTargetName = keyof SloTargets;

/** Another name a target is known by: vLLM's benchmark calls the time between tokens ITL. */
const ALIASES: Readonly<Record<string, SloTargetName>> = { itl: 'tbt' };
const TARGET_NAMES: readonly SloTargetName[] = ['ttft', 'tpot', 'tbt', 'e2e'];

/** Which targets a caller takes (at least one of them must be given); `example` shows a form it accepts. */
export interface SloTargetRules {
  allowed: readonly SloTargetName[];
  example: string;
}

/**
 * The targets the search and the tuner rank by: any of ttft, tbt and tpot, alone or together. An absent
 * target is unconstrained: batch and RAG users often have only a TTFT target, chat streaming only TBT.
 */
export const RANKING_SLO_RULES: SloTargetRules = {
  allowed: ['ttft', 'tbt', 'tpot'],
  example: 'ttft=2,tbt=0.1',
};

/** The targets goodput counts against: any of them. */
export const GOODPUT_SLO_RULES: SloTargetRules = {
  allowed: TARGET_NAMES,
  example: 'ttft=0.5,tpot=0.05',
};

/** Whether targets give at least one that the search and the tuner rank by. */
export function hasRankingTarget(targets: SloTargets): boolean {
  return RANKING_SLO_RULES.allowed.some((name) => targets[name] !== undefined);
}

/** The form a caller's targets take, e.g. `one or more of ttft=<s>,tbt=<s>,tpot=<s>`. */
export function sloTargetForm(rules: SloTargetRules): string {
  return `one or more of ${rules.allowed.map((name) => `${name}=<s>`).join(',')}`;
}

/** `got` is the part at fault, or the whole value where no one part is. */
function fail(flag: string, problem: string, got: string, rules: SloTargetRules): never {
  throw new ServeTuneError(
    `${flag}: ${problem}; expected ${sloTargetForm(rules)}, got '${got}' (seconds, or milliseconds with ms, e.g. ${rules.example})`,
    'invalid-argument',
    flag,
  );
}

/** `2`, `0.5`, `.1`, `1e-1`, with an optional `s` or `ms` unit. */
const VALUE = /^((?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(ms|s)?$/i;

function parseTarget(
  part: string,
  rules: SloTargetRules,
  flag: string,
): { name: SloTargetName; seconds: number } {
  const equals = part.indexOf('=');
  if (equals < 0) fail(flag, 'not <target>=<seconds>', part, rules);
  const key = part.slice(0, equals).trim().toLowerCase();
  const name = ALIASES[key] ?? (TARGET_NAMES as readonly string[]).find((n) => n === key);
  if (name === undefined || !rules.allowed.includes(name as SloTargetName)) {
    fail(flag, `'${key}' is not a target here (${rules.allowed.join(', ')})`, part, rules);
  }
  const text = part.slice(equals + 1).trim();
  const match = VALUE.exec(text);
  if (!match) fail(flag, `'${text}' is not a number of seconds`, part, rules);
  const seconds = Number(match[1]) * (match[2]?.toLowerCase() === 'ms' ? 1e-3 : 1);
  if (!Number.isFinite(seconds)) fail(flag, `${match[1]} is too large`, part, rules);
  if (!(seconds > 0)) fail(flag, 'a target must be more than 0 seconds', part, rules);
  return { name: name as SloTargetName, seconds };
}

/**
 * Reads `ttft=2,tbt=100ms,tpot=0.05` (seconds unless `ms`; `itl` is `tbt`; spaces and empty parts are
 * ignored) as the targets `rules` allows, at least one of them. Every malformed form is a
 * ServeTuneError that names `flag` and the part at fault.
 */
export function parseSloTargets(text: string, rules: SloTargetRules, flag = '--slo'): SloTargets {
  const targets: SloTargets = {};
  const seen = new Map<SloTargetName, string>();
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const { name, seconds } = parseTarget(part, rules, flag);
    const earlier = seen.get(name);
    if (earlier !== undefined) fail(flag, `${name} is given twice ('${earlier}', '${part}')`, text, rules);
    seen.set(name, part);
    targets[name] = seconds;
  }
  if (seen.size === 0)
    fail(flag, `no target (give at least one of ${rules.allowed.join(', ')})`, text, rules);
  return SloTargets.parse(targets);
}

/**
 * Targets read from elsewhere (servetune.json), held to the same rules: `refuse` builds the error for
 * the first target that is not taken (naming it), or for targets that give none of the allowed ones.
 */
export function checkSloTargets(
  targets: SloTargets,
  rules: SloTargetRules,
  refuse: (problem: { notTaken: SloTargetName } | 'no-target') => ServeTuneError,
): SloTargets {
  for (const name of TARGET_NAMES) {
    if (targets[name] !== undefined && !rules.allowed.includes(name)) throw refuse({ notTaken: name });
  }
  if (!rules.allowed.some((name) => targets[name] !== undefined)) throw refuse('no-target');
  return SloTargets.parse(targets);
}
