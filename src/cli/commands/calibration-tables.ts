// The GPU, calibration and measured op tables a run's flags name, as `step` and `simulate` both load them.
import { loadCalibrationAndNote } from '../../engine/calibrate/load.js';
import { getHardware } from '../../engine/hardware/catalog.js';
import type { MeasuredOpTables } from '../../engine/perf/op-tables.js';
import { readOpTables } from '../../engine/perf/report.js';

/** The catalog GPU, the calibration that --profile or --calibration gives, and the --op-tables read. */
export function calibrationAndTables(
  flags: { profile?: string; calibration?: string; opTables?: string[] },
  hardwareId: string,
) {
  const hardware = getHardware(hardwareId);
  const { calibration, note } = loadCalibrationAndNote(flags, hardware);
  // On stderr, so that --json output stays one document.
  if (note) console.error(`note: ${note}`);
  const opTables: MeasuredOpTables | undefined =
    flags.opTables && flags.opTables.length > 0 ? readOpTables(flags.opTables) : undefined;
  if (opTables) console.error(`note: ${opTablesNote(opTables)}`);
  return { hardware, calibration, opTables };
}

/**
 * What the imported tables hold: the ops and TP degrees they time, since an op or TP they lack falls
 * back to the engine's tables or the roofline without a word in simulate's summary.
 */
export function opTablesNote(tables: MeasuredOpTables): string {
  const tps = (rows: readonly { tp?: number; workers?: number }[]) =>
    [...new Set(rows.map((r) => r.tp ?? r.workers ?? 1))].sort((a, b) => a - b).join(', ');
  const parts: string[] = [];
  if (tables.ops.length > 0)
    parts.push(`${[...new Set(tables.ops.map((o) => o.op))].join(', ')} at TP ${tps(tables.ops)}`);
  if (tables.prefillAttention.length > 0)
    parts.push(`prefill attention at TP ${tps(tables.prefillAttention)}`);
  if (tables.decodeAttention.length > 0) parts.push(`decode attention at TP ${tps(tables.decodeAttention)}`);
  if (tables.allReduce.length > 0) parts.push(`all-reduce over ${tps(tables.allReduce)} GPUs`);
  const held = parts.length > 0 ? parts.join('; ') : 'no rows';
  return `op tables ${tables.source}: ${held}; these time the run's ops of the same name and TP first (step shows each op's source), the rest come from the engine's tables or the roofline`;
}
