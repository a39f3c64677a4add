// JSON's own rules for a manifest written as JSON. The readers parse JSON as YAML 1.2 (ranges and edits
// alike), but YAML takes what JSON does not: a comma before `}` or `]`, and (as plain text) comments.
// kubectl reads a file whose first non-space character is `{` with Go's encoding/json and refuses such
// a file (kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/yaml/decoder.go,
// YAMLOrJSONDecoder.Decode and hasJSONPrefix, at 044f937cf3c061da43a91b7565fb555b7bdcc566), so a
// manifest that reads well here must also be JSON there.
// Hand-written, not jsonc-parser: its visitor recurses three calls a nesting level and overflows the stack
// near 5,000 levels, where this scan must still locate an error 100,000 deep; on its tokenizer alone the
// grammar, duplicate keys and messages stayed ours, for no fewer lines.
import type { BlockProblem } from '../block.js';
import { SourceFile } from '../source.js';

/** The first syntax error, each repeated key, and the comments (which YAML would read as text). */
interface JsonScan {
  /** `opener`: the `{` or `[` the file ends inside, for the message to name. */
  error?: { at: number; end: number; message: string; opener?: number };
  duplicates: { at: number; end: number; key: string; first: number }[];
  comments: [number, number][];
}

interface Open {
  close: '}' | ']';
  at: number;
  keys: Map<string, number>;
}

type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'end';

const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/** A character as a message names it. */
function named(char: string): string {
  if (char === '\n' || char === '\r') return 'a line break';
  if (char === '\t') return 'a tab';
  return `'${char}'`;
}

/**
 * Scans JSON text (a stream of values, as Go's json.Decoder reads it) without recursion, so nesting
 * thousands deep costs no stack. Stops at the first syntax error; comments are noted and skipped.
 */
