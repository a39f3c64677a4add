import { z } from 'zod';
import { ConfigFileReport } from '../config/block.js';
import { Diagnostic, diagnoseFile } from '../config/diagnostics.js';
import { readConfig } from '../config/read.js';
import { readConfigIfFile } from '../util/files.js';
import { ConfigText } from './config-text.js';

export const CheckConfigInput = z.object({
  path: z.string().min(1),
  /** The file's text (an editor's unsaved buffer); siblings (`.env`, `--config` YAMLs) are read from disk. */
  text: ConfigText,
  /** GPU catalog id where the file does not name one. */
  hardware: z.string().min(1).optional(),
});
export type CheckConfigInput = z.input<typeof CheckConfigInput>;

export const CheckConfigResult = z.object({ report: ConfigFileReport, diagnostics: z.array(Diagnostic) });
export type CheckConfigResult = z.infer<typeof CheckConfigResult>;

const readIfFile = readConfigIfFile;

/** `servetune check` for one file's text: its serving blocks and the diagnostics (never throws on bad input). */
export function checkConfig(input: CheckConfigInput): CheckConfigResult {
  const report = readConfig(input.path, input.text, { readFile: readIfFile });
  return { report, diagnostics: diagnoseFile(report, input.hardware ? { hardware: input.hardware } : {}) };
}
