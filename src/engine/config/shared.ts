import type { ServingBlock, SharedText } from './block.js';
import type { SourceFile, SourceRange } from './source.js';

const rangeKey = (range: SourceRange) => `${range.file}\u0000${range.start.offset}\u0000${range.end.offset}`;

/**
 * `NAME` of an occurrence whose value is a variable's (`from $TP`, `from $(TP)`); a default written at
 * the use (`${TP:-8}`) belongs to that use alone.
 */
function variableOf(note: string | undefined): string | undefined {
  return /^from \$\(?([A-Za-z_][A-Za-z0-9_]*)\)?$/.exec(note ?? '')?.[1];
}

/** Every `$NAME`, `${NAME…}` and `$(NAME)` in a text. */
function variableUses(source: SourceFile, name: string): SourceRange[] {
  const pattern = new RegExp(`\\$(?:\\{|\\()?${name}(?![A-Za-z0-9_])`, 'g');
  return [...source.text.matchAll(pattern)].map((m) => source.range(m.index, m.index + m[0].length));
}

/**
 * The text the blocks of one file share (see `SharedText`): what the YAML readers found (anchors used
 * again), every value that two occurrences take from the same place (one anchor read by two
 * Deployments, one variable behind two flags), and every variable referenced more than once in the
 * file (`--tp $N --pp $N`, or `$TP` also echoed).
 */
export function sharedTexts(
  blocks: readonly ServingBlock[],
  source: SourceFile,
  fromYaml: readonly SharedText[],
): SharedText[] {
  const shared = new Map<string, SharedText>();
  for (const text of fromYaml) shared.set(rangeKey(text.range), text);
  const users = new Map<string, { target: SourceRange; uses: SourceRange[]; what: string | undefined }>();
  for (const block of blocks) {
    for (const occurrence of block.occurrences) {
      const target = occurrence.edit?.target;
      if (!target) continue;
      const key = rangeKey(target);
      const entry = users.get(key) ?? { target, uses: [], what: undefined };
      entry.uses.push(occurrence.keyRange ?? occurrence.valueRange ?? target);
      const variable = variableOf(occurrence.note);
      if (variable) entry.what = `$${variable}`;
      users.set(key, entry);
      if (variable && target.file === source.path && !shared.has(key)) {
        const uses = variableUses(source, variable);
        if (uses.length > 1) shared.set(key, { range: target, what: `$${variable}`, uses });
      }
    }
  }
  const inYaml = (range: SourceRange) =>
    fromYaml.some(
      (s) =>
        s.range.file === range.file &&
        s.range.start.offset <= range.start.offset &&
        range.end.offset <= s.range.end.offset,
    );
  for (const [key, entry] of users) {
    const uses = [...new Map(entry.uses.map((use) => [rangeKey(use), use])).values()];
    if (uses.length < 2 || shared.has(key) || inYaml(entry.target)) continue;
    shared.set(key, { range: entry.target, what: entry.what ?? 'one value', uses });
  }
  return [...shared.values()];
}
