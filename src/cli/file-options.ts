import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { checkInputFile, MAX_TABLE_FILE_BYTES } from '../engine/util/files.js';
import { checkWritable } from './format.js';

/**
 * Options that name files, marked so that one hook of the program (`checkFileOptions`) checks them all
 * before any command's action runs: what a command will write must be writable, what it will read must
 * be a regular file of bounded size. A run of minutes then never loses its result to a missing folder at
 * the end, and `/dev/zero` given as a table is refused instead of read without end.
 */
const OUTPUTS = new WeakSet<Option>();
const INPUT_LIMITS = new WeakMap<Option, number>();
const MODEL_REFERENCES = new WeakSet<Option>();

/** An option naming a file the command writes. */
export function outputOption(flags: string, description: string): Option {
  const option = new Option(flags, description);
  OUTPUTS.add(option);
  return option;
}

/** An option naming a file (or, repeatable, files) the command reads whole: at most `maxBytes` each. */
export function inputOption(flags: string, description: string, maxBytes = MAX_TABLE_FILE_BYTES): Option {
  const option = new Option(flags, description);
  INPUT_LIMITS.set(option, maxBytes);
  return option;
}

/**
 * `--model` (or `--config`) as most commands take it: a catalog id, a repository id, or the path of a
 * config.json (or of a folder holding one); only a path is checked as a file.
 */
export function modelOption(
  flags = '--model <id|org/name|config.json>',
  description = 'catalog model id, Hugging Face repository id, or a config.json',
): Option {
  const option = new Option(flags, description);
  MODEL_REFERENCES.add(option);
  return option;
}

export function isOutputOption(option: Option): boolean {
  return OUTPUTS.has(option);
}

export function isInputOption(option: Option): boolean {
  return INPUT_LIMITS.has(option) || MODEL_REFERENCES.has(option);
}

function checkModelReference(reference: string, flag: string): void {
  if (!existsSync(reference)) return; // a catalog or repository id; resolving it says what is wrong
  const file = statSync(reference).isDirectory() ? join(reference, 'config.json') : reference;
  if (existsSync(file)) checkInputFile(file, MAX_TABLE_FILE_BYTES, flag);
}

/** Fails, naming the flag, on the first file option given to `command` that could not be used. */
export function checkFileOptions(command: Command): void {
  for (const option of command.options) {
    const value: unknown = command.getOptionValue(option.attributeName());
    const flag = option.long ?? option.flags;
    const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
    for (const path of values) {
      if (typeof path !== 'string') continue;
      if (OUTPUTS.has(option)) checkWritable(path, flag);
      const limit = INPUT_LIMITS.get(option);
      if (limit !== undefined) checkInputFile(path, limit, flag);
      if (MODEL_REFERENCES.has(option)) checkModelReference(path, flag);
    }
  }
}
