/**
 * Just enough of the POSIX shell grammar to find commands and their words with exact positions: quotes,
 * escapes, line continuations, comments, `$(…)`/`${…}`, and the operators that separate commands.
 * Positions are indices into the text given; callers map them to file offsets.
 */

export interface ShellWord {
  /** The word after quote removal. */
  text: string;
  /** Index of the first and one past the last character of the word as written (quotes included). */
  start: number;
  end: number;
  /**
   * Index where `text` appears verbatim, when it does (a bare word without escapes, or one quoted
   * segment without escapes): edits can then replace part of it. Null otherwise.
   */
  verbatimAt: number | null;
  quoted: boolean;
  /** Contains `$` expansion outside single quotes. */
  expands: boolean;
}

export interface ShellCommand {
  words: ShellWord[];
}

export interface ShellProblem {
  message: string;
  index: number;
}

export interface ShellParse {
  commands: ShellCommand[];
  problems: ShellProblem[];
}

const OPERATOR_CHARS = new Set([';', '&', '|']);

export function parseShell(text: string): ShellParse {
  const commands: ShellCommand[] = [];
  const problems: ShellProblem[] = [];
  let words: ShellWord[] = [];
  let i = 0;
  const endCommand = () => {
    if (words.length > 0) commands.push({ words });
    words = [];
  };

  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
    } else if (c === '\\' && text[i + 1] === '\r' && text[i + 2] === '\n') {
      i += 3;
    } else if (c === '\n') {
      endCommand();
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (OPERATOR_CHARS.has(c)) {
      endCommand();
      i++;
    } else if (c === '(' || c === ')') {
      endCommand();
      i++;
    } else {
      const word = readWord(text, i, problems);
      words.push(word);
      i = word.end;
    }
  }
  endCommand();
  return { commands, problems };
}

function readWord(text: string, start: number, problems: ShellProblem[]): ShellWord {
  let i = start;
  let value = '';
  let segments = 0;
  let escaped = false;
  let quoted = false;
  let expands = false;
  let verbatimAt: number | null = start;

  while (i < text.length) {
    const c = text[i];
    if (
      c === ' ' ||
      c === '\t' ||
      c === '\n' ||
      c === '\r' ||
      OPERATOR_CHARS.has(c) ||
      c === '(' ||
      c === ')'
    ) {
      break;
    }
    if (c === '\\') {
      if (text[i + 1] === '\n') {
        // A continuation inside a word joins the halves.
        escaped = true;
        i += 2;
        continue;
      }
      escaped = true;
      value += text[i + 1] ?? '';
      i += 2;
      continue;
    }
    if (c === "'") {
      quoted = true;
      segments++;
      const close = text.indexOf("'", i + 1);
      const end = close === -1 ? text.length : close;
      if (close === -1) problems.push({ message: 'unterminated single quote', index: i });
      if (value === '' && segments === 1) verbatimAt = i + 1;
      value += text.slice(i + 1, end);
      i = close === -1 ? end : close + 1;
      continue;
    }
    if (c === '"') {
      quoted = true;
      segments++;
      if (value === '' && segments === 1) verbatimAt = i + 1;
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) {
          escaped = true;
          if (text[i + 1] !== '\n') value += text[i + 1];
          i += 2;
          continue;
        }
        if (d === '$') expands = true;
        if (d === '$' && text[i + 1] === '(') {
          const end = skipBalanced(text, i + 1, '(', ')');
          value += text.slice(i, end);
          i = end;
          continue;
        }
        value += d;
        i++;
      }
      if (!closed) problems.push({ message: 'unterminated double quote', index: start });
      continue;
    }
    if (c === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) {
      expands = true;
      const open = text[i + 1];
      const end = skipBalanced(text, i + 1, open, open === '(' ? ')' : '}');
      if (end > text.length || (end === text.length && text[end - 1] !== (open === '(' ? ')' : '}'))) {
        problems.push({ message: `unterminated $${open}`, index: i });
      }
      value += text.slice(i, end);
      segments++;
      i = end;
      continue;
    }
    if (c === '$') expands = true;
    if (c === '`') {
      expands = true;
      const close = text.indexOf('`', i + 1);
      const end = close === -1 ? text.length : close + 1;
      if (close === -1) problems.push({ message: 'unterminated backquote', index: i });
      value += text.slice(i, end);
      i = end;
      segments++;
      continue;
    }
    if (quoted) segments++;
    value += c;
    i++;
  }
  const verbatim =
    !escaped && verbatimAt !== null && text.slice(verbatimAt, verbatimAt + value.length) === value;
  return {
    text: value,
    start,
    end: i,
    verbatimAt: verbatim ? verbatimAt : null,
    quoted,
    expands,
  };
}

/** Index after the bracket that closes the one at `open` (nesting counted, quotes skipped). */
function skipBalanced(text: string, openIndex: number, open: string, close: string): number {
  let depth = 0;
  let i = openIndex;
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      i = end === -1 ? text.length : end + 1;
      continue;
    }
    if (c === open) depth++;
    else if (c === close) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return text.length;
}

const SAFE_BARE = /^[A-Za-z0-9_.,:/@%+=-]+$/;

/** A word as a shell would need it written. */
export function shellQuote(value: string): string {
  if (SAFE_BARE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Whether a value can be written without quoting in any context (shell, YAML plain, inside quotes). */
export function isSafeBare(value: string): boolean {
  return SAFE_BARE.test(value);
}

/**
 * A variable reference that is a whole word: `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`.
 * Returns the name and the default with the default's index inside the word.
 */
export function wholeVariable(
  word: string,
): { name: string; fallback?: { text: string; index: number } } | undefined {
  const simple = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
  if (simple) return { name: simple[1] };
  const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}$/.exec(word);
  if (!braced) return undefined;
  if (braced[2] === undefined) return { name: braced[1] };
  return { name: braced[1], fallback: { text: braced[3], index: 2 + braced[1].length + braced[2].length } };
}