function scanJson(text: string): JsonScan {
  const scan: JsonScan = { duplicates: [], comments: [] };
  const stack: Open[] = [];
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let expect: Expect = 'value';
  let commaAt = -1;
  const fail = (from: number, to: number, message: string, opener?: number): JsonScan => {
    scan.error = { at: from, end: Math.max(to, from), message, ...(opener !== undefined ? { opener } : {}) };
    return scan;
  };
  /** What follows a complete value: a comma or the close of its container, or the end. */
  const afterValue = (): Expect => (stack.length > 0 ? 'comma-or-close' : 'end');
  /** The end of the string opening at `start`, or an error message. */
  const stringEnd = (start: number): number | string => {
    for (let i = start + 1; i < text.length; i++) {
      const char = text[i];
      if (char === '"') return i + 1;
      if (char.charCodeAt(0) < 0x20) return `${named(char)} inside a string (write it as an escape)`;
      if (char !== '\\') continue;
      const next = text[i + 1] ?? '';
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 5;
      else if (ESCAPES.has(next)) i += 1;
      else return `the escape \\${next} is not JSON`;
    }
    return 'a string that is never closed';
  };

  for (;;) {
    // Whitespace, and comments: not JSON, but skipped so the rest still reads.
    for (;;) {
      while (at < text.length && ' \t\n\r'.includes(text[at])) at++;
      if (text.startsWith('//', at) || text.startsWith('/*', at)) {
        const line = text.startsWith('//', at);
        const close = line ? text.indexOf('\n', at) : text.indexOf('*/', at + 2);
        const end = close === -1 ? text.length : line ? close : close + 2;
        scan.comments.push([at, end]);
        scan.error ??= { at, end, message: 'a comment: JSON has none' };
        at = end;
      } else break;
    }
    if (at >= text.length) {
      const open = stack.at(-1);
      if (open) {
        const bracket = open.close === '}' ? '{' : '[';
        return fail(
          text.length,
          text.length,
          `the file ends before the '${bracket}' at LINE is closed`,
          open.at,
        );
      }
      if (expect !== 'end') return fail(text.length, text.length, 'the file ends where a value should be');
      return scan;
    }
    const char = text[at];
    const open = stack.at(-1);
    if (expect === 'end') {
      // Go's decoder reads one value after another; anything else after the last one is an error.
      if (char !== '{' && char !== '[')
        return fail(at, at + 1, `${named(char)} after the end of the JSON value`);
      expect = 'value';
    } else if (expect === 'colon') {
      if (char !== ':') return fail(at, at + 1, `expected ':' after the key, found ${named(char)}`);
      at++;
      expect = 'value';
      continue;
    } else if (expect === 'comma-or-close') {
      if (char === ',') {
        commaAt = at++;
        expect = open?.close === '}' ? 'key' : 'value';
      } else if (open && char === open.close) {
        stack.pop();
        at++;
        expect = afterValue();
      } else return fail(at, at + 1, `expected ',' or '${open?.close}', found ${named(char)}`);
      continue;
    } else if (expect === 'key' || expect === 'key-or-close') {
      if (char === '}' && open) {
        if (expect === 'key') return fail(commaAt, commaAt + 1, "a comma before '}': JSON allows none");
        stack.pop();
        at++;
        expect = afterValue();
        continue;
      }
      if (char !== '"') return fail(at, at + 1, `expected a key in double quotes, found ${named(char)}`);
      const end = stringEnd(at);
      if (typeof end === 'string') return fail(at, at + 1, end);
      const raw = text.slice(at + 1, end - 1);
      const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
      const first = open?.keys.get(key);
      if (first !== undefined) scan.duplicates.push({ at, end, key, first });
      else open?.keys.set(key, at);
      at = end;
      expect = 'colon';
      continue;
    }
    // A value (or, right after '[', the ']' of an empty array).
    if ((char === ']' || char === '}') && open?.close === char) {
      if (expect !== 'value-or-close')
        return fail(commaAt, commaAt + 1, `a comma before '${char}': JSON allows none`);
      stack.pop();
      at++;
      expect = afterValue();
      continue;
    }
    if (char === '{' || char === '[') {
      stack.push({ close: char === '{' ? '}' : ']', at, keys: new Map() });
      at++;
      expect = char === '{' ? 'key-or-close' : 'value-or-close';
      continue;
    }
    if (char === '"') {
      const end = stringEnd(at);
      if (typeof end === 'string') return fail(at, at + 1, end);
      at = end;
      expect = afterValue();
      continue;
    }
    NUMBER.lastIndex = at;
    const number = NUMBER.exec(text);
    const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, at));
    const length = number?.[0].length || literal?.length || 0;
    if (length === 0 || /[\w.]/.test(text[at + length] ?? '')) {
      const word = /^[^\s,:[\]{}]*/.exec(text.slice(at, at + 80))?.[0] || char;
      const hint = char === "'" ? ' (JSON strings are in double quotes)' : '';
      return fail(at, at + word.length, `expected a value, found ${named(word)}${hint}`);
    }
    at += length;
    expect = afterValue();
  }
}

/**
 * JSON's syntax errors and repeated keys in a manifest written as JSON, located; and the text with its
 * comments blanked (offsets and lines unchanged), so that the rest of a commented manifest still reads.
 */
export function checkJsonManifest(source: SourceFile): { problems: BlockProblem[]; readable: SourceFile } {
  const scan = scanJson(source.text);
  const problems: BlockProblem[] = [];
  if (scan.error) {
    const { at, end, message, opener } = scan.error;
    const where = opener !== undefined ? source.position(opener) : undefined;
    const text = where ? message.replace('LINE', `${where.line + 1}:${where.column + 1}`) : message;
    problems.push({
      severity: 'error',
      message: `not valid JSON: ${text} (kubectl refuses the file)`,
      range: source.range(at, end),
    });
  }
  for (const { at, end, key, first } of scan.duplicates) {
    const { line, column } = source.position(first);
    problems.push({
      severity: 'warning',
      message: `the key "${key}" is given again (first at ${line + 1}:${column + 1}): kubectl's JSON decoder keeps this last one, and so does ServeTune; keep one`,
      range: source.range(at, end),
    });
  }
  if (scan.comments.length === 0) return { problems, readable: source };
  let text = source.text;
  for (const [start, end] of scan.comments) {
    const blank = text.slice(start, end).replace(/[^\n\r]/g, ' ');
    text = text.slice(0, start) + blank + text.slice(end);
  }
  return { problems, readable: new SourceFile(source.path, text) };
}
