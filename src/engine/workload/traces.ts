import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { numberField, parseCsv, requireColumn } from '../util/csv.js';
import { ServeTuneError } from '../util/errors.js';
import { DEFAULT_HASH_BLOCK_TOKENS, type Workload, type WorkloadRequest } from './types.js';

type TraceFormat = 'azure' | 'burstgpt' | 'mooncake' | 'request-list';

const fail = (file: string, line: number, field: string, message: string): never => {
  throw new ServeTuneError(
    `${file}:${line}: field '${field}' ${message}`,
    'invalid-config',
    `${file}:${line}:${field}`,
  );
};

/** Azure's `2023-11-16 18:15:46.6805900` (UTC, up to 7 fractional digits) in seconds. */
function parseAzureTimestamp(text: string, file: string, line: number): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m)
    return fail(file, line, 'TIMESTAMP', `must be a time like 2023-11-16 18:15:46.6805900, got '${text}'`);
  const whole = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
  return whole + (m[7] ? Number(`0.${m[7]}`) : 0);
}

/** Azure LLM inference trace: `TIMESTAMP,ContextTokens,GeneratedTokens`. */
function readAzure(text: string, file: string): WorkloadRequest[] {
  const table = parseCsv(text, file);
  const time = requireColumn(table, 'TIMESTAMP');
  const context = requireColumn(table, 'ContextTokens');
  const generated = requireColumn(table, 'GeneratedTokens');
  return table.rows.map((row) => ({
    arrival: parseAzureTimestamp(row.fields[time], file, row.line),
    promptTokens: numberField(table, row, context, 'positive'),
    outputTokens: numberField(table, row, generated, 'nonnegative'),
  }));
}

/** BurstGPT: `Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type`; failed requests (0 response tokens) are skipped. */
function readBurstGpt(text: string, file: string): WorkloadRequest[] {
  const table = parseCsv(text, file);
  const time = requireColumn(table, 'Timestamp');
  const request = requireColumn(table, 'Request tokens');
  const response = requireColumn(table, 'Response tokens');
  const requests: WorkloadRequest[] = [];
  for (const row of table.rows) {
    const arrival = numberField(table, row, time, 'nonnegative');
    const promptTokens = numberField(table, row, request, 'nonnegative');
    const outputTokens = numberField(table, row, response, 'nonnegative');
    if (outputTokens === 0 || promptTokens === 0) continue;
    requests.push({ arrival, promptTokens, outputTokens });
  }
  return requests;
}

const MooncakeLine = z.object({
  timestamp: z.number().nonnegative(),
  input_length: z.number().int().positive(),
  output_length: z.number().int().nonnegative(),
  hash_ids: z.array(z.number().int()).optional(),
});

const RequestListLine = z.object({
  StartTimeOffset: z.number().nonnegative(),
  ContextTokens: z.number().int().positive(),
  GeneratedTokens: z.number().int().nonnegative(),
  RequestID: z.union([z.string(), z.number()]).optional(),
});

function readJsonLines<T>(
  text: string,
  file: string,
  schema: z.ZodType<T>,
  convert: (value: T) => WorkloadRequest,
): WorkloadRequest[] {
  const lines = text.split(/\r?\n/);
  const requests: WorkloadRequest[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new ServeTuneError(
        `${file}:${i + 1}: not valid JSON (${(error as Error).message})`,
        'invalid-config',
        `${file}:${i + 1}`,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.') || '(line)';
      fail(file, i + 1, field, issue.message.replace(/^Invalid input: /, ''));
    } else {
      requests.push(convert(parsed.data));
    }
  }
  return requests;
}

export function detectTraceFormat(text: string, file: string): TraceFormat {
  const firstLine =
    text
      .slice(0, 4096)
      .split(/\r?\n/)
      .find((l) => l.trim() !== '') ?? '';
  if (firstLine.trim().startsWith('{')) {
    if (firstLine.includes('"StartTimeOffset"')) return 'request-list';
    if (firstLine.includes('"input_length"')) return 'mooncake';
  } else {
    if (/^\uFEFF?TIMESTAMP,/.test(firstLine)) return 'azure';
    if (/^\uFEFF?Timestamp,/.test(firstLine) && firstLine.includes('Request tokens')) return 'burstgpt';
  }
  throw new ServeTuneError(
    `${file}:1: unknown trace format. Expected an Azure CSV (TIMESTAMP,ContextTokens,GeneratedTokens), a BurstGPT CSV (Timestamp,Model,Request tokens,Response tokens,…), a Mooncake JSONL (timestamp, input_length, output_length, hash_ids) or a request-list JSONL (StartTimeOffset, ContextTokens, GeneratedTokens).`,
    'invalid-config',
    `${file}:1`,
  );
}

/** Parses a trace's text: requests sorted by arrival, times in seconds from the first request. */
export function parseTrace(text: string, file: string, format = detectTraceFormat(text, file)): Workload {
  let requests: WorkloadRequest[];
  switch (format) {
    case 'azure':
      requests = readAzure(text, file);
      break;
    case 'burstgpt':
      requests = readBurstGpt(text, file);
      break;
    case 'mooncake':
      requests = readJsonLines(text, file, MooncakeLine, (v) => ({
        arrival: v.timestamp / 1000,
        promptTokens: v.input_length,
        outputTokens: v.output_length,
        hashIds: v.hash_ids,
      }));
      break;
    case 'request-list':
      requests = readJsonLines(text, file, RequestListLine, (v) => ({
        arrival: v.StartTimeOffset / 1e9,
        promptTokens: v.ContextTokens,
        outputTokens: v.GeneratedTokens,
      }));
      break;
  }
  const indexed = requests.map((r, i) => ({ r, i }));
  indexed.sort((x, y) => x.r.arrival - y.r.arrival || x.i - y.i);
  const start = indexed.length > 0 ? indexed[0].r.arrival : 0;
  return {
    source: file,
    requests: indexed.map(({ r }) => ({ ...r, arrival: r.arrival - start })),
    hashBlockTokens: DEFAULT_HASH_BLOCK_TOKENS,
  };
}

export function readTrace(file: string): Workload {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ServeTuneError(`Cannot read ${file}: ${(error as Error).message}`, 'io', file);
  }
  return parseTrace(text, file);
}
