import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  type Scalar,
  visit,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import type { ArgToken } from '../args.js';
import type { BlockProblem, Encoding, Insertion, SharedText } from '../block.js';
import type { SourceFile, SourceRange } from '../source.js';
import { isMergedPair, resolveReferences } from './yaml-refs.js';

export interface YamlDocuments {
  documents: Document.Parsed[];
  problems: BlockProblem[];
  /** Anchored nodes used again through aliases or merge keys: text no edit may change for one use only. */
  shared: SharedText[];
}

/**
 * Every document of a YAML stream, with syntax errors as located problems (the documents still come
 * back), aliases and merge keys resolved as a loader resolves them (see `resolveReferences`).
 */
export function parseYaml(source: SourceFile): YamlDocuments {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(source.text, {
    lineCounter,
    keepSourceTokens: true,
    uniqueKeys: false,
    prettyErrors: false,
  });
  const documents = Array.isArray(parsed) ? parsed : [];
  const problems: BlockProblem[] = [];
  const shared: SharedText[] = [];
  for (const yamlDocument of documents) {
    for (const node of resolveReferences(yamlDocument)) {
      shared.push({
        range: source.range(node.node[0], node.node[1]),
        what: `the YAML anchor &${node.anchor}`,
        uses: node.uses.map(([start, end]) => source.range(start, end)),
      });
    }
    for (const error of yamlDocument.errors) {
      // The parser recurses per level: nesting thousands deep runs out of stack, once per level left.
      const tooDeep = /Maximum call stack size exceeded/.test(error.message);
      if (tooDeep && problems.some((p) => p.message === TOO_DEEP)) continue;
      problems.push({
        severity: 'error',
        message: tooDeep ? TOO_DEEP : `YAML: ${firstLine(error.message)}`,
        range: source.range(error.pos[0], error.pos[1]),
      });
    }
  }
  return { documents, problems, shared };
}

const TOO_DEEP = 'nested too deeply to read (thousands of levels): what is inside from here is not read';

function firstLine(message: string): string {
  return message.split('\n')[0];
}

export function nodeRange(node: Node, source: SourceFile): SourceRange {
  const [start, end] = node.range ?? [0, 0];
  return source.range(start, end);
}

/** A map's value at a key path (plain string keys), if every step exists. */
export function getIn(node: unknown, path: readonly string[]): unknown {
  let current = node;
  for (const key of path) {
    if (!isMap(current)) return undefined;
    current = current.get(key, true);
  }
  return current;
}

export function mapPairs(node: unknown): { key: Scalar; value: unknown }[] {
  if (!isMap(node)) return [];
  const pairs: { key: Scalar; value: unknown }[] = [];
  for (const pair of (node as YAMLMap).items) {
    if (isScalar(pair.key)) pairs.push({ key: pair.key, value: pair.value });
  }
  return pairs;
}

export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const value = node.value;
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : String(value);
}

const STYLE_ENCODING: Record<string, Encoding> = {
  PLAIN: 'yaml-plain',
  QUOTE_DOUBLE: 'yaml-double',
  QUOTE_SINGLE: 'yaml-single',
};

/** A YAML scalar as a command-line word (an item of `args:`), located and editable in its style. */
export function scalarToken(node: Scalar, source: SourceFile): ArgToken {
  const text = scalarText(node) ?? '';
  const [start, end] = node.range ?? [0, 0];
  const quote = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
  const inner = source.text.slice(start + quote, end - quote);
  const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
  return {
    text,
    range: block ? null : source.range(start, end),
    verbatim: !block && inner === text ? start + quote : null,
    encoding: STYLE_ENCODING[node.type ?? 'PLAIN'] ?? 'yaml-double',
    removal: null,
    source,
  };
}

/** A mapping value as an editable token (typed YAML value). */
export function valueToken(node: unknown, source: SourceFile): ArgToken | undefined {
  if (!isScalar(node)) return undefined;
  const token = scalarToken(node, source);
  return { ...token, encoding: node.type === 'PLAIN' ? 'yaml-value' : token.encoding };
}

/** The one character each two-character escape of a JSON string (and YAML double-quoted scalar) stands for. */
const SHORT_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
};

/**
 * Offsets of a one-line double-quoted scalar whose escapes are JSON's (`\n`, `\"`, `\\`, `\uXXXX`): a
 * `sh -c` script in a JSON manifest holds its lines as `\n`. Each value character maps to where its
 * escape starts; null where the text does not decode to the value (YAML's other escapes, a line fold).
 */
