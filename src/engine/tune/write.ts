import { applyEdits, planEdits } from '../config/apply.js';
import type { ConfigFileReport } from '../config/block.js';
import { readConfig } from '../config/read.js';
import type { PartialServingSettings } from '../config/serving-settings.js';
import type { TextEdit } from '../config/source.js';
import { ServeTuneError } from '../util/errors.js';
import { invalidUtf8Offset, MAX_CONFIG_FILE_BYTES, readConfigIfFile, readInputBytes } from '../util/files.js';
import { disaggregationSides } from './config-simulation.js';

/**
 * A config file's text as ServeTune may edit it: a regular file within MAX_CONFIG_FILE_BYTES, and valid
 * UTF-8 (a lossy decoding would write U+FFFD over every byte it could not read).
 */
export function readEditableText(path: string): string {
  const bytes = readInputBytes(path, MAX_CONFIG_FILE_BYTES);
  const bad = invalidUtf8Offset(bytes);
  if (bad !== undefined) {
    const byte = bytes[bad]?.toString(16).padStart(2, '0') ?? 'end';
    throw new ServeTuneError(
      `${path}: not valid UTF-8 at byte ${bad} (0x${byte}); ServeTune edits only UTF-8 text, and writes nothing`,
      'invalid-config',
      path,
    );
  }
  return bytes.toString('utf8');
}

export interface PlannedChange {
  /** The config file and its block (as `tuneBlock` took them). */
  path: string;
  block: number;
  /** The settings to change and the edits planned for them (`TuneBlockResult.changes`, `.edits`). */
  changes: PartialServingSettings;
  edits: readonly TextEdit[];
  /** The text of each file as it was when the edits were planned. */
  plannedOn: (path: string) => string | undefined;
  /** How a refusal words it: when the file changed, and what to do (default: the CLI's `tune`). */
  wording?: { since: string; again: string };
}

export interface FileWrite {
  path: string;
  before: string;
  after: string;
}

/**
 * What to write for a planned change, over what the files hold now. The edits were planned at the start
 * of a search of minutes; the files may have changed since. Unchanged: the edits apply as planned.
 * Changed: the block is read again from the new text and the edits planned again; they are written
 * only if the block reads the same (its own text, and every edit replacing the same text with the same
 * text), else nothing is written and the error says why. Files that are not valid UTF-8 are refused.
 */
export function planWrite(change: PlannedChange): FileWrite[] {
  const files = [...new Set(change.edits.map((e) => e.range.file))];
  const now = new Map(files.map((file) => [file, readEditableText(file)]));
  const edits = editsOverCurrent(change, (path) => now.get(path) ?? readConfigIfFile(path));
  return files.map((file) => {
    const before = now.get(file)!;
    return { path: file, before, after: applyEdits(before, edits, file) };
  });
}

/**
 * The edits of a planned change over the files as `current` reads them now (an editor passes its
 * buffers): as planned where every file is unchanged, else planned again on the new text and kept only
 * if they make the same change (see `planWrite`); a ServeTuneError saying why otherwise.
 */
export function editsOverCurrent(
  change: PlannedChange,
  current: (path: string) => string | undefined,
): readonly TextEdit[] {
  const files = [...new Set(change.edits.map((e) => e.range.file))];
  const unchanged = files.every((file) => {
    const was = change.plannedOn(file);
    return was !== undefined && current(file) === was;
  });
  return unchanged ? change.edits : replan(change, current);
}

function replan(change: PlannedChange, current: (path: string) => string | undefined): readonly TextEdit[] {
  const planned = (path: string) => change.plannedOn(path) ?? readConfigIfFile(path);
  const refuse = (why: string) =>
    new ServeTuneError(
      `${change.path} changed ${change.wording?.since ?? 'while tune ran'}, and ${why}: nothing written; ${change.wording?.again ?? 'run servetune tune again'}`,
      'io',
      change.path,
    );
  const oldText = planned(change.path);
  const newText = current(change.path);
  if (oldText === undefined || newText === undefined) throw refuse('it cannot be read now');
  const oldReport = readConfig(change.path, oldText, { readFile: planned });
  const newReport = readConfig(change.path, newText, { readFile: current });
  const oldBlock = oldReport.blocks[change.block];
  const newBlock = newReport.blocks[change.block];
  if (!oldBlock || !newBlock) throw refuse(`its block ${change.block} is gone`);
  const writtenAsItWas = (index: number) => {
    const was = oldReport.blocks[index];
    const is = newReport.blocks[index];
    // Labels name lines ("command at line 3"): a block moved by lines added above it is the same block.
    return (
      was !== undefined &&
      is !== undefined &&
      is.kind === was.kind &&
      is.engine === was.engine &&
      oldText.slice(was.range.start.offset, was.range.end.offset) ===
        newText.slice(is.range.start.offset, is.range.end.offset)
    );
  };
  if (!writtenAsItWas(change.block)) throw refuse(`${oldBlock.label} is not written as it was`);
  // A side was tuned within its prefill + decode pair: the other side, as it was, is part of the result.
  for (const partner of pairPartners(oldReport, change.block)) {
    if (!writtenAsItWas(partner)) {
      throw refuse(
        `${oldReport.blocks[partner]?.label}, the other side of its pair, is not written as it was`,
      );
    }
  }
  const edits = planEdits(newBlock, change.changes).edits;
  const alike =
    edits.length === change.edits.length &&
    edits.every((edit, i) => {
      const old = change.edits[i];
      const was = planned(old.range.file);
      const is = current(edit.range.file);
      return (
        old.range.file === edit.range.file &&
        old.newText === edit.newText &&
        was !== undefined &&
        is !== undefined &&
        was.slice(old.range.start.offset, old.range.end.offset) ===
          is.slice(edit.range.start.offset, edit.range.end.offset)
      );
    });
  if (!alike) throw refuse(`the edits for ${oldBlock.label} no longer apply as planned`);
  return edits;
}

/** The blocks serving the other side of a side block's prefill + decode pair; none for a whole server. */
function pairPartners(report: ConfigFileReport, block: number): number[] {
  const sides = disaggregationSides(report);
  if (!sides[block]) return [];
  return sides.flatMap((side, index) => (side && side !== sides[block] ? [index] : []));
}
