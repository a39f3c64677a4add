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
  /** `> file`, `2>&1`, `<<EOF`…: not arguments; the target word is kept for heredocs that write files. */
  redirects: ShellRedirect[];
}

export interface ShellRedirect {
  operator: string;
  target: ShellWord | undefined;
}

/** A here-document: its body as written, and the file the command writes it to, when it does (`cat > f <<EOF`). */
export interface ShellHeredoc {
  /** Index of the body's first character and one past its last (the delimiter line excluded). */
  bodyStart: number;
  bodyEnd: number;
  /** The `> path` of the command the here-document feeds, if any. */
  writesTo: string | undefined;
}

export interface ShellProblem {
  message: string;
  index: number;
}

export interface ShellParse {
  commands: ShellCommand[];
  problems: ShellProblem[];
  heredocs: ShellHeredoc[];
}

/** A redirection operator at the start of a word: optional fd digits, then `>`, `>>`, `<`, `>&`, `&>`, `<<`… */
const REDIRECTION = /^(?:\d*(?:<<<|<<-?|>>|>&|<&|<>|>\||>|<)|&>>?)/;

interface PendingHeredoc {
  delimiter: string;
  stripTabs: boolean;
  command: ShellRedirect[];
}

const OPERATOR_CHARS = new Set([';', '&', '|']);

export function parseShell(text: string): ShellParse {
  const commands: ShellCommand[] = [];
  const problems: ShellProblem[] = [];
  const heredocs: ShellHeredoc[] = [];
  let pending: PendingHeredoc[] = [];
  let words: ShellWord[] = [];
  let redirects: ShellRedirect[] = [];
  let i = 0;
  const endCommand = () => {
    if (words.length > 0) commands.push({ words, redirects });
    words = [];
    redirects = [];
  };

  while (i < text.length) {
    const c = text[i];
    const redirection = /[\d<>&]/.test(c) ? REDIRECTION.exec(text.slice(i, i + 8)) : null;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
    } else if (c === '\\' && text[i + 1] === '\r' && text[i + 2] === '\n') {
      i += 3;
    } else if (c === '\n') {
      endCommand();
      i = readHeredocBodies(text, i + 1, pending, heredocs);
      pending = [];
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (redirection) {
      i = readRedirection(text, i, redirection[0], redirects, pending, problems);
    } else if (OPERATOR_CHARS.has(c) || c === '(' || c === ')') {
      endCommand();
      i++;
    } else {
      const word = readWord(text, i, problems);
      words.push(word);
      i = word.end;
    }
  }
  endCommand();
  return { commands, problems, heredocs };
}

/** A redirection and its target word; `<<` queues a here-document whose body starts on the next line. */
function readRedirection(
  text: string,
  start: number,
  operator: string,
  redirects: ShellRedirect[],
  pending: PendingHeredoc[],
  problems: ShellProblem[],
): number {
  let i = start + operator.length;
  while (text[i] === ' ' || text[i] === '\t') i++;
  const target = i < text.length && !'\n;&|()<>'.includes(text[i]) ? readWord(text, i, problems) : undefined;
  redirects.push({ operator, target });
  if (/^\d*<<-?$/.test(operator)) {
    if (target)
      pending.push({ delimiter: target.text, stripTabs: operator.endsWith('-'), command: redirects });
  }
  return target ? target.end : i;
}

/** Skips the bodies of the here-documents opened on the line just ended; returns where commands resume. */
function readHeredocBodies(
  text: string,
  from: number,
  pending: readonly PendingHeredoc[],
  heredocs: ShellHeredoc[],
): number {
  let i = from;
  for (const doc of pending) {
    const bodyStart = i;
    let bodyEnd = text.length;
    while (i < text.length) {
      const lineEnd = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
      const line = text.slice(i, lineEnd).replace(/\r$/, '');
      if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) {
        bodyEnd = i;
        i = Math.min(text.length, lineEnd + 1);
        break;
      }
      i = lineEnd + 1;
    }
    if (i > text.length) i = text.length;
    const output = doc.command.find((r) => /^(\d*>|>>|>\|)$/.test(r.operator) && r.operator !== '2>');
    heredocs.push({ bodyStart, bodyEnd: Math.min(bodyEnd, text.length), writesTo: output?.target?.text });
  }
  return i;
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
      c === ')' ||
      c === '<' ||
      c === '>'
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

/** `sh -c`, `bash -exc`, `bash -lc`…: a shell running the next word as its script. */
export function isShellScriptOption(program: string | undefined, option: string): boolean {
  return /(^|\/)(ba|da|z)?sh$/.test(program ?? '') && /^-[a-z]*c[a-z]*$/.test(option);
}

/**
 * `$((expression))` with integer + - * / % and parentheses over numbers and variables. Undefined when a
 * variable is not known or the expression is beyond that grammar: the value is then unknown, not wrong.
 */
export function evaluateArithmetic(
  word: string,
  lookup: (name: string) => string | undefined,
): number | undefined {
  const whole = /^\$\(\((.*)\)\)$/s.exec(word);
  if (!whole) return undefined;
  let unknown = false;
  const substituted = whole[1].replace(/\$?\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => {
    const value = lookup(name);
    if (value === undefined || !/^\s*-?\d+\s*$/.test(value)) unknown = true;
    return `(${value ?? 0})`;
  });
  if (unknown || !/^[\d\s+\-*/%()]*$/.test(substituted)) return undefined;
  return new ArithmeticParser(substituted).parse();
}

/** A recursive-descent reader of integer arithmetic (no eval). */
class ArithmeticParser {
  private at = 0;
  constructor(private readonly text: string) {}

  parse(): number | undefined {
    const value = this.sum();
    this.skipSpace();
    return value !== undefined && this.at === this.text.length && Number.isFinite(value) ? value : undefined;
  }

  private skipSpace(): void {
    while (this.text[this.at] === ' ' || this.text[this.at] === '\t' || this.text[this.at] === '\n')
      this.at++;
  }

  private sum(): number | undefined {
    let value = this.product();
    for (;;) {
      this.skipSpace();
      const op = this.text[this.at];
      if (value === undefined || (op !== '+' && op !== '-')) return value;
      this.at++;
      const right = this.product();
      if (right === undefined) return undefined;
      value = op === '+' ? value + right : value - right;
    }
  }

  private product(): number | undefined {
    let value = this.unary();
    for (;;) {
      this.skipSpace();
      const op = this.text[this.at];
      if (value === undefined || (op !== '*' && op !== '/' && op !== '%')) return value;
      this.at++;
      const right = this.unary();
      if (right === undefined || (op !== '*' && right === 0)) return undefined;
      value = op === '*' ? value * right : op === '/' ? Math.trunc(value / right) : value % right;
    }
  }

  private unary(): number | undefined {
    this.skipSpace();
    if (this.text[this.at] === '-') {
      this.at++;
      const value = this.unary();
      return value === undefined ? undefined : -value;
    }
    if (this.text[this.at] === '(') {
      this.at++;
      const value = this.sum();
      this.skipSpace();
      if (this.text[this.at] !== ')') return undefined;
      this.at++;
      return value;
    }
    const digits = /^\d+/.exec(this.text.slice(this.at));
    if (!digits) return undefined;
    this.at += digits[0].length;
    return Number(digits[0]);
  }
}
