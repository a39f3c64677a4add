import { z } from 'zod';
import { isServeTuneError, ServeTuneError } from '../util/errors.js';
import { LengthDistribution, printLength } from './distributions.js';
import { readLengthsFile } from './empirical.js';
import { MAX_GENERATED_REQUESTS, MAX_TOKENS_PER_REQUEST } from './limits.js';
import { printRateCurve, RateCurve } from './rate-curve.js';
import { GOODPUT_SLO_RULES, parseSloTargets, SloTargets } from './slo.js';

export { generateWorkload } from './generate.js';

/** The largest `cv=`: beyond it gamma gaps are all but zero and one in a great many is everything. */
export const MAX_CV = 1000;

/**
 * A synthetic workload. The compact spec string for it (CLI `--workload`):
 *
 *   spec     = arrival ":" param { "," param }
 *   arrival  = "poisson" | "gamma" | "constant"
 *   param    = "rate=" number          requests per second (required)
 *            | "cv=" number            gamma only: coefficient of variation of inter-arrival times (burstiness; 1 = Poisson), at most 1000
 *            | "n=" integer            number of requests, at most 10,000,000 (default 1000 unless duration is given)
 *            | "duration=" number      seconds of arrivals
 *            | "prompt=" dist | "output=" dist   (defaults: lognormal(1024,0.8) and lognormal(256,0.8))
 *            | "max=" integer          cap on prompt and output lengths (default 32768, at most 100,000,000)
 *            | "curve=" curve          the rate over time: rate= times the curve's factor (see rate-curve.ts)
 *            | "system=" integer       a shared system prompt of this many tokens before the prompt
 *            | "shared=" number        share of requests (sessions) that carry it, 0 to 1 (default 1)
 *            | "templates=" integer    distinct shared prefixes (few-shot templates), each drawn alike (default 1)
 *            | "turns=" dist           multi-turn sessions: turns per session; each arrival starts one
 *            | "think=" dist           seconds between a turn's answer and the next turn (default lognormal(10,0.8))
 *            | "tool=" number          share of later turns that are tool calls (agents), 0 to 1 (default 0)
 *            | "toolpause=" dist       seconds a tool call runs before its turn (default lognormal(2,0.8))
 *            | "class=" name           the requests' class (interactive, batch, …) for per-class metrics
 *            | "priority=" integer     scheduling priority, lower served first (default 0)
 *            | "accept=" number        speculative decoding: each drafted token's acceptance rate, 0 to 1
 *                                      (the stream drafts this well; default: the pool's method's rates)
 *            | "slo=(" targets ")"     the class's own latency targets, as --slo writes them (ttft=0.5,tpot=50ms)
 *   curve    = "diurnal(" period "," low ")" | "steps(" t ":" factor { ";" t ":" factor } ")"
 *            | "burst(" every "," length "," factor ")"
 *   dist     = "fixed(" n ")" | "uniform(" min "," max ")" | "lognormal(" median "," sigma ")"
 *            | "empirical(" v { ";" v } ")" | "empirical(@" file ")"
 *   number   = decimal digits, with an optional fraction and exponent (4, 0.5, 1e6)
 *   mix      = spec { "+" spec }        several streams merged by arrival (e.g. interactive + batch)
 *
 * `empirical(@file)` draws from a file of one number per line, or from a trace file's prompt (or output)
 * lengths. A session's turn k + 1 sends turn k's prompt and answer again, plus a new message (prompt=)
 * or a tool's result; it is sent think= (or toolpause=) seconds after turn k's last token. Example:
 * `poisson:rate=4,prompt=lognormal(1024,0.8),output=fixed(256),n=1000`.
 */
export const SyntheticWorkload = z.object({
  arrival: z.enum(['poisson', 'gamma', 'constant']),
  rate: z.number().positive(),
  cv: z.number().positive().max(MAX_CV).default(1),
  count: z.number().int().positive().max(MAX_GENERATED_REQUESTS).optional(),
  durationSeconds: z.number().positive().optional(),
  prompt: LengthDistribution,
  output: LengthDistribution,
  maxLength: z.number().int().positive().max(MAX_TOKENS_PER_REQUEST).default(32768),
  curve: RateCurve.optional(),
  systemTokens: z.number().int().positive().max(MAX_TOKENS_PER_REQUEST).optional(),
  sharedFraction: z.number().min(0).max(1).default(1),
  templates: z.number().int().positive().max(1_000_000).default(1),
  turns: LengthDistribution.optional(),
  think: LengthDistribution.default({ kind: 'lognormal', median: 10, sigma: 0.8 }),
  toolShare: z.number().min(0).max(1).default(0),
  toolPause: LengthDistribution.default({ kind: 'lognormal', median: 2, sigma: 0.8 }),
  className: z
    .string()
    .regex(/^[A-Za-z][\w-]{0,31}$/, 'a class is a name of letters, digits, _ and - (at most 32)')
    .optional(),
  priority: z.number().int().min(-1_000_000).max(1_000_000).default(0),
  acceptance: z.number().min(0).max(1).optional(),
  slo: SloTargets.optional(),
});
export type SyntheticWorkload = z.output<typeof SyntheticWorkload>;

