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
  return { hardware, calibration, opTables };
}
