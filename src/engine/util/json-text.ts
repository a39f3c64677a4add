import { ServeTuneError } from './errors.js';
import { LineIndex } from './line-index.js';

/**
 * JSON files as users write them: a byte-order mark is skipped (Windows editors and PowerShell's
 * `Set-Content -Encoding utf8` write one, and JSON.parse refuses it as an invisible "Unexpected token
 * '﻿'"), and a syntax error says its line and column rather than a character offset.
 */

const BOM = '\uFEFF';

/** A JSON syntax error: V8's words, with the line and column (1-based) where they could be found. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
}

/** V8's message placed by line and column: "line 3, column 5: Expected ',' or '}' after property value". */
function placed(text: string, error: Error): string {
  const position = /\bat position (\d+)/.exec(error.message);
  if (!position) return error.message;
  const { line, column } = new LineIndex(text).position(Number(position[1]));
  const words = error.message.replace(/ (?:in JSON )?at position \d+.*$/, '');
  return `line ${line + 1}, column ${column + 1}: ${words}`;
}

/** JSON.parse of a file's text, a leading byte-order mark skipped; a syntax error is a JsonSyntaxError. */
export function parseJsonText(text: string): unknown {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new JsonSyntaxError(placed(body, error as Error));
  }
}

/**
 * Refuses a file of another schema version (`otherSchemaVersion`) as a ServeTuneError naming the file,
 * what it should be (`what`: "a device profile") and its schemaVersion field.
 */
export function checkSchemaVersion(json: unknown, supported: number, file: string, what: string): void {
  const other = otherSchemaVersion(json, supported);
  if (other === undefined) return;
  throw new ServeTuneError(
    `${file}: not ${what} this ServeTune reads: ${other}`,
    'invalid-config',
    `${file}:schemaVersion`,
  );
}

/**
 * Why a file that names its schema version cannot be read here, where that is not `supported`: said as
 * such, not as the first field the newer (or older) layout moved ("field 'schemaVersion' Invalid input:
 * expected 1"). Undefined where the file says no version (its fields are judged) or the one supported.
 */
export function otherSchemaVersion(json: unknown, supported: number): string | undefined {
  if (typeof json !== 'object' || json === null || !('schemaVersion' in json)) return undefined;
  const version: unknown = json.schemaVersion;
  if (version === supported) return undefined;
  return `its schemaVersion is ${JSON.stringify(version)}, and this ServeTune reads version ${supported} (a file of another ServeTune release: write it again with this one)`;
}
