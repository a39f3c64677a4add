import { type Document, isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';

/** Offsets of a text that several places of a YAML stream share: an anchored node and its uses. */
export interface SharedYamlNode {
  anchor: string;
  node: [number, number];
  /** Where it is used again: each alias (`*name`) and merge key (`<<: *name`). */
  uses: [number, number][];
}

/** Pairs a map holds through a merge key (`<<: *common`), not written in it. */
const MERGED = new WeakSet<Pair>();

export function isMergedPair(pair: Pair): boolean {
  return MERGED.has(pair);
}

const isMergeKey = (key: unknown) => isScalar(key) && key.value === '<<';

/**
 * Resolves a parsed document's references in place, so the readers see what a YAML loader sees: each
 * alias is replaced by the node its anchor names (the same node: its ranges are the anchor's text),
 * and each merge key (`<<: *common`, `<<: [*a, *b]`) by the pairs it brings that the map does not set
 * itself (theirs first, so the map's own keys win). An alias inside the node it names (a cycle) stays
 * an alias. Returns the anchored nodes that are used more than once, with every use: an edit there
 * would change every place that uses them.
 */
export function resolveReferences(parsed: Document.Parsed): SharedYamlNode[] {
  const anchors = new Map<string, Node>();
  const shared = new Map<Node, SharedYamlNode>();
  const ancestors = new Set<Node>();

  const use = (alias: Node & { source: string }): Node | undefined => {
    const target = anchors.get(alias.source);
    if (!target || ancestors.has(target) || !target.range || !alias.range) return undefined;
    let entry = shared.get(target);
    if (!entry) {
      entry = { anchor: alias.source, node: [target.range[0], target.range[1]], uses: [] };
      shared.set(target, entry);
    }
    entry.uses.push([alias.range[0], alias.range[1]]);
    return target;
  };
  const resolved = (value: unknown): unknown => (isAlias(value) ? (use(value) ?? value) : value);

  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object' || isAlias(node)) return;
    const n = node as Node;
    if (n.anchor) anchors.set(n.anchor, n);
    if (!isMap(n) && !isSeq(n)) return;
    ancestors.add(n);
    if (isSeq(n)) {
      n.items = n.items.map((item) => {
        walk(item);
        return resolved(item);
      });
    } else {
      for (const pair of n.items) {
        walk(pair.key);
        walk(pair.value);
        if (!isMergeKey(pair.key)) pair.value = resolved(pair.value);
      }
      mergeKeys(n, resolved);
    }
    ancestors.delete(n);
  };
  walk(parsed.contents);
  return [...shared.values()];
}

/** Replaces a map's merge keys by the pairs they bring (see `resolveReferences`). */
function mergeKeys(map: YAMLMap, resolved: (value: unknown) => unknown): void {
  if (!map.items.some((pair) => isMergeKey(pair.key))) return;
  const own = map.items.filter((pair) => !isMergeKey(pair.key));
  const keyOf = (pair: Pair) => (isScalar(pair.key) ? String(pair.key.value) : pair.key);
  const taken = new Set(own.map(keyOf));
  const merged: Pair[] = [];
  for (const pair of map.items) {
    if (!isMergeKey(pair.key)) continue;
    const value = resolved(pair.value);
    const sources = isSeq(value) ? value.items.map(resolved) : [value];
    for (const source of sources) {
      if (!isMap(source)) continue;
      for (const brought of source.items) {
        const key = keyOf(brought);
        if (taken.has(key)) continue;
        taken.add(key);
        MERGED.add(brought as Pair);
        merged.push(brought as Pair);
      }
    }
  }
  map.items = [...merged, ...own];
}
