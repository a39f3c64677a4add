// What a config diagnostic is (with its quick fix), and what every check on one serving block is given.
import { z } from 'zod';
import type { ServingBlock } from './block.js';
import { PartialServingSettings, type SettingKey } from './serving-settings.js';
import { SourceRange, TextEdit } from './source.js';

export const QuickFix = z.object({
  title: z.string(),
  /** The settings the fix sets, in ServeTune's terms. */
  changes: PartialServingSettings,
  /** The text edits that make the change (empty with `problems` when it cannot be made in this file). */
  edits: z.array(TextEdit),
  problems: z.array(z.string()),
});
export type QuickFix = z.infer<typeof QuickFix>;

export const Diagnostic = z.object({
  severity: z.enum(['error', 'warning', 'info']),
  /** Stable id of the check (`weights-do-not-fit`, `set-twice`, …). */
  code: z.string(),
  message: z.string(),
  range: SourceRange,
  related: z.array(z.object({ range: SourceRange, message: z.string() })).default([]),
  fix: QuickFix.optional(),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

export interface DiagnoseContext {
  /** Hardware catalog id to assume when the file does not name the GPU. */
  hardware?: string;
}

/** Where a diagnostic about `keys` points: the first of them the block sets, else the whole block. */
export function rangeOf(block: ServingBlock, ...keys: SettingKey[]): SourceRange {
  for (const key of keys) {
    const range = block.settings[key]?.range;
    if (range) return range;
  }
  return block.range;
}

export type Push = (d: Omit<Diagnostic, 'related'> & { related?: Diagnostic['related'] }) => void;

/** What every check on one block shares: the block, where its diagnostics go, and how fixes are planned. */
export interface BlockChecking {
  block: ServingBlock;
  push: Push;
  /** A quick fix that makes `changes` in this block's file. */
  fixFor(title: string, changes: PartialServingSettings): QuickFix;
}
