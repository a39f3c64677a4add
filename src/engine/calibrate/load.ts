import type { HardwareSpec } from '../hardware/spec.js';
import { Calibration } from '../perf/calibration.js';
import { calibrationForTarget, readDeviceProfile } from '../perf/report.js';
import { ServeTuneError } from '../util/errors.js';
import { checkInputFile, MAX_TABLE_FILE_BYTES, readInputText } from '../util/files.js';
import { parseJsonText } from '../util/json-text.js';
import { issueText } from '../util/zod-messages.js';
import { profileTransferNote } from './profile-transfer.js';

/** Reads a saved calibration (the output of `servetune calibrate`), with field-level errors. */
export function readCalibration(file: string): Calibration {
  const text = readInputText(file, MAX_TABLE_FILE_BYTES, '--calibration');
  let json: unknown;
  try {
    json = parseJsonText(text);
  } catch (error) {
    throw new ServeTuneError(`Cannot read calibration ${file}: ${(error as Error).message}`, 'io', file);
  }
  const parsed = Calibration.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServeTuneError(
      `${file}: not a calibration: ${issueText(issue)}`,
      'invalid-config',
      issue.path.length > 0 ? `${file}:${issue.path.join('.')}` : file,
    );
  }
  return parsed.data;
}

/** Where a run's calibration comes from: a saved calibration or a measured device profile, at most one. */
interface CalibrationSource {
  /** A saved calibration file (`servetune calibrate --out`). */
  calibration?: string;
  /** A measured device profile (`servetune profile --out`), translated to `hardware`. */
  profile?: string;
}

/**
 * The calibration `--calibration` or `--profile` names for a run on `hardware`, or undefined for the
 * device class's defaults. Both at once is an error: which should win is the user's to say.
 */
export function loadCalibration(source: CalibrationSource, hardware: HardwareSpec): Calibration | undefined {
  return loadCalibrationAndNote(source, hardware).calibration;
}

/**
 * `loadCalibration`, and where a profile of another device calibrates `hardware`, a note of that:
 * which device measured it, what is carried over and what is not (`profileTransferNote`).
 */
export function loadCalibrationAndNote(
  source: CalibrationSource,
  hardware: HardwareSpec,
): { calibration: Calibration | undefined; note?: string } {
  if (source.calibration && source.profile) {
    throw new ServeTuneError(
      'give --profile or --calibration, not both',
      'invalid-argument',
      '--calibration',
    );
  }
  if (source.calibration) return { calibration: readCalibration(source.calibration) };
  if (source.profile) {
    checkInputFile(source.profile, MAX_TABLE_FILE_BYTES, '--profile');
    const profile = readDeviceProfile(source.profile);
    const note = profileTransferNote(profile, hardware);
    return { calibration: calibrationForTarget(profile, hardware), ...(note ? { note } : {}) };
  }
  return { calibration: undefined };
}
