import { z } from 'zod';
import { ServeTuneError } from '../util/errors.js';

// Latency targets (SLOs) and the one grammar every front end reads them in: `--slo` of search, tune,
// simulate and bench, and servetune.json's "slo". The simulator counts goodput against any of them; the
// search and the tuner rank by ttft and tbt (and tpot when given). Each caller says which it takes.

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

/** Which targets a caller takes and which it cannot do without; `example` shows a form it accepts. */
export interface SloTargetRules<Required extends SloTargetName = SloTargetName> {
  allowed: readonly SloTargetName[];
  required: readonly Required[];
  example: string;
}

/** The targets the search and the tuner rank by: ttft and tbt required, tpot optional. */
export const RANKING_SLO_RULES: SloTargetRules<'ttft' | 'tbt'> = {
  allowed: ['ttft', 'tbt', 'tpot'],
  required: ['ttft', 'tbt'],
  example: 'ttft=2,tbt=0.1',
};

/** The targets goodput counts against: any of them, none required. */
export const GOODPUT_SLO_RULES: SloTargetRules<never> = {
  allowed: TARGET_NAMES,
  required: [],
  example: 'ttft=0.5,tpot=0.05',
};

type SloTargetsWith<Required extends SloTargetName> = SloTargets & {
  [K in Required]-?: number;
};

/** The form a caller's targets take, e.g. `ttft=<s>,tbt=<s>[,tpot=<s>]`. */
export function sloTargetForm(rules: SloTargetRules): string {
  const required = rules.required.map((name) => `${name}=<s>`).join(',');
  const optional = rules.allowed
    .filter((name) => !(rules.required as readonly string[]).includes(name))
    .map((name, i) => `[${required || i > 0 ? ',' : ''}${name}=<s>]`)
    .join('');
  return required + optional;
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
 * ignored) as the targets `rules` allows, requiring its required ones. Every malformed form is a
 * ServeTuneError that names `flag` and the part at fault.
 */
export function parseSloTargets<Required extends SloTargetName>(
  text: string,
  rules: SloTargetRules<Required>,
  flag = '--slo',
): SloTargetsWith<Required> {
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
  if (seen.size === 0) fail(flag, 'no targets', text, rules);
  if (rules.required.some((name) => targets[name] === undefined)) {
    const required = rules.required.join(' and ');
    fail(flag, `${required} ${rules.required.length > 1 ? 'are' : 'is'} required`, text, rules);
  }
  return SloTargets.parse(targets) as SloTargetsWith<Required>;
}

/**
 * Targets read from elsewhere (servetune.json), held to the same rules: `refuse` builds the error for
 * the first target that is missing or not taken, naming the field.
 */
export function checkSloTargets<Required extends SloTargetName>(
  targets: SloTargets,
  rules: SloTargetRules<Required>,
  refuse: (name: SloTargetName, problem: 'missing' | 'not-taken') => ServeTuneError,
): SloTargetsWith<Required> {
  for (const name of rules.required) if (targets[name] === undefined) throw refuse(name, 'missing');
  for (const name of TARGET_NAMES) {
    if (targets[name] !== undefined && !rules.allowed.includes(name)) throw refuse(name, 'not-taken');
  }
  return SloTargets.parse(targets) as SloTargetsWith<Required>;
}