const DEFAULT_PROMPT: LengthDistribution = { kind: 'lognormal', median: 1024, sigma: 0.8 };
const DEFAULT_OUTPUT: LengthDistribution = { kind: 'lognormal', median: 256, sigma: 0.8 };

/** The spec's own names for the schema's fields, for errors in the user's words. */
const SPEC_KEY: Record<string, string> = {
  count: 'n',
  durationSeconds: 'duration',
  maxLength: 'max',
  systemTokens: 'system',
  sharedFraction: 'shared',
  toolShare: 'tool',
  toolPause: 'toolpause',
  className: 'class',
  acceptance: 'accept',
};

/** Whether a `--workload` value is a spec string rather than a file. */
export function looksLikeWorkloadSpec(value: string): boolean {
  return /^(poisson|gamma|constant):/.test(value.trim());
}

/** A spec as an error quotes it: cut short when long (a generated spec of 100 KB was echoed whole). */
function shownSpec(spec: string): string {
  return spec.length > SHOWN_SPEC_CHARS
    ? `${spec.slice(0, SHOWN_SPEC_CHARS)}… (${spec.length.toLocaleString('en-US')} characters)`
    : spec;
}

const SHOWN_SPEC_CHARS = 200;

function specError(spec: string, message: string): ServeTuneError {
  return new ServeTuneError(
    `Invalid workload spec '${shownSpec(spec)}': ${message}. Grammar: <poisson|gamma|constant>:rate=R[,cv=C][,n=N|,duration=S][,prompt=DIST][,output=DIST][,max=N][,curve=CURVE][,system=N[,shared=F][,templates=K]][,turns=DIST[,think=DIST][,tool=F][,toolpause=DIST]][,class=NAME[,slo=(TARGETS)]][,priority=P][,accept=A], several joined by ' + ', CURVE = diurnal(PERIOD,LOW) | steps(T:F;…) | burst(EVERY,LENGTH,FACTOR), DIST = fixed(N) | uniform(A,B) | lognormal(MEDIAN,SIGMA) | empirical(V1;V2;…) | empirical(@file). Example: poisson:rate=4,prompt=lognormal(1024,0.8),output=fixed(256),n=1000`,
    'invalid-argument',
    '--workload',
  );
}

/** Splits on commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(spec: string, key: string, text: string): number {
  const n = DECIMAL.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n)) throw specError(spec, `${key} must be a decimal number, got '${text}'`);
  return n;
}

function parseCount(spec: string, text: string): number {
  const n = parseNumber(spec, 'n', text);
  if (!Number.isInteger(n) || n < 1)
    throw specError(spec, `n must be a whole number of requests, got '${text}'`);
  if (n > MAX_GENERATED_REQUESTS) {
    throw specError(
      spec,
      `n=${text} is more than the ${MAX_GENERATED_REQUESTS.toLocaleString('en-US')} requests a workload may have (docs/limits.md)`,
    );
  }
  return n;
}

function parseDistribution(
  spec: string,
  key: string,
  text: string,
  column: 'prompt' | 'output',
): LengthDistribution {
  const m = /^(\w+)\((.*)\)$/.exec(text.trim());
  if (!m) throw specError(spec, `${key}=${text} is not a distribution`);
  const [, name, inner] = m;
  const args = inner.split(',').map((a) => a.trim());
  const num = (i: number) => parseNumber(spec, key, args[i] ?? '');
  let d: unknown;
  switch (name) {
    case 'fixed':
      if (args.length !== 1) throw specError(spec, `${key}: fixed takes one value`);
      d = { kind: 'fixed', value: num(0) };
      break;
    case 'uniform':
      if (args.length !== 2) throw specError(spec, `${key}: uniform takes min,max`);
      d = { kind: 'uniform', min: num(0), max: num(1) };
      break;
    case 'lognormal':
      if (args.length !== 2) throw specError(spec, `${key}: lognormal takes median,sigma`);
      d = { kind: 'lognormal', median: num(0), sigma: num(1) };
      break;
    case 'empirical':
      d = { kind: 'empirical', values: empiricalValues(spec, key, inner.trim(), column) };
      break;
    default:
      throw specError(spec, `${key}: unknown distribution '${name}'`);
  }
  const parsed = LengthDistribution.safeParse(d);
  if (!parsed.success) throw specError(spec, `${key}: ${parsed.error.issues[0].message}`);
  if (parsed.data.kind === 'uniform' && parsed.data.min > parsed.data.max)
    throw specError(spec, `${key}: uniform min exceeds max`);
  return parsed.data;
}

/** Inline values, or a file's: its errors keep their place in the file and say which spec named it. */
function empiricalValues(spec: string, key: string, inner: string, column: 'prompt' | 'output'): number[] {
  if (!inner.startsWith('@')) return inner.split(';').map((v) => parseNumber(spec, key, v));
  const file = inner.slice(1).trim();
  if (file === '') throw specError(spec, `${key}: empirical(@file) needs a file name`);
  try {
    return readLengthsFile(file, column);
  } catch (error) {
    if (!isServeTuneError(error)) throw error;
    throw new ServeTuneError(
      `Invalid workload spec '${spec}': ${key}=empirical(@${file}): ${error.message}`,
      error.code,
      error.where ?? file,
    );
  }
}

