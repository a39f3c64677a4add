import { splitCsvLine } from '../util/csv.js';
import { ServeTuneError } from '../util/errors.js';
import type { TraceCollector } from './collector.js';
import { azureTimestamp, decimalSeconds, type RowAt, tokenCount } from './fields.js';
import type { LineSink } from './lines.js';

/** The columns of a CSV trace's header, by name, and how many fields every row has. */
interface Header {
  width: number;
  names: string[];
  index: Map<string, number>;
}

function readHeader(text: string, at: RowAt, required: readonly string[]): Header {
  const names = splitCsvLine(text).map((h) => h.trim().replace(/^\uFEFF/, ''));
  for (const name of required) {
    if (!names.includes(name)) {
      throw new ServeTuneError(
        `${at.file}:${at.line}: missing column '${name}' (columns: ${names.join(', ')})`,
        'invalid-config',
        `${at.file}:${at.line}`,
      );
    }
  }
  // The first of two columns with one name is the one read, as before.
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    if (!index.has(name)) index.set(name, i);
  });
  return { width: names.length, names, index };
}

/** One data row: its fields by column name, and where it sits (for errors). */
class Row implements RowAt {
  constructor(
    readonly file: string,
    readonly line: number,
    private readonly fields: string[],
    private readonly header: Header,
  ) {
    if (fields.length !== header.width) {
      throw new ServeTuneError(
        `${file}:${line}: expected ${header.width} fields (${header.names.join(',')}), found ${fields.length}`,
        'invalid-config',
        `${file}:${line}`,
      );
    }
  }

  /** The raw text of a column the header has (undefined for a column it lacks). */
  get(column: string): string | undefined {
    const i = this.header.index.get(column);
    return i === undefined ? undefined : this.fields[i];
  }

  tokens(column: string, positive = false): number {
    return tokenCount(this.get(column) ?? '', this, column, positive);
  }
}

/**
 * A reader of a CSV trace, line by line: its first non-blank line is the header (which must name
 * `required`), every later one a row that `onRow` turns into a request.
 */
function csvReader(out: TraceCollector, required: readonly string[], onRow: (row: Row) => void): LineSink {
  let header: Header | undefined;
  return (text, line) => {
    if (header === undefined) header = readHeader(text, { file: out.file, line }, required);
    else onRow(new Row(out.file, line, splitCsvLine(text), header));
  };
}

/** Azure LLM inference trace: `TIMESTAMP,ContextTokens,GeneratedTokens`. */
export function azureReader(out: TraceCollector): LineSink {
  return csvReader(out, ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'], (row) => {
    out.add(
      {
        arrival: azureTimestamp(row.get('TIMESTAMP') ?? '', row, 'TIMESTAMP'),
        promptTokens: row.tokens('ContextTokens', true),
        outputTokens: row.tokens('GeneratedTokens'),
      },
      row.line,
    );
  });
}

/**
 * BurstGPT: `Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type`. Failed requests (0
 * response tokens, or 0 request tokens) are skipped; each request keeps its `Model` (ChatGPT and GPT-4 rows
 * are different services, which `#model=` picks between).
 */
export function burstGptReader(out: TraceCollector): LineSink {
  out.skipReason = 'are failed requests (0 request or response tokens)';
  return csvReader(out, ['Timestamp', 'Request tokens', 'Response tokens'], (row) => {
    const arrival = decimalSeconds(row.get('Timestamp') ?? '', row, 'Timestamp');
    const promptTokens = row.tokens('Request tokens');
    const outputTokens = row.tokens('Response tokens');
    if (promptTokens === 0 || outputTokens === 0) {
      out.skipped++;
      return;
    }
    const model = row.get('Model');
    if (model === undefined) out.add({ arrival, promptTokens, outputTokens }, row.line);
    else out.add({ arrival, promptTokens, outputTokens, model: out.model(model.trim()) }, row.line);
  });
}
