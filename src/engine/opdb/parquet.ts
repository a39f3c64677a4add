import { readFileSync } from 'node:fs';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { z } from 'zod';
import { ServeTuneError } from '../util/errors.js';
import type { ColumnType, OpRow, OpSpec } from './ops.js';

const COLUMN_SCHEMAS: Readonly<Record<ColumnType, z.ZodType<string | number>>> = {
  text: z.string().min(1),
  // INT64 columns arrive as bigint; the database's counts and sizes all fit a double exactly.
  count: z
    .union([z.bigint(), z.number()])
    .transform(Number)
    .pipe(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)),
};
/** Milliseconds. */
const LATENCY_SCHEMA = z.number().positive().finite();
/** Milliseconds, where the table's latencies are differences clamped at 0 (OpSpec.zeroLatency). */
const CLAMPED_LATENCY_SCHEMA = z.number().nonnegative().finite();

function rowSchema(columns: Readonly<Record<string, ColumnType>>, zeroLatency = false) {
  const shape: Record<string, z.ZodType<string | number>> = {
    latency: zeroLatency ? CLAMPED_LATENCY_SCHEMA : LATENCY_SCHEMA,
  };
  for (const [name, type] of Object.entries(columns)) shape[name] = COLUMN_SCHEMAS[type];
  return z.object(shape);
}

function readBytes(path: string, shown: string): ArrayBuffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new ServeTuneError(`Cannot read ${shown}: ${(error as Error).message}`, 'io', shown);
  }
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * The rows of one measured table, every value checked: a file that cannot be read or parsed, a missing
 * column or a bad value is a ServeTuneError naming the file (as `shown`) and the column.
 */
export async function readOpRows(path: string, shown: string, spec: OpSpec): Promise<OpRow[]> {
  const file = readBytes(path, shown);
  let present: Set<string>;
  try {
    present = new Set(parquetMetadata(file).schema.map((element) => element.name));
  } catch (error) {
    throw new ServeTuneError(
      `${shown}: not a readable parquet file (${(error as Error).message})`,
      'invalid-config',
      shown,
    );
  }
  const required = { ...spec.columns, latency: 'real' };
  for (const column of Object.keys(required)) {
    if (!present.has(column)) {
      throw new ServeTuneError(`${shown}: no column '${column}'`, 'invalid-config', `${shown}:${column}`);
    }
  }
  const optional = Object.entries(spec.optional ?? {}).filter(([column]) => present.has(column));
  const columns = [...Object.keys(required), ...optional.map(([column]) => column)];
  let raw: Record<string, unknown>[];
  try {
    raw = await parquetReadObjects({ file, compressors, columns, rowFormat: 'object' });
  } catch (error) {
    throw new ServeTuneError(
      `${shown}: cannot decode (${(error as Error).message})`,
      'invalid-config',
      shown,
    );
  }
  const schema = rowSchema(
    {
      ...spec.columns,
      ...Object.fromEntries(optional.map(([column, { type }]) => [column, type])),
    },
    spec.zeroLatency,
  );
  const absent = Object.entries(spec.optional ?? {}).filter(([column]) => !present.has(column));
  return raw.map((row, i) => {
    const parsed = schema.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const column = String(issue.path[0] ?? '');
      throw new ServeTuneError(
        `${shown}: row ${i + 1}, column '${column}': ${issue.message}`,
        'invalid-config',
        `${shown}:${column}`,
      );
    }
    const values: Record<string, string | number> = parsed.data;
    for (const [column, { absent: value }] of absent) values[column] = value;
    return values as OpRow;
  });
}
