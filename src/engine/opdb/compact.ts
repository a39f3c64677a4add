import { z } from 'zod';
import { ServeTuneError } from '../util/errors.js';
import { sortedRows } from './key-ordered-rows.js';
import { OP_KINDS, OP_SPECS } from './ops.js';
import { OpTable, type OpTableColumns } from './table.js';

/**
 * The compact form of op tables that ships in the package (data/opdb/<system>/<backend>.json.gz): per
 * table, the distinct values of each axis, and per row the index into them and the latency, both written
 * as differences from the row before (rows in key order), so that gzip finds them small and repetitive.
 * Latencies are kept to a relative step: code = round(ln(ms) / ln(1 + step)).
 */
export const OPDB_FORMAT = 'servetune-opdb/1';

/** 0.5 %: rounding moves a latency by at most 0.25 %, well inside run-to-run spread of GPU kernels. */
export const LATENCY_STEP = 0.005;

const integers = z.custom<number[]>(
  (value) => Array.isArray(value) && value.every((v) => Number.isSafeInteger(v)),
  'expected an array of integers',
);

const CompactTable = z.object({
  kind: z.enum(OP_KINDS),
  version: z.string().min(1),
  file: z.string().min(1),
  notes: z.array(z.string()),
  rows: z.number().int().positive(),
  levels: z.array(z.array(z.union([z.number(), z.string()])).min(1)),
  index: z.array(integers),
  latency: integers,
});
type CompactTable = z.infer<typeof CompactTable>;

export const CompactOpDb = z.object({
  format: z.literal(OPDB_FORMAT),
  /** Where the measurements come from (repository, commit, licence). */
  source: z.string(),
  system: z.string().min(1),
  backend: z.string().min(1),
  latencyStep: z.number().positive(),
  tables: z.array(CompactTable),
});
export type CompactOpDb = z.infer<typeof CompactOpDb>;

const deltas = (values: ArrayLike<number>, order: ArrayLike<number>): number[] => {
  const out = new Array<number>(order.length);
  let previous = 0;
  for (let i = 0; i < order.length; i++) {
    const value = values[order[i]];
    out[i] = value - previous;
    previous = value;
  }
  return out;
};

/** The running sums; undefined where one leaves the 32-bit range (an Int32Array would wrap it silently). */
const prefixSums = (differences: readonly number[]): Int32Array | undefined => {
  const out = new Int32Array(differences.length);
  let sum = 0;
  for (let i = 0; i < differences.length; i++) {
    sum += differences[i];
    if (sum < -(2 ** 31) || sum >= 2 ** 31) return undefined;
    out[i] = sum;
  }
  return out;
};

/** One table in the compact form, rows in key order. */
export function compactTable(table: OpTable, step = LATENCY_STEP): CompactTable {
  const { levels, index, latencyMs } = table.columns;
  const order = sortedRows(table.columns);
  const logStep = Math.log1p(step);
  const codes = new Int32Array(latencyMs.length);
  for (let row = 0; row < codes.length; row++) codes[row] = Math.round(Math.log(latencyMs[row]) / logStep);
  return {
    kind: table.origin.kind,
    version: table.origin.version,
    file: table.origin.file,
    notes: [...table.origin.notes],
    rows: latencyMs.length,
    levels: levels.map((values) => [...values]),
    index: index.map((column) => deltas(column, order)),
    latency: deltas(codes, order),
  };
}

/** The OpTables of a compact file, every field and index checked; `shown` names the file in errors. */
export function expandCompactOpDb(json: unknown, shown: string): OpTable[] {
  const parsed = CompactOpDb.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.');
    throw new ServeTuneError(
      `${shown}: field '${field}' ${issue.message}`,
      'invalid-config',
      `${shown}:${field}`,
    );
  }
  const db = parsed.data;
  const logStep = Math.log1p(db.latencyStep);
  return db.tables.map((table, t) => {
    const spec = OP_SPECS[table.kind];
    const bad = (what: string) =>
      new ServeTuneError(`${shown}: table ${table.kind}: ${what}`, 'invalid-config', `${shown}:tables.${t}`);
    if (table.levels.length !== spec.axes.length || table.index.length !== spec.axes.length) {
      throw bad(`expected ${spec.axes.length} axes, found ${table.levels.length}`);
    }
    spec.axes.forEach((axis, a) => {
      const values = table.levels[a];
      const fits =
        axis.kind === 'choice'
          ? values.every((v) => typeof v === 'string')
          : values.every(
              (v, i) => typeof v === 'number' && v > 0 && (i === 0 || v > (values[i - 1] as number)),
            );
      if (!fits)
        throw bad(
          `axis ${axis.name}: values must be ${axis.kind === 'choice' ? 'text' : 'positive and ascending'}`,
        );
    });
    const index = table.index.map((column, a) => {
      const values = prefixSums(column);
      if (!values) throw bad(`axis ${spec.axes[a].name}: index out of range`);
      if (values.length !== table.rows)
        throw bad(`axis ${spec.axes[a].name}: ${values.length} rows, not ${table.rows}`);
      if (values.some((v) => v < 0 || v >= table.levels[a].length))
        throw bad(`axis ${spec.axes[a].name}: index out of range`);
      return values;
    });
    if (table.latency.length !== table.rows)
      throw bad(`${table.latency.length} latencies, not ${table.rows}`);
    const codes = prefixSums(table.latency);
    if (!codes) throw bad('a latency code is out of range');
    const latencyMs = new Float64Array(codes.length);
    for (let row = 0; row < codes.length; row++) {
      latencyMs[row] = Math.exp(codes[row] * logStep);
      // A code beyond what a double holds as a time (0 or Infinity ms) is a damaged file.
      if (!(latencyMs[row] > 0 && latencyMs[row] < Number.POSITIVE_INFINITY))
        throw bad(`row ${row}: latency code ${codes[row]} is out of range`);
    }
    const columns: OpTableColumns = { levels: table.levels, index, latencyMs };
    const origin = {
      kind: table.kind,
      system: db.system,
      backend: spec.collective ? 'nccl' : db.backend,
      version: table.version,
      file: table.file,
      notes: table.notes,
    };
    return new OpTable(origin, spec.axes, columns);
  });
}
