import type { BlockProblem, ConfigFileReport, ServingBlock } from '../config/block.js';
import { readConfig } from '../config/read.js';
import { formatLocation } from '../config/source.js';
import { isServeTuneError, ServeTuneError } from '../util/errors.js';
import { readConfigIfFile } from '../util/files.js';

/**
 * A config file's report and its block `index` (with the files it refers to read through `readFile`);
 * `text`, where given, is the file's text as the editor holds it. A file that cannot be read, holds no
 * serving block or has no such block is a ServeTuneError saying which and what the file holds instead.
 * `purpose` names what the block is read for, in the error ("no serving block to tune").
 */
export function readBlock(
  path: string,
  text: string | undefined,
  index: number,
  readFile: (path: string) => string | undefined = readConfigIfFile,
  purpose = 'tune',
): { text: string; report: ConfigFileReport; block: ServingBlock } {
  const source = text ?? readOrRefuse(path, readFile);
  const report = readConfig(path, source, { readFile });
  if (report.blocks.length === 0) {
    const why = report.problems[0]?.message ?? 'no serving command found';
    throw new ServeTuneError(`${path}: no serving block to ${purpose} (${why})`, 'invalid-config', path);
  }
  const block = report.blocks[index];
  if (!block) {
    throw new ServeTuneError(
      `${path}: there is no block ${index}: the file has ${report.blocks.length} serving block${report.blocks.length === 1 ? '' : 's'} (0-based)`,
      'invalid-argument',
      '--block',
    );
  }
  return { text: source, report, block };
}

/** The file's text; an unreadable or missing file is a ServeTuneError naming it. */
function readOrRefuse(path: string, readFile: (path: string) => string | undefined): string {
  let text: string | undefined;
  try {
    text = readFile(path);
  } catch (error) {
    if (isServeTuneError(error)) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new ServeTuneError(`Cannot read ${path}: ${why}`, 'io', path);
  }
  if (text === undefined) throw new ServeTuneError(`Cannot read ${path}: no such file`, 'io', path);
  return text;
}

/**
 * The engine the command line asks for, refused where it is not the one the block serves with: only
 * its version may differ (`--engine <id>@<version>`).
 */
export function refuseOtherEngine(blockEngine: string, asked: { id: string } | undefined): void {
  if (!asked || asked.id === blockEngine) return;
  throw new ServeTuneError(
    `--engine ${asked.id}: the block serves with ${blockEngine}; give its version (--engine ${blockEngine}@<version>) or leave --engine out`,
    'invalid-argument',
    '--engine',
  );
}

/**
 * Refuses a block whose file or text holds errors: malformed text, and values its engine would reject
 * (`tp-size: abc`, `--gpu-memory-utilization 1.5`). Read on, such a value would silently become the
 * engine's default, a prediction of a deployment the file does not describe. The error names the first
 * by file, line and column and how many more `servetune check` lists.
 */
export function refuseBlockErrors(path: string, report: ConfigFileReport, block: ServingBlock): void {
  const unreadable: BlockProblem[] = block.occurrences.flatMap((occurrence) =>
    occurrence.error === undefined
      ? []
      : [
          {
            severity: 'error',
            message: occurrence.error,
            range: occurrence.valueRange ?? occurrence.keyRange ?? block.range,
          },
        ],
  );
  const errors = [...report.problems, ...block.problems, ...unreadable].filter((p) => p.severity === 'error');
  if (errors.length === 0) return;
  const where = formatLocation(errors[0].range);
  const more =
    errors.length > 1 ? ` (and ${errors.length - 1} more: servetune check ${path} lists them)` : '';
  throw new ServeTuneError(`${where}: ${errors[0].message}${more}`, 'invalid-config', where);
}
