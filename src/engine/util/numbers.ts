// Numbers as people type them: one reading for the CLI's flags and the editor's input boxes.

/**
 * A number as a person writes one in decimal: digits with an optional sign, fraction and exponent
 * (`4`, `-2`, `0.5`, `.5`, `1e6`). `Number()` alone also takes `0x10`, `0b11`, `0o7`, `Infinity` and an
 * empty string (as 0), which a flag must not turn into a value nobody wrote.
 */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** The value of a decimal number, or undefined for anything else (or one too large to be finite). */
export function decimal(value: string): number | undefined {
  const text = value.trim();
  if (!DECIMAL.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** A whole number written in digits, within what a double holds exactly. */
export function wholeNumber(value: string): number | undefined {
  const text = value.trim();
  if (!/^\+?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}
