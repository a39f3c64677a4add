// The architecture's invariants, checked on the source itself: the engine's folders import each other in
// one direction only (each folder's README says what it may import), the engine never reaches for VS Code
// or the DOM, every folder is in docs/ARCHITECTURE.md, unit tests mirror the engine's folders, and no
// engine function is longer than a screen or two.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

// Tests run from the repository root (npm test).
const ENGINE = 'src/engine';
const LONGEST_FUNCTION_LINES = 150;

function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) found.push(path);
  }
  return found;
}

const engineFolders = readdirSync(ENGINE)
  .filter((name) => statSync(join(ENGINE, name)).isDirectory())
  .sort();
const engineFiles = sourceFiles(ENGINE);

/** The folder of src/engine that a path lies in ('' for the engine's root). */
function folderOf(path: string): string {
  const parts = relative(ENGINE, path).split(sep);
  return parts.length > 1 ? parts[0] : '';
}

interface FolderImport {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

/** Every import of one engine folder by another (relative specifiers, static and dynamic). */
function folderImports(): FolderImport[] {
  const edges: FolderImport[] = [];
  for (const file of engineFiles) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = normalize(join(dirname(file), match[1]));
      if (!target.startsWith(ENGINE + sep)) continue;
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to) edges.push({ from, to, file, specifier: match[1] });
    }
  }
  return edges;
}

/** Strongly connected components of more than one folder (Tarjan). */
function folderCycles(edges: readonly FolderImport[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)?.add(e.to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w !== undefined) component.push(w);
      } while (w !== v && w !== undefined);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

/** The folders a README's "May import:" line names (`none` for none). */
function declaredImports(folder: string): Set<string> | undefined {
  const readme = join(ENGINE, folder, 'README.md');
  if (!existsSync(readme)) return undefined;
  const line = readFileSync(readme, 'utf8')
    .split('\n')
    .find((l) => /^May import:/.test(l));
  if (!line) return undefined;
  const names = line
    .replace(/^May import:/, '')
    .replace(/\.$/, '')
    .split(',')
    .map((s) => s.replace(/`/g, '').trim())
    .filter((s) => s !== '' && s !== 'none');
  return new Set(names);
}

describe('architecture', () => {
  const edges = folderImports();

  it('no two folders of src/engine import each other, directly or through others', () => {
    const cycles = folderCycles(edges);
    const detail = cycles.map((cycle) => {
      const inside = edges.filter((e) => cycle.includes(e.from) && cycle.includes(e.to));
      return `${cycle.join(', ')}:\n${inside.map((e) => `  ${e.file} imports ${e.specifier}`).join('\n')}`;
    });
    assert.deepEqual(detail, [], 'folder-level import cycles');
  });

  it('the engine has no loose files at its root: each file belongs to a folder that owns it', () => {
    assert.deepEqual(
      engineFiles.filter((f) => folderOf(f) === ''),
      [],
    );
  });

  it("each folder's README states what it owns and what it may import, and the code keeps to it", () => {
    const problems: string[] = [];
    for (const folder of engineFolders) {
      const allowed = declaredImports(folder);
      const readme = join(ENGINE, folder, 'README.md');
      if (!allowed) {
        problems.push(`${readme}: missing, or without a "May import:" line`);
        continue;
      }
      if (!/^Owns:/m.test(readFileSync(readme, 'utf8'))) problems.push(`${readme}: no "Owns:" line`);
      for (const name of allowed)
        if (!engineFolders.includes(name)) problems.push(`${readme}: names no folder '${name}'`);
      for (const e of edges.filter((x) => x.from === folder && !allowed.has(x.to))) {
        problems.push(`${e.file} imports ${e.specifier}, but ${readme} does not allow '${e.to}'`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('the engine never imports vscode nor touches the DOM (it runs in plain Node and the CLI)', () => {
    const offenders = engineFiles.filter((file) => {
      const text = readFileSync(file, 'utf8');
      return /from\s+['"]vscode['"]|require\(['"]vscode['"]\)|\bdocument\.|\bwindow\./.test(text);
    });
    assert.deepEqual(offenders, []);
  });

  it('docs/ARCHITECTURE.md names every folder of src/engine', () => {
    const doc = readFileSync('docs/ARCHITECTURE.md', 'utf8');
    assert.deepEqual(
      engineFolders.filter((folder) => !doc.includes(`src/engine/${folder}/`)),
      [],
    );
  });

  it("unit tests mirror the engine's folders", () => {
    const testFolders = readdirSync('test/unit/engine').filter((n) =>
      statSync(join('test/unit/engine', n)).isDirectory(),
    );
    assert.deepEqual(
      testFolders.filter((folder) => !engineFolders.includes(folder)),
      [],
    );
    const looseTests = readdirSync('test/unit').filter(
      (n) => n.endsWith('.test.ts') && n !== 'architecture.test.ts',
    );
    assert.deepEqual(looseTests, [], 'tests belong in test/unit/engine/<folder>, cli/ or extension/');
  });

  it(`no function in src/engine is longer than ${LONGEST_FUNCTION_LINES} lines`, () => {
    const long: string[] = [];
    for (const file of engineFiles) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (last - first + 1 > LONGEST_FUNCTION_LINES) {
            const name = node.name?.getText(source) ?? '(anonymous)';
            long.push(`${file}:${first + 1} ${name}: ${last - first + 1} lines`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    assert.deepEqual(long, []);
  });
});