function escapedOffsets(value: string, start: number, end: number, source: SourceFile): number[] | null {
  const map: number[] = [];
  let decoded = '';
  for (let at = start + 1; at < end - 1; ) {
    const char = source.text[at];
    if (char === '\n') return null;
    map.push(at);
    if (char !== '\\') {
      decoded += char;
      at += 1;
      continue;
    }
    const next = source.text[at + 1];
    const hex = /^[0-9a-fA-F]{4}$/.test(source.text.slice(at + 2, at + 6));
    if (next === 'u' && hex) {
      decoded += String.fromCharCode(Number.parseInt(source.text.slice(at + 2, at + 6), 16));
      at += 6;
    } else if (next !== undefined && next in SHORT_ESCAPES) {
      decoded += SHORT_ESCAPES[next];
      at += 2;
    } else return null;
  }
  map.push(end - 1);
  return decoded === value ? map : null;
}

/**
 * File offset of each character of a scalar's value, for scalars whose characters stand in the file one
 * for one (plain single-line, quoted without escapes, literal and folded blocks) or one escape for one
 * (a one-line double-quoted scalar with JSON's escapes): a command inside the scalar can then be edited
 * word by word. Null where the value is transformed otherwise (other escapes, folded plain or quoted).
 */
export function scalarOffsets(node: Scalar, source: SourceFile): ((index: number) => number | null) | null {
  const value = scalarText(node);
  if (value === undefined || !node.range) return null;
  const [start, end] = node.range;
  if (node.type === 'PLAIN' || node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') {
    const quote = node.type === 'PLAIN' ? 0 : 1;
    if (source.text.slice(start + quote, end - quote) === value) return (index) => start + quote + index;
    const escaped = node.type === 'QUOTE_DOUBLE' ? escapedOffsets(value, start, end, source) : null;
    return escaped ? (index) => escaped[index] ?? null : null;
  }
  if (node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED') return null;
  // Content lines start after the header line; their common indentation is stripped from the value.
  const headerEnd = source.text.indexOf('\n', start);
  if (headerEnd === -1) return null;
  const map: number[] = [];
  const lines = source.text.slice(headerEnd + 1, end).split('\n');
  const indent = Math.min(
    ...lines.filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length),
  );
  let offset = headerEnd + 1;
  for (const line of lines) {
    for (let c = Math.min(indent, line.length); c < line.length; c++) map.push(offset + c);
    map.push(offset + line.length);
    offset += line.length + 1;
  }
  // Check the map reproduces the value (folding turns some newlines into spaces: both count).
  for (let i = 0; i < value.length; i++) {
    const at = map[i];
    if (at === undefined) return null;
    const written = source.text[at] ?? '\n';
    if (written !== value[i] && !(written === '\n' && value[i] === ' ')) return null;
  }
  return (index) => map[index] ?? (index === value.length ? (map[value.length - 1] ?? start) + 1 : null);
}

/** Where a new `key: value` line goes in a block map: after its last entry, at its indentation. */
export function mapInsertion(
  map: YAMLMap,
  source: SourceFile,
  extra: Partial<Insertion> = {},
): Insertion | undefined {
  // Pairs a merge key brings stand elsewhere (in the anchor): new keys go after the map's own.
  const items = map.items.filter((pair) => !isMergedPair(pair));
  if (map.flow || items.length === 0) return undefined;
  const first = items[0].key as Node | null;
  const last = items[items.length - 1];
  const lastNode = (last.value as Node | null) ?? (last.key as Node | null);
  if (!first?.range || !lastNode?.range) return undefined;
  const at = source.lineEnd(Math.max(lastNode.range[0], lastNode.range[1] - 1));
  const indent = ' '.repeat(source.position(first.range[0]).column);
  return { kind: 'yaml-map', at: source.range(at, at), indent, ...extra };
}

