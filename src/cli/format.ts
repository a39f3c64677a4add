import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ServeTuneError } from '../engine/util/errors.js';

const GiB = 1024 ** 3;

export function gib(bytes: number): string {
  return `${(bytes / GiB).toFixed(2)} GiB`;
}

export function compact(n: number): string {
  if (n >= 1e12) return `${(n / 1e12).toFixed(1)}T`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** C0 controls but tab and newline, DEL, and the C1 controls (U+0080-U+009F, where 0x9B is a CSI). */
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
}

/**
 * An error message as a terminal may show it: messages quote what a file or argument held (a trace's
 * field, the start of a file that is not JSON), and an escape sequence there would recolour the
 * terminal, move its cursor or retitle its window, and a carriage return overwrite the line. Each
 * control character is written as `\xNN` instead; tabs and newlines stay.
 */
export function terminalSafe(text: string): string {
  let safe = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    safe += isControl(code) ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
  }
  return safe;
}

/** A plain text table: the first row is the header; numbers right-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  const numeric = (cell: string) => /^[-+]?[\d.,]+\s?[A-Za-z%/]*$/.test(cell);
  return rows
    .map((row, r) =>
      row
        .map((cell, i) => (r > 0 && numeric(cell) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes `text` to `file`; a failure is the command's error, naming the file. */
export function writeTextFile(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new ServeTuneError(`Cannot write ${file}: ${(error as Error).message}`, 'io', file);
  }
}

/** Writes `value` as indented JSON to `file`; a failure is the command's error, naming the file. */
export function writeJsonFile(file: string, value: unknown): void {
  writeTextFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Fails at once, naming the flag, if `file` could not be written: its folder missing or read-only, or
 * the path a folder, or the file read-only. Checked before a run of minutes (search, profile, validate,
 * bench…), whose result a bad path would otherwise lose at the end.
 */
export function checkWritable(file: string, flag: string): void {
  const folder = dirname(resolve(file));
  let problem: string | undefined;
  try {
    const found = statSync(folder, { throwIfNoEntry: false });
    if (!found) problem = `the folder ${folder} does not exist`;
    else if (!found.isDirectory()) problem = `${folder} is not a folder`;
    else accessSync(folder, constants.W_OK);
    const existing = statSync(file, { throwIfNoEntry: false });
    if (existing?.isDirectory()) problem = `${file} is a folder`;
    else if (existing) accessSync(file, constants.W_OK);
  } catch (error) {
    problem = (error as Error).message;
  }
  if (problem !== undefined) {
    throw new ServeTuneError(`${flag} ${file} cannot be written: ${problem}`, 'invalid-argument', flag);
  }
}
