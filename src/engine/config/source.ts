import { z } from 'zod';
import { LineIndex } from '../util/line-index.js';

/** A place in a file. `line` and `column` are zero-based (editor convention); `offset` counts UTF-16 units. */
export const Position = z.object({
  offset: z.number().int().nonnegative(),
  line: z.number().int().nonnegative(),
  column: z.number().int().nonnegative(),
});
export type Position = z.infer<typeof Position>;

/** A half-open span of a file's text: `start` is the first character, `end` the one after the last. */
export const SourceRange = z.object({ file: z.string(), start: Position, end: Position });
export type SourceRange = z.infer<typeof SourceRange>;

/** Replace the text of `range` with `newText` (an empty range inserts, an empty `newText` deletes). */
export const TextEdit = z.object({ range: SourceRange, newText: z.string() });
export type TextEdit = z.infer<typeof TextEdit>;

/** Offsets to line/column for one file's text, and the ranges and edits of config diagnostics. */
export class SourceFile extends LineIndex {
  constructor(
    readonly path: string,
    text: string,
  ) {
    super(text);
  }

  range(start: number, end: number): SourceRange {
    return { file: this.path, start: this.position(start), end: this.position(end) };
  }

  /** The whitespace that starts the line holding `offset`. */
  indentAt(offset: number): string {
    const line = this.position(offset).line;
    const start = this.lineStarts[line];
    let end = start;
    while (end < this.text.length && (this.text[end] === ' ' || this.text[end] === '\t')) end++;
    return this.text.slice(start, end);
  }

  /** Offset of the end of the line holding `offset` (before its newline, `\n` or `\r\n`). */
  lineEnd(offset: number): number {
    const newline = this.text.indexOf('\n', offset);
    if (newline === -1) return this.text.length;
    return newline > offset && this.text[newline - 1] === '\r' ? newline - 1 : newline;
  }

  /** Offset of the start of the next line after `offset` (the text's end on the last line). */
  nextLineStart(offset: number): number {
    const newline = this.text.indexOf('\n', offset);
    return newline === -1 ? this.text.length : newline + 1;
  }
}

/** Where a range starts, for people: `file:line:column`, one-based. */
export function formatLocation(range: SourceRange): string {
  return `${range.file}:${range.start.line + 1}:${range.start.column + 1}`;
}
