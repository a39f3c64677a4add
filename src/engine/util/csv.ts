import { ServeTuneError } from './errors.js';

/**
 * Splits one CSV line into fields (RFC 4180 quotes: a quoted field may hold commas and doubled quotes).
 * Traces and op tables are simple files; a full CSV library would buy nothing here.
 */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

export interface CsvTable {
  file: string;
  header: string[];
  /** Data rows with their 1-based line numbers in the file. */
  rows: { line: number; fields: string[] }[];
}

/** Parses a CSV text with a header row; blank lines are skipped; a row with a different field count is an error. */
export function parseCsv(text: string, file: string): CsvTable {
  const lines = text.split(/\r?\n/);
  let headerLine = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '') {
      headerLine = i;
      break;
    }
  }
  if (headerLine < 0) throw new ServeTuneError(`${file}: the file is empty`, 'invalid-config', file);
  const header = splitCsvLine(lines[headerLine]).map((h) => h.trim().replace(/^\uFEFF/, ''));
  const rows: CsvTable['rows'] = [];
  for (let i = headerLine + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const fields = splitCsvLine(lines[i]);
    if (fields.length !== header.length) {
      throw new ServeTuneError(
        `${file}:${i + 1}: expected ${header.length} fields (${header.join(',')}), found ${fields.length}`,
        'invalid-config',
        `${file}:${i + 1}`,
      );
    }
    rows.push({ line: i + 1, fields });
  }
  return { file, header, rows };
}

/** Index of a required column, or an error naming the file and the columns it has. */
export function requireColumn(table: CsvTable, name: string): number {
  const index = table.header.indexOf(name);
  if (index < 0) {
    throw new ServeTuneError(
      `${table.file}:1: missing column '${name}' (columns: ${table.header.join(', ')})`,
      'invalid-config',
      `${table.file}:1`,
    );
  }
  return index;
}

/** A number written in decimal (`4`, `0.25`, `1e-3`): `Number()` alone also reads `0x10` and `Infinity`. */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** What a numeric field may hold: `count` a whole number from 1, `whole` a whole number from 0. */
export type NumberConstraint = 'any' | 'nonnegative' | 'positive' | 'count' | 'whole';

const EXPECTED: Record<NumberConstraint, string> = {
  any: 'a number',
  nonnegative: 'a nonnegative number',
  positive: 'a positive number',
  count: 'a whole number of at least 1',
  whole: 'a whole number (0 or more)',
};

function meets(value: number, constraint: NumberConstraint): boolean {
  switch (constraint) {
    case 'any':
      return true;
    case 'nonnegative':
      return value >= 0;
    case 'positive':
      return value > 0;
    case 'count':
      return Number.isSafeInteger(value) && value >= 1;
    case 'whole':
      return Number.isSafeInteger(value) && value >= 0;
  }
}

/** A finite decimal number from a field, or an error naming file, line and column. */
export function numberField(
  table: CsvTable,
  row: { line: number; fields: string[] },
  column: number,
  constraint: NumberConstraint = 'any',
): number {
  const raw = row.fields[column]?.trim() ?? '';
  const value = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || !meets(value, constraint)) {
    throw new ServeTuneError(
      `${table.file}:${row.line}: field '${table.header[column]}' must be ${EXPECTED[constraint]}, got '${raw}'`,
      'invalid-config',
      `${table.file}:${row.line}:${table.header[column]}`,
    );
  }
  return value + 0;
}
