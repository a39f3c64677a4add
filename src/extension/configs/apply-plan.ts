import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TextEdit } from '../../engine/config/source.js';
import type { TuneBlockResult } from '../../engine/tune/schema.js';
import { editsOverCurrent, readEditableText } from '../../engine/tune/write.js';
import { readConfigIfFile } from '../../engine/util/files.js';

// The part of the editor's Apply that decides what to change, kept free of the editor API so it is
// tested as `tune --write`'s is: the same re-plan-or-refuse rule, the same UTF-8 rule.

export interface ApplyInput {
  /** The config file the user tuned (its block `block`). */
  path: string;
  block: number;
  tuning: Pick<TuneBlockResult, 'changes' | 'edits' | 'editProblems'>;
  /** The text of each file as it was when the block was tuned. */
  plannedOn: ReadonlyMap<string, string>;
  /** The editor's open buffers (unsaved text included), by path. */
  buffers: ReadonlyMap<string, string>;
}

export interface ApplyPlan {
  /** Over the buffers and files as they are now. */
  edits: readonly TextEdit[];
  /** Files other than `path` the edits change (a `--config` YAML, a compose `.env`): the user decides. */
  referenced: string[];
  /** Changes that are not made (text several places share, …): the user is told before anything changes. */
  problems: readonly string[];
}

/**
 * What Apply changes: the tuned edits where nothing changed since, else the edits planned again on the
 * text now and kept only if they make the same change; a ServeTuneError (nothing changed) where the
 * block changed, or where a file the edits touch is not valid UTF-8 on disk (the editor shows such a
 * file decoded lossily, and saving it would write U+FFFD over every byte it could not read).
 */
export function planApply(input: ApplyInput): ApplyPlan {
  const files = [...new Set([input.path, ...input.tuning.edits.map((e) => e.range.file)])];
  const onDisk = new Map<string, string>();
  for (const file of files) if (existsSync(file)) onDisk.set(file, readEditableText(file));
  const current = (path: string) => input.buffers.get(path) ?? onDisk.get(path) ?? readConfigIfFile(path);
  const edits = editsOverCurrent(
    {
      path: input.path,
      block: input.block,
      changes: input.tuning.changes,
      edits: input.tuning.edits,
      plannedOn: (path) => input.plannedOn.get(path),
      wording: { since: 'since it was tuned', again: 'tune it again' },
    },
    current,
  );
  const named = resolve(input.path);
  const referenced = [...new Set(edits.map((e) => e.range.file))].filter((f) => resolve(f) !== named);
  return { edits, referenced, problems: input.tuning.editProblems };
}

/** The edits of a plan that change only the file the user named. */
export function namedFileOnly(plan: ApplyPlan, path: string): readonly TextEdit[] {
  const named = resolve(path);
  return plan.edits.filter((e) => resolve(e.range.file) === named);
}
