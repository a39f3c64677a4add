import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyEdits,
  blockSettings,
  type ConfigFileReport,
  knobTable,
  type PartialServingSettings,
  planEdits,
  readConfig,
  type ServingBlock,
  type TextEdit,
} from '../../../../src/engine/config/index.js';

export const FIXTURES = join(process.cwd(), 'test/fixtures/configs');

export function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

export function readFixture(name: string): { path: string; text: string; report: ConfigFileReport } {
  const path = fixturePath(name);
  const text = readFileSync(path, 'utf8');
  return { path, text, report: readConfig(path, text, { readFile }) };
}

export function readFile(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** The text a setting's range covers. */
export function textAt(
  text: string,
  block: ServingBlock,
  key: keyof ServingBlock['settings'],
): string | undefined {
  const range = block.settings[key]?.range;
  return range ? text.slice(range.start.offset, range.end.offset) : undefined;
}

/** Lines of `before` and `after` that differ, as [line number, before, after]. */
export function changedLines(
  before: string,
  after: string,
): [number, string | undefined, string | undefined][] {
  const a = before.split('\n');
  const b = after.split('\n');
  const changed: [number, string | undefined, string | undefined][] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) changed.push([i + 1, a[i], b[i]]);
  return changed;
}

/**
 * Read → plan edits for `changes` → apply → read again: the changed settings have their new values, every
 * other setting is as before, and the text outside the edited ranges is byte-for-byte the same.
 */
export function roundTrip(
  name: string,
  blockIndex: number,
  changes: PartialServingSettings,
  files: Record<string, string> = {},
  expected?: PartialServingSettings,
): { after: Record<string, string>; edits: TextEdit[] } {
  const path = fixturePath(name);
  const texts: Record<string, string> = { ...files };
  const read = (p: string) => texts[p] ?? readFile(p);
  const text = read(path)!;
  const before = readConfig(path, text, { readFile: read });
  const block = before.blocks[blockIndex];
  assert.ok(block, `${name} has block ${blockIndex}`);
  const { edits, problems } = planEdits(block, changes);
  assert.deepEqual(problems, []);
  const after: Record<string, string> = {};
  for (const file of new Set(edits.map((e) => e.range.file))) {
    const original = read(file)!;
    const updated = applyEdits(original, edits, file);
    assertOnlyEdited(
      original,
      updated,
      edits.filter((e) => e.range.file === file),
    );
    after[file] = updated;
  }
  const reread = readConfig(path, after[path] ?? text, { readFile: (p) => after[p] ?? read(p) });
  const again = reread.blocks[blockIndex];
  assert.ok(again, `${name} still has block ${blockIndex} after the edit`);
  // A switch turned off by removing it reads back as absent, which is the engine's default.
  const defaults = block.engine ? knobTable(block.engine).defaults({}) : {};
  const withDefaults = (s: PartialServingSettings) => {
    const out: Record<string, unknown> = { ...s };
    for (const [key, value] of Object.entries(defaults))
      if (key in changes && out[key] === undefined) out[key] = value;
    return out;
  };
  assert.deepEqual(
    withDefaults(blockSettings(again)),
    withDefaults(expected ?? { ...blockSettings(block), ...changes }),
  );
  assert.deepEqual(again.problems, block.problems.length === 0 ? [] : again.problems);
  return { after, edits };
}

function assertOnlyEdited(before: string, after: string, edits: TextEdit[]): void {
  const sorted = [...edits].sort((a, b) => a.range.start.offset - b.range.start.offset);
  let shift = 0;
  let from = 0;
  for (const edit of sorted) {
    const { start, end } = edit.range;
    assert.equal(after.slice(from + shift, start.offset + shift), before.slice(from, start.offset));
    assert.equal(after.slice(start.offset + shift, start.offset + shift + edit.newText.length), edit.newText);
    shift += edit.newText.length - (end.offset - start.offset);
    from = end.offset;
  }
  assert.equal(after.slice(from + shift), before.slice(from));
}