function parseParams(spec: string, text: string, fields: Record<string, unknown>): void {
  const seen = new Set<string>();
  for (const part of splitTopLevel(text)) {
    const eq = part.indexOf('=');
    if (eq < 0) throw specError(spec, `'${part}' is not key=value`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    // A repeated key (n=5,n=6) is a typo or a paste; the last would silently win over the first.
    if (seen.has(key)) throw specError(spec, `'${key}' is given twice`);
    seen.add(key);
    switch (key) {
      case 'rate':
      case 'cv':
        fields[key] = parseNumber(spec, key, value);
        break;
      case 'n':
        fields.count = parseCount(spec, value);
        break;
      case 'duration':
        fields.durationSeconds = parseNumber(spec, key, value);
        break;
      case 'max':
        fields.maxLength = parseNumber(spec, key, value);
        break;
      case 'prompt':
      case 'output':
        fields[key] = parseDistribution(spec, key, value, key);
        break;
      default:
        parseShapeParam(spec, key, value, fields);
    }
  }
}

/** The keys of the workload shapes: rate curve, shared prefixes, sessions, classes. */
function parseShapeParam(spec: string, key: string, value: string, fields: Record<string, unknown>): void {
  switch (key) {
    case 'curve':
      fields.curve = parseCurve(spec, value);
      break;
    case 'system':
      fields.systemTokens = parseNumber(spec, key, value);
      break;
    case 'shared':
      fields.sharedFraction = parseNumber(spec, key, value);
      break;
    case 'templates':
    case 'priority':
      fields[key] = parseNumber(spec, key, value);
      break;
    case 'tool':
      fields.toolShare = parseNumber(spec, key, value);
      break;
    case 'turns':
    case 'think':
      fields[key] = parseDistribution(spec, key, value, 'prompt');
      break;
    case 'toolpause':
      fields.toolPause = parseDistribution(spec, key, value, 'prompt');
      break;
    case 'class':
      fields.className = value;
      break;
    case 'accept':
      fields.acceptance = parseNumber(spec, key, value);
      break;
    case 'slo': {
      const inner = /^\((.*)\)$/.exec(value);
      if (!inner)
        throw specError(spec, `slo=${value}: write the targets in parentheses, slo=(ttft=0.5,tpot=0.05)`);
      fields.slo = parseSloTargets(inner[1], GOODPUT_SLO_RULES, '--workload');
      break;
    }
    default:
      throw specError(spec, `unknown key '${key}'`);
  }
}

function parseCurve(spec: string, text: string): RateCurve {
  const m = /^(\w+)\((.*)\)$/.exec(text.trim());
  if (!m) throw specError(spec, `curve=${text} is not a curve`);
  const [, name, inner] = m;
  const args = inner.split(',').map((a) => a.trim());
  const num = (t: string) => parseNumber(spec, 'curve', t);
  let curve: unknown;
  if (name === 'diurnal' && args.length === 2) {
    curve = { kind: 'diurnal', periodSeconds: num(args[0]), low: num(args[1]) };
  } else if (name === 'burst' && args.length === 3) {
    curve = { kind: 'burst', everySeconds: num(args[0]), lengthSeconds: num(args[1]), factor: num(args[2]) };
  } else if (name === 'steps') {
    const steps = inner.split(';').map((step) => {
      const [at, factor, extra] = step.split(':');
      if (factor === undefined || extra !== undefined)
        throw specError(spec, `curve: step '${step}' is not T:FACTOR`);
      return { at: num(at), factor: num(factor) };
    });
    curve = { kind: 'steps', steps };
  } else {
    throw specError(
      spec,
      `curve: '${name}' with ${args.length} values is not diurnal(PERIOD,LOW), steps(T:F;…) or burst(EVERY,LENGTH,FACTOR)`,
    );
  }
  const parsed = RateCurve.safeParse(curve);
  if (!parsed.success) throw specError(spec, `curve: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** Keys that mean nothing without another: [label, the key needed, the key given]. */
const NEEDS: [string, string, string][] = [
  ['shared', 'systemTokens', 'sharedFraction'],
  ['templates', 'systemTokens', 'templates'],
  ['think', 'turns', 'think'],
  ['tool', 'turns', 'toolShare'],
  ['toolpause', 'turns', 'toolPause'],
  ['slo', 'className', 'slo'],
];

/** Whether `spec` is several specs joined by `+` (a mix); a `+` in an exponent (1e+6) is not a join. */
const MIX_JOIN = /\+\s*(?=(?:poisson|gamma|constant):)/;

/** The streams of a spec: one, or each of a mix `A + B + …`, in order. */
export function parseWorkloadMix(spec: string): SyntheticWorkload[] {
  const parts = spec.split(MIX_JOIN).map((p) => p.trim());
  if (parts.some((p) => p === '')) throw specError(spec, "an empty stream around '+'");
  return parts.map((p) => parseWorkloadSpec(p));
}

export function parseWorkloadSpec(spec: string): SyntheticWorkload {
  const colon = spec.indexOf(':');
  if (colon < 0) throw specError(spec, 'missing the arrival process (poisson:, gamma: or constant:)');
  const arrival = spec.slice(0, colon).trim();
  const fields: Record<string, unknown> = { arrival, prompt: DEFAULT_PROMPT, output: DEFAULT_OUTPUT };
  parseParams(spec, spec.slice(colon + 1), fields);
  if (fields.rate === undefined) throw specError(spec, 'rate= is required');
  if (arrival !== 'gamma' && fields.cv !== undefined)
    throw specError(spec, 'cv= applies to gamma arrivals only');
  for (const [key, needs, field] of NEEDS) {
    if (fields[field] !== undefined && fields[needs] === undefined)
      throw specError(spec, `${key}= needs ${SPEC_KEY[needs] ?? needs}=`);
  }
  const parsed = SyntheticWorkload.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.path.map((p) => SPEC_KEY[String(p)] ?? String(p)).join('.');
    throw specError(spec, `${key || 'spec'}: ${issue.message}`);
  }
  for (const key of ['prompt', 'output'] as const) {
    const typical = typicalLength(parsed.data[key]);
    // Every draw (a lognormal: half of them or more) would be cut to max=: the requests simulated
    // would not be the ones the spec names.
    if (typical > parsed.data.maxLength) {
      throw specError(
        spec,
        `${key}=${printLength(parsed.data[key])} is longer than max=${parsed.data.maxLength}, the cap on every length${parsed.data[key].kind === 'lognormal' ? ' (its median is: half its draws or more would be cut)' : ''}; raise max= (at most ${MAX_TOKENS_PER_REQUEST.toLocaleString('en-US')})`,
      );
    }
  }
  return parsed.data;
}

/**
 * The length past which a distribution is cut to max= for every draw (fixed, uniform: its shortest;
 * empirical: its smallest value) or for half of them and more (lognormal: its median).
 */
function typicalLength(d: LengthDistribution): number {
  switch (d.kind) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min;
    case 'lognormal':
      return d.median;
    case 'empirical':
      return d.values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  }
}

/** The spec string of a synthetic workload, in the grammar above: it parses back to the same workload. */
export function printWorkloadSpec(w: SyntheticWorkload): string {
  const params = [`rate=${w.rate}`];
  if (w.arrival === 'gamma') params.push(`cv=${w.cv}`);
  if (w.count !== undefined) params.push(`n=${w.count}`);
  if (w.durationSeconds !== undefined) params.push(`duration=${w.durationSeconds}`);
  params.push(`prompt=${printLength(w.prompt)}`, `output=${printLength(w.output)}`, `max=${w.maxLength}`);
  if (w.curve) params.push(`curve=${printRateCurve(w.curve)}`);
  if (w.systemTokens !== undefined)
    params.push(`system=${w.systemTokens}`, `shared=${w.sharedFraction}`, `templates=${w.templates}`);
  if (w.turns) {
    params.push(`turns=${printLength(w.turns)}`, `think=${printLength(w.think)}`, `tool=${w.toolShare}`);
    params.push(`toolpause=${printLength(w.toolPause)}`);
  }
  if (w.className !== undefined) params.push(`class=${w.className}`);
  if (w.priority !== 0) params.push(`priority=${w.priority}`);
  if (w.acceptance !== undefined) params.push(`accept=${w.acceptance}`);
  if (w.slo) {
    const targets = Object.entries(w.slo).map(([name, seconds]) => `${name}=${seconds}`);
    params.push(`slo=(${targets.join(',')})`);
  }
  return `${w.arrival}:${params.join(',')}`;
}
