import { z } from 'zod';
import { ServeTuneError } from '../util/errors.js';
import type { TraceCollector } from './collector.js';
import { fieldError, shown } from './fields.js';
import { MAX_TOKENS_PER_REQUEST } from './limits.js';
import type { LineSink } from './lines.js';
import type { WorkloadRequest } from './types.js';

const tokens = z.number().int().nonnegative().max(MAX_TOKENS_PER_REQUEST);
const offset = z.number().nonnegative();
const MAX = MAX_TOKENS_PER_REQUEST.toLocaleString('en-US');

const MooncakeLine = z.object({
  timestamp: offset,
  input_length: tokens.positive(),
  output_length: tokens,
  hash_ids: z.array(z.number().int().nonnegative()).optional(),
  acceptance: z.number().min(0).max(1).optional(),
});

const RequestListLine = z.object({
  StartTimeOffset: offset,
  ContextTokens: tokens.positive(),
  GeneratedTokens: tokens,
  RequestID: z.union([z.string(), z.number()]).optional(),
  acceptance: z.number().min(0).max(1).optional(),
});

/** What each key must hold, in words, for errors that say what was expected and what was found. */
const EXPECTED: Record<string, string> = {
  timestamp: 'a time in milliseconds (a number, 0 or more)',
  StartTimeOffset: 'a time in nanoseconds (a number, 0 or more)',
  input_length: `a positive whole number of tokens, at most ${MAX}`,
  ContextTokens: `a positive whole number of tokens, at most ${MAX}`,
  output_length: `a whole number of tokens (0 or more), at most ${MAX}`,
  GeneratedTokens: `a whole number of tokens (0 or more), at most ${MAX}`,
  hash_ids: 'a list of whole numbers (0 or more)',
  RequestID: 'a string or a number',
  acceptance: 'a speculative acceptance rate from 0 to 1',
};

/**
 * What a line held, for an error: JSON.parse reads a number past a double's range (1e400) as Infinity,
 * which JSON.stringify writes as `null`, a value the line never held.
 */
function gotText(value: unknown): string {
  if (value === undefined) return 'it is missing';
  if (typeof value === 'number' && !Number.isFinite(value))
    return 'got a number past a double’s range (1.8e308)';
  return `got ${shown(JSON.stringify(value))}`;
}

function jsonLineReader<T>(
  out: TraceCollector,
  schema: z.ZodType<T>,
  convert: (value: T) => WorkloadRequest,
): LineSink {
  const { file } = out;
  return (text, line) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ServeTuneError(
        `${file}:${line}: not valid JSON (${(error as Error).message})`,
        'invalid-config',
        `${file}:${line}`,
      );
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) {
      out.add(convert(parsed.data), line);
      return;
    }
    const key = parsed.error.issues[0].path[0];
    if (typeof key !== 'string' || typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new ServeTuneError(
        `${file}:${line}: each line must be a JSON object, got ${shown(text)}`,
        'invalid-config',
        `${file}:${line}`,
      );
    }
    const value = (json as Record<string, unknown>)[key];
    throw fieldError({ file, line }, key, `must be ${EXPECTED[key] ?? 'valid'}; ${gotText(value)}`);
  };
}

/**
 * Mooncake JSONL: `timestamp` (ms), `input_length`, `output_length`, `hash_ids` (prefix blocks), and
 * optionally `acceptance` (the request's speculative acceptance rate).
 */
export function mooncakeReader(out: TraceCollector): LineSink {
  return jsonLineReader(out, MooncakeLine, (v) => ({
    arrival: v.timestamp / 1000,
    promptTokens: v.input_length,
    outputTokens: v.output_length,
    ...(v.hash_ids === undefined ? {} : { hashIds: v.hash_ids }),
    ...(v.acceptance === undefined ? {} : { acceptance: v.acceptance }),
  }));
}

/** Request-list JSONL: `StartTimeOffset` (ns), `ContextTokens`, `GeneratedTokens`, optional `RequestID` and `acceptance`. */
export function requestListReader(out: TraceCollector): LineSink {
  return jsonLineReader(out, RequestListLine, (v) => ({
    arrival: v.StartTimeOffset / 1e9,
    promptTokens: v.ContextTokens,
    outputTokens: v.GeneratedTokens,
    ...(v.acceptance === undefined ? {} : { acceptance: v.acceptance }),
  }));
}
