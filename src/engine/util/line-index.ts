/**
 * Offsets of one text to lines and columns, both zero-based (editor convention) and in UTF-16 units as
 * JavaScript strings count them: the one place a file's offset becomes a place a person can find,
 * for config diagnostics (config/source.ts) and JSON syntax errors (json-text.ts) alike.
 */
export class LineIndex {
  /** The offset each line starts at: 0, then one past each `\n`. */
  protected readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** The line and column of `offset`, clamped into the text. */
  position(offset: number): { offset: number; line: number; column: number } {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) low = mid;
      else high = mid - 1;
    }
    return { offset: clamped, line: low, column: clamped - this.lineStarts[low] };
  }
}