/** Where new items go in a sequence of command-line words, in the style of its items. */
export function seqInsertion(seq: YAMLSeq, source: SourceFile): Insertion | undefined {
  const items = seq.items.filter((item): item is Scalar => isScalar(item));
  // The style of the last word written as a string: a plain `8000`, `true` or `null` is no string, and
  // in JSON (`"args": ["--port", 8000]`) a plain new word would not be JSON any more.
  const lastString = items.findLast((item) => typeof item.value === 'string');
  const style = lastString ? (STYLE_ENCODING[lastString.type ?? 'PLAIN'] ?? 'yaml-double') : 'yaml-double';
  if (seq.flow) {
    if (!seq.range) return undefined;
    const last = items[items.length - 1];
    if (last?.range)
      return {
        kind: 'args-yaml-flow',
        at: source.range(last.range[1], last.range[1]),
        separator: ', ',
        encoding: style,
      };
    const open = source.text.indexOf('[', seq.range[0]);
    return { kind: 'args-yaml-flow', at: source.range(open + 1, open + 1), separator: '', encoding: style };
  }
  const last = items[items.length - 1];
  const first = items[0];
  if (!last?.range || !first?.range) return undefined;
  const at = source.lineEnd(last.range[1] - 1);
  const firstColumn = source.position(first.range[0]).column;
  const dash = source.text.lastIndexOf('-', first.range[0]);
  const dashColumn = dash >= 0 ? source.position(dash).column : Math.max(0, firstColumn - 2);
  return {
    kind: 'args-yaml-block',
    at: source.range(at, at),
    indent: ' '.repeat(dashColumn),
    encoding: style,
  };
}

/** Locate the `- item` lines of a block sequence so a word can be removed with its line. */
export function withLineRemoval(tokens: ArgToken[], seq: YAMLSeq, source: SourceFile): ArgToken[] {
  return tokens.map((token, index) => {
    const item = seq.items[index] as Node | undefined;
    if (!item?.range || !token.range) return token;
    if (seq.flow) {
      const previous = seq.items[index - 1] as Node | undefined;
      const from = previous?.range ? previous.range[1] : item.range[0];
      return {
        ...token,
        removal: source.range(
          from,
          index === 0 && seq.items.length > 1
            ? ((seq.items[1] as Node).range?.[0] ?? item.range[1])
            : item.range[1],
        ),
      };
    }
    const lineStart = item.range[0] - source.position(item.range[0]).column;
    return { ...token, removal: source.range(lineStart, source.nextLineStart(item.range[1] - 1)) };
  });
}

export function seqScalars(node: unknown): Scalar[] | undefined {
  if (!isSeq(node)) return undefined;
  return node.items.filter((item): item is Scalar => isScalar(item));
}

export { isMap, isScalar, isSeq };

/** The words of a YAML sequence (`args:`), each located and removable with its line. */
export function seqTokens(seq: YAMLSeq, source: SourceFile): ArgToken[] {
  const tokens = seq.items.map(
    (item): ArgToken =>
      isScalar(item)
        ? scalarToken(item, source)
        : { text: '', range: null, verbatim: null, encoding: 'yaml-double', removal: null, source },
  );
  return withLineRemoval(tokens, seq, source);
}

/**
 * Drops, in every mapping of `documents`, each pair whose key is given again later, so that the last is
 * the one read (and edited), as kubectl reads a manifest written as JSON: Go's encoding/json sets a key
 * each time it meets it (sigs.k8s.io/json UnmarshalCaseSensitivePreserveInts, which
 * kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/json/json.go at
 * 9891f82d816be0f7ee3ff1eb080089737ad596c9 decodes with; its UnmarshalStrict reports duplicates as
 * non-fatal). kubectl sends the decoded object, not the text (cli-runtime pkg/resource/visitor.go
 * StreamVisitor at 046d201c45cebd19eb1fc4612426761c64802825), so `--validate=strict` on the API server
 * never sees the repeat; kubectl's own NoDoubleKeySchema (labels and annotations only, kubectl
 * pkg/validation/schema.go at abd60651f20b906e54ce2c89ad6d2b7790dba8a1) runs only where the server lacks
 * field validation.
 */
export function keepLastOfRepeatedKeys(documents: readonly Document.Parsed[]): void {
  for (const yamlDocument of documents) {
    visit(yamlDocument, {
      Map(_, map) {
        const last = new Map<unknown, number>();
        map.items.forEach((pair, i) => {
          last.set(isScalar(pair.key) ? pair.key.value : pair.key, i);
        });
        if (last.size === map.items.length) return;
        map.items = map.items.filter(
          (pair, i) => last.get(isScalar(pair.key) ? pair.key.value : pair.key) === i,
        );
      },
    });
  }
}
