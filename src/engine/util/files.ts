import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ServeTuneError } from './errors.js';

const MiB = 1024 ** 2;

/**
 * The largest JSON or CSV table a flag may name: op tables, device profiles, calibrations, measured
 * runs, a model's config.json. The largest real ones are a few MiB; reading is all at once.
 */
export const MAX_TABLE_FILE_BYTES = 64 * MiB;

/**
 * The largest serving config a command reads (`check`, `tune`, and the files they follow: a compose
 * `.env`, an engine `--config` YAML) and the largest servetune.json. Real ones are a few KiB; a config
 * of megabytes is generated or a mistake, and parsing YAML of that size takes a minute.
 */
export const MAX_CONFIG_FILE_BYTES = 2 * MiB;

export function mibText(bytes: number): string {
  return `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 2 : 0)} MiB`;
}

/**
 * What is said of a file of `bytes` over the `maxBytes` it may be, after `prefix` (its path, or the flag
 * and path): the CLI on reading it, the editor before sending its text to the worker.
 */
export function tooLargeMessage(prefix: string, bytes: number, maxBytes: number): string {
  return `${prefix}: ${mibText(bytes)} is larger than the ${mibText(maxBytes)} such a file may be (docs/limits.md)`;
}

function kindOf(stat: { isDirectory(): boolean }): string {
  return stat.isDirectory() ? 'a folder' : 'a device, pipe or socket';
}

/**
 * Refuses at once what a flag names if it is not a regular file of at most `maxBytes`: a missing path,
 * a folder, a device (`/dev/zero`, which never ends), a pipe, or a file too large to read whole. The
 * message names the flag (when given), the path and the limit.
 */
export function checkInputFile(path: string, maxBytes: number, flag?: string): void {
  const where = flag ?? path;
  const prefix = flag ? `${flag} ${path}` : path;
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    throw new ServeTuneError(`${prefix}: cannot be read: ${(error as Error).message}`, 'io', where);
  }
  if (!stat) throw new ServeTuneError(`${prefix}: no such file`, 'io', where);
  if (!stat.isFile()) {
    throw new ServeTuneError(`${prefix}: not a regular file (${kindOf(stat)})`, 'io', where);
  }
  if (stat.size > maxBytes) {
    throw new ServeTuneError(tooLargeMessage(prefix, stat.size, maxBytes), 'invalid-argument', where);
  }
}

/**
 * The bytes of a regular file of at most `maxBytes` (checked as `checkInputFile` does). At most
 * `maxBytes + 1` bytes are ever read, so a file that grows while it is read, or reports no size (as
 * files under /proc do), is still refused rather than read without end.
 */
export function readInputBytes(path: string, maxBytes: number, flag?: string): Buffer {
  checkInputFile(path, maxBytes, flag);
  const where = flag ?? path;
  const prefix = flag ? `${flag} ${path}` : path;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new ServeTuneError(`${prefix}: cannot be read: ${(error as Error).message}`, 'io', where);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new ServeTuneError(`${prefix}: not a regular file`, 'io', where);
    const chunks: Buffer[] = [];
    let total = 0;
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, MiB));
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      total += read;
      if (total > maxBytes) {
        throw new ServeTuneError(
          `${prefix}: larger than the ${mibText(maxBytes)} such a file may be (docs/limits.md)`,
          'invalid-argument',
          where,
        );
      }
      chunks.push(Buffer.from(buffer.subarray(0, read)));
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof ServeTuneError) throw error;
    throw new ServeTuneError(`${prefix}: cannot be read: ${(error as Error).message}`, 'io', where);
  } finally {
    closeSync(fd);
  }
}

/** The text of a regular file of at most `maxBytes`, decoded as UTF-8 (see `readInputBytes`). */
export function readInputText(path: string, maxBytes: number, flag?: string): string {
  return readInputBytes(path, maxBytes, flag).toString('utf8');
}

/** The byte offset of the first byte that is not valid UTF-8, or undefined when all of it is. */
export function invalidUtf8Offset(bytes: Uint8Array): number | undefined {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return undefined;
  } catch {
    // Where: decoding growing prefixes would be quadratic; walk the encoding instead.
    return firstInvalidUtf8(bytes);
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let extra: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      extra = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      extra = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      extra = 3;
      min = 0x10000;
    } else return i;
    if (i + extra >= bytes.length) return i; // cut off at the end
    let code = b & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += extra + 1;
  }
  return bytes.length;
}

/**
 * A serving config (or a file it refers to: a `.env`, an engine YAML) as the config readers take it:
 * undefined where there is no regular file, the text where there is one of at most
 * MAX_CONFIG_FILE_BYTES, an error naming the file and the limit where it is larger.
 */
export function readConfigIfFile(path: string): string | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat?.isFile()) return undefined;
  return readInputText(path, MAX_CONFIG_FILE_BYTES);
}

/**
 * Writes several files all or nothing: each text goes to a temporary file beside its target (same
 * folder, so the rename stays on one file system), is flushed to disk, and only when every one is
 * written are they renamed over their targets. A failure before that (ENOSPC, a folder gone) removes
 * the temporary files and leaves every target as it was. A target that is a symbolic link is written
 * through to the file it names, with that file's permissions.
 */
export function writeFilesAtomically(files: readonly { path: string; text: string }[]): void {
  const staged: { temp: string; target: string }[] = [];
  const cleanUp = () => {
    for (const { temp } of staged) rmSync(temp, { force: true });
  };
  for (const file of files) {
    let target = file.path;
    let fd: number | undefined;
    try {
      target = existsSync(file.path) ? realpathSync(file.path) : file.path;
      const mode = statSync(target, { throwIfNoEntry: false })?.mode ?? 0o644;
      const temp = join(
        dirname(target),
        `.${basename(target)}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`,
      );
      fd = openSync(temp, 'wx', mode & 0o7777);
      staged.push({ temp, target });
      const bytes = Buffer.from(file.text, 'utf8');
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      cleanUp();
      throw new ServeTuneError(
        `Cannot write ${file.path}: ${(error as Error).message}; no file was changed`,
        'io',
        file.path,
      );
    }
    closeSync(fd);
  }
  for (let i = 0; i < staged.length; i++) {
    try {
      renameSync(staged[i].temp, staged[i].target);
    } catch (error) {
      for (const { temp } of staged.slice(i)) rmSync(temp, { force: true });
      const done = staged.slice(0, i).map((s) => s.target);
      throw new ServeTuneError(
        `Cannot replace ${staged[i].target}: ${(error as Error).message}; ${done.length > 0 ? `already replaced: ${done.join(', ')}` : 'no file was changed'}`,
        'io',
        staged[i].target,
      );
    }
  }
  for (const folder of new Set(staged.map((s) => dirname(s.target)))) syncFolder(folder);
}

/** Flushes a folder's entries (the renames) to disk where the platform allows it. */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform can open a folder for fsync (Windows); the renames stand either way.
  }
}
