import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ServeTuneError } from '../util/errors.js';
import { LengthDistribution, sampleLength } from './distributions.js';
import { Rng } from './rng.js';
import { parseTrace } from './traces.js';
import { DEFAULT_HASH_BLOCK_TOKENS, type Workload, type WorkloadRequest } from './types.js';

/**
 * A synthetic workload. The compact spec string for it (CLI `--workload`):
 *
 *   spec     = arrival ":" param { "," param }
 *   arrival  = "poisson" | "gamma" | "constant"
 *   param    = "rate=" number          requests per second (required)
 *            | "cv=" number            gamma only: coefficient of variation of inter-arrival times (burstiness; 1 = Poisson)
 *            | "n=" integer            number of requests (default 1000 unless duration is given)
 *            | "duration=" number      seconds of arrivals
 *            | "prompt=" dist | "output=" dist   (defaults: lognormal(1024,0.8) and lognormal(256,0.8))
 *            | "max=" integer          cap on prompt and output lengths (default 32768)
 *   dist     = "fixed(" n ")" | "uniform(" min "," max ")" | "lognormal(" median "," sigma ")"
 *            | "empirical(" v { ";" v } ")" | "empirical(@" file ")"
 *
 * `empirical(@file)` draws from a file of one number per line, or from a trace file's prompt (or output)
 * lengths. Example: `poisson:rate=4,prompt=lognormal(1024,0.8),output=fixed(256),n=1000`.
 */
export const SyntheticWorkload = z.object({
  arrival: z.enum(['poisson', 'gamma', 'constant']),
  rate: z.number().positive(),
  cv: z.number().positive().default(1),
  count: z.number().int().positive().optional(),
  durationSeconds: z.number().positive().optional(),
  prompt: LengthDistribution,
  output: LengthDistribution,
  maxLength: z.number().int().positive().default(32768),
});
export type SyntheticWorkload = z.output<typeof SyntheticWorkload>;

const DEFAULT_PROMPT: LengthDistribution = { kind: 'lognormal', median: 1024, sigma: 0.8 };
const DEFAULT_OUTPUT: LengthDistribution = { kind: 'lognormal', median: 256, sigma: 0.8 };

/** Whether a `--workload` value is a spec string rather than a file. */
export function looksLikeWorkloadSpec(value: string): boolean {
  return /^(poisson|gamma|constant):/.test(value.trim());
}

function specError(spec: string, message: string): ServeTuneError {
  return new ServeTuneError(
    `Invalid workload spec '${spec}': ${message}. Grammar: <poisson|gamma|constant>:rate=R[,cv=C][,n=N|,duration=S][,prompt=DIST][,output=DIST][,max=N], DIST = fixed(N) | uniform(A,B) | lognormal(MEDIAN,SIGMA) | empirical(V1;V2;…) | empirical(@file). Example: poisson:rate=4,prompt=lognormal(1024,0.8),output=fixed(256),n=1000`,
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

function parseNumber(spec: string, key: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n))
    throw specError(spec, `${key} must be a number, got '${text}'`);
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

function empiricalValues(spec: string, key: string, inner: string, column: 'prompt' | 'output'): number[] {
  if (!inner.startsWith('@')) return inner.split(';').map((v) => parseNumber(spec, key, v));
  const file = inner.slice(1);
  if (!existsSync(file)) throw specError(spec, `${key}: file not found: ${file}`);
  const text = readFileSync(file, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.every((l) => /^\s*\d+(\.\d+)?\s*$/.test(l))) return lines.map(Number).filter((v) => v > 0);
  const trace = parseTrace(text, file);
  return trace.requests
    .map((r) => (column === 'prompt' ? r.promptTokens : r.outputTokens))
    .filter((v) => v > 0);
}

export function parseWorkloadSpec(spec: string): SyntheticWorkload {
  const colon = spec.indexOf(':');
  if (colon < 0) throw specError(spec, 'missing the arrival process (poisson:, gamma: or constant:)');
  const arrival = spec.slice(0, colon).trim();
  const fields: Record<string, unknown> = { arrival, prompt: DEFAULT_PROMPT, output: DEFAULT_OUTPUT };
  for (const part of splitTopLevel(spec.slice(colon + 1))) {
    const eq = part.indexOf('=');
    if (eq < 0) throw specError(spec, `'${part}' is not key=value`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    switch (key) {
      case 'rate':
        fields.rate = parseNumber(spec, key, value);
        break;
      case 'cv':
        fields.cv = parseNumber(spec, key, value);
        break;
      case 'n':
        fields.count = parseNumber(spec, key, value);
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
        throw specError(spec, `unknown key '${key}'`);
    }
  }
  if (fields.rate === undefined) throw specError(spec, 'rate= is required');
  if (arrival !== 'gamma' && fields.cv !== undefined)
    throw specError(spec, 'cv= applies to gamma arrivals only');
  const parsed = SyntheticWorkload.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw specError(spec, `${issue.path.join('.') || 'spec'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Draws the requests of a synthetic workload with a seeded generator. */
export function generateWorkload(w: SyntheticWorkload, seed: number, source = 'synthetic'): Workload {
  const rng = new Rng(seed);
  const count = w.count ?? (w.durationSeconds === undefined ? 1000 : Number.POSITIVE_INFINITY);
  const until = w.durationSeconds ?? Number.POSITIVE_INFINITY;
  const shape = 1 / (w.cv * w.cv);
  const requests: WorkloadRequest[] = [];
  let t = 0;
  while (requests.length < count) {
    if (requests.length > 0 || w.arrival !== 'constant') {
      if (w.arrival === 'poisson') t += rng.exponential(w.rate);
      else if (w.arrival === 'gamma') t += rng.gamma(shape, 1 / (w.rate * shape));
      else t += 1 / w.rate;
    }
    if (t >= until) break;
    requests.push({
      arrival: t,
      promptTokens: sampleLength(w.prompt, rng, w.maxLength),
      outputTokens: sampleLength(w.output, rng, w.maxLength),
    });
  }
  return { source, requests, hashBlockTokens: DEFAULT_HASH_BLOCK_TOKENS };
}
